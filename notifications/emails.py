"""Turning a notification row into an e-mail (French by default, English on request)."""

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Notification


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def thread_id(notification: Notification) -> str:
    """One thread per action: every e-mail about it refers to the same root id."""
    subject = f"action-{notification.action_id}" if notification.action_id else "caf"
    return f"<{subject}@{_domain()}>"


def build_message(notification: Notification, connection=None) -> EmailMultiAlternatives:
    with translation.override(notification.language):
        context = {"notification": notification, "site_url": settings.SITE_URL}
        subject = render_to_string("notifications/subject.txt", context).strip()
        text = render_to_string("notifications/body.txt", context)
        html = render_to_string("notifications/body.html", context)
    headers = {
        "Message-ID": make_msgid(domain=_domain()),
        "In-Reply-To": thread_id(notification),
        "References": thread_id(notification),
    }
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=text,
        to=[notification.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message
