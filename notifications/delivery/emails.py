"""Turning a notification row into an e-mail: French by default, English when the partner
contact prefers it; a plain-text part and an HTML part rendered from one template per kind
(``notifications/emails/<kind>.subject.txt``, ``.txt``, ``.html``; a few kinds share one:
``TEMPLATE_OF``) and one builder of its context per kind (``BUILDERS``).

One thread per action and recipient: every e-mail about an action has the same subject,
« [CAF Loire] <the action's title> » (what happened is the first line of the body, from the
kind's ``.subject.txt``: its headline), and answers the last e-mail sent to that person about
that action (In-Reply-To), referring to the first one too (References): only Message-IDs they
received, so that Gmail, Outlook and Thunderbird all show one conversation.

Headers: a unique Message-ID; List-Unsubscribe with one-click
unsubscribe (RFC 8058); Auto-Submitted. The rows come from the sweep with their recipient and
action already joined, and what else they need (roles, subjects) is read once for the whole
batch (``notifications.delivery.lookups``): building a batch costs a constant number of
queries. Built alone, an e-mail costs two queries (what it is about, and what its recipient
already received about the action); a digest costs two, the agenda's invitation a few.
"""

import datetime
import re
from email.utils import make_msgid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.actions.links import personal_link
from backend.actions.models import Action, RoleAssignment, RoleState
from backend.core.business_days import is_business_day
from notifications.delivery.board_emails import BOARD_BUILDERS, CALENDAR_KINDS, attach_calendar
from notifications.delivery.convocations import convocation_context
from notifications.delivery.digest import group_items
from notifications.delivery.links import action_page, staff_links, staff_page
from notifications.delivery.lookups import Lookups
from notifications.delivery.outcomes import (
    amended_fields,
    decision_context,
    evaluation_context,
    partner_notice_context,
)
from notifications.delivery.unsubscribe import unsubscribe_url
from notifications.models import MANDATORY_KINDS, Kind, Notification
from notifications.templatetags.email_labels import label

TEMPLATES = "notifications/emails"
# The template of each kind (every kind has one: tests/notifications/test_every_kind.py).
TEMPLATE_OF = {
    Kind.INVITATION: "invitation",
    Kind.REMINDER: "reminder",
    Kind.ESCALATION: "escalation",
    Kind.ANSWER_RECEIVED: "answer_received",
    Kind.CONSULTATION_COMPLETE: "consultation_complete",
    Kind.DIGEST: "digest",
    Kind.BOARD_DECISION: "board_decision",
    Kind.REPORT_REQUESTED: "evaluation",
    Kind.EVALUATION_DUE: "evaluation",
    Kind.EVALUATION_OVERDUE: "evaluation",
    Kind.ROLE_WITHDRAWN: "partner_notice",
    Kind.CONSULTATION_REVISED: "partner_notice",
    Kind.ACTION_WITHDRAWN: "partner_notice",
    # a board session's agenda, change and cancellation (``board_emails``)
    **{kind: str(kind) for kind in CALENDAR_KINDS},
    Kind.CONVOCATION: "convocation",
    Kind.ATTENDANCE_REMINDER: "attendance_reminder",
    Kind.WEBHOOK_DISABLED: "webhook_disabled",
}
# The kinds that carry the session's calendar file: the board's, and the members' own.
WITH_CALENDAR = CALENDAR_KINDS | {Kind.CONVOCATION, Kind.ATTENDANCE_REMINDER}
WAITING = (RoleState.PROPOSED, RoleState.INVITED)
TO_SETTLE = (RoleState.DECLINED, RoleState.CHANGES_REQUESTED)


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def thread_subject(action: Action) -> str:
    """The one subject of every e-mail about an action (whole: a mail client folds it)."""
    return _("[CAF Loire] %(title)s") % {"title": " ".join(action.title.split())}


def thread_headers(notification: Notification, lookups: Lookups) -> dict:
    """In-Reply-To the last e-mail sent to this person about the action, References to the
    first and the last; none for the first one (it starts the thread)."""
    if not notification.action_id:
        return {}
    sent = lookups.thread(notification)
    if not sent:
        return {}
    first, last = sent[0], sent[-1]
    return {"In-Reply-To": last, "References": first if first == last else f"{first} {last}"}


def build_message(
    notification: Notification, connection=None, lookups: Lookups | None = None
) -> EmailMultiAlternatives:
    """The e-mail for one row; ``lookups``: what its batch read for it (else read here).
    The caller tells ``lookups.sent(row, message_id)`` once it has left."""
    lookups = lookups if lookups is not None else Lookups()
    with translation.override(notification.language):
        context = _context(notification, lookups)
        name = TEMPLATE_OF[notification.kind]
        headline = _one_line(render_to_string(f"{TEMPLATES}/{name}.subject.txt", context))
        if notification.action_id:
            context["subject"], context["headline"] = thread_subject(notification.action), headline
        else:
            context["subject"], context["headline"] = headline, ""
        text = _tidy(render_to_string(f"{TEMPLATES}/{name}.txt", context))
        html = render_to_string(f"{TEMPLATES}/{name}.html", context)
    headers = {
        "Message-ID": make_msgid(domain=_domain()),
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        **thread_headers(notification, lookups),
    }
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    if notification.kind in WITH_CALENDAR:
        attach_calendar(message, notification, lookups.subject(notification))
    return message


def _one_line(text: str) -> str:
    """The template's lines joined; its no-break spaces (« 14 h 00 », « 5 000 € ») kept."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _tidy(text: str) -> str:
    """Template tags leave blank lines behind: at most one empty line in a row, no trailing
    spaces (but the signature separator's)."""
    text = "\n".join(line if line == "-- " else line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


# --- context ---------------------------------------------------------------------------------


def _context(notification: Notification, lookups: Lookups) -> dict:
    action = notification.action
    recipient = notification.recipient
    context = {
        "notification": notification,
        "kind": notification.kind,
        "kind_label": label(notification, "kind"),
        "mandatory": notification.kind in MANDATORY_KINDS,
        "digest": notification.kind == Kind.DIGEST,
        "language": translation.get_language(),
        "recipient_name": _name(recipient),
        "is_staff": notification.user_id is not None,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe_url(notification),
        "action": action,
        "project": action.project if action else None,
        "territory": action.project.territory if action else None,
        **staff_links(notification),
    }
    context.update(BUILDERS[notification.kind](notification, lookups))
    return context


def _name(person) -> str:
    if hasattr(person, "get_full_name"):
        return person.get_full_name() or person.get_username()
    return person.full_name


def _must_be_about(notification: Notification, model) -> None:
    if notification.subject_type_id != ContentType.objects.get_for_model(model).pk:
        raise ValueError(f"notification {notification.pk} is not about a {model.__name__}")


def business_days_left(deadline, today) -> int:
    """Business days after ``today`` up to the deadline included."""
    count, day = 0, today
    while day < deadline:
        day += datetime.timedelta(days=1)
        count += is_business_day(day)
    return count


def _invitation(notification: Notification, lookups: Lookups) -> dict:
    role = lookups.role(notification)
    action = notification.action
    deadline = action.consultation_deadline
    today = max(timezone.localdate(notification.due_at), timezone.localdate())
    return {
        "role": role,
        "organisation": role.organisation,
        "social_worker": role.action.social_worker,
        "link": personal_link(role),
        "changes": amended_fields(notification) if notification.kind == Kind.INVITATION else [],
        "after_refusal": (notification.details or {}).get("answer") == "declined",
        "deadline": deadline,
        "days_left": business_days_left(deadline, today) if deadline else None,
    }


def _answer_received(notification: Notification, lookups: Lookups) -> dict:
    _must_be_about(notification, RoleAssignment)
    roles = lookups.action_roles(notification)
    role = lookups.role(notification)  # read with them, even if withdrawn since
    decision = notification.answer
    return {
        "role": role,
        "organisation": role.organisation,
        "decision": decision,
        "decision_label": RoleState(decision).label if decision in RoleState.values else "",
        "answered_at": role.responded_at or notification.created_at,
        "comment": role.response_comment if role.state == decision else "",
        "waiting": [r for r in roles if r.state in WAITING],
        "to_settle": [r for r in roles if r.state in TO_SETTLE and r.pk != role.pk],
    }


def _consultation(notification: Notification, lookups: Lookups) -> dict:
    roles = lookups.action_roles(notification)
    return {
        "accepted": [r for r in roles if r.state == RoleState.ACCEPTED],
        "waiting": [r for r in roles if r.state in WAITING],
        "to_settle": [r for r in roles if r.state in TO_SETTLE],
        "deadline": notification.action.consultation_deadline,
    }


def _digest(notification: Notification, lookups: Lookups) -> dict:
    items = lookups.digest_items(notification)
    territories = group_items(items)
    staff = notification.user_id is not None  # a partner's digest links no staff page
    for territory in territories:
        for group in territory["actions"]:
            group["url"] = action_page(group["action"]) if staff and group["action"] else ""
    return {"items": items, "territories": territories, "day": _digest_day(notification)}


def _digest_day(notification: Notification) -> datetime.date:
    return notification.date or timezone.localdate(notification.due_at)


def _webhook_disabled(notification: Notification, lookups: Lookups) -> dict:
    """To the administrator of a webhook switched off after days of failures."""
    endpoint = lookups.subject(notification)
    return {
        "url": str(endpoint) if endpoint is not None else "",
        "days": settings.WEBHOOK_DISABLE_AFTER_DAYS,
        # the product's page (administrators), not the Django admin they may not enter
        "link": staff_page("web:webhook_detail", notification.subject_id),
    }


BUILDERS = {
    Kind.INVITATION: _invitation,
    Kind.REMINDER: _invitation,
    Kind.ANSWER_RECEIVED: _answer_received,
    Kind.ESCALATION: _consultation,
    Kind.CONSULTATION_COMPLETE: _consultation,
    Kind.DIGEST: _digest,
    Kind.BOARD_DECISION: decision_context,
    Kind.REPORT_REQUESTED: evaluation_context,
    Kind.EVALUATION_DUE: evaluation_context,
    Kind.EVALUATION_OVERDUE: evaluation_context,
    Kind.ROLE_WITHDRAWN: partner_notice_context,
    Kind.CONSULTATION_REVISED: partner_notice_context,
    Kind.ACTION_WITHDRAWN: partner_notice_context,
    **BOARD_BUILDERS,
    Kind.CONVOCATION: convocation_context,
    Kind.ATTENDANCE_REMINDER: convocation_context,
    Kind.WEBHOOK_DISABLED: _webhook_disabled,
}
