"""Turning a notification row into an e-mail: French by default, English when the partner
contact prefers it; a plain-text part and an HTML part rendered from one template per kind
(``notifications/emails/<kind>.subject.txt``, ``.txt``, ``.html``; the kinds whose flows are
not built yet share ``generic``).

Headers: a unique Message-ID; In-Reply-To and References name the action's thread, so a mail
client shows every e-mail about one action together; List-Unsubscribe with one-click
unsubscribe (RFC 8058); Auto-Submitted. The rows come from the sweep with their recipient and
action already joined, and what else they need (roles, subjects) is read once for the whole
batch (``notifications.delivery.lookups``): building a batch costs a constant number of
queries. Built alone, an e-mail costs one query; a digest costs two, the agenda's invitation a
few.
"""

import datetime
import re
from email.utils import make_msgid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.actions.links import personal_link
from backend.actions.models import RoleAssignment, RoleState
from backend.core.business_days import is_business_day
from notifications.delivery.digest import group_items
from notifications.delivery.links import action_page, staff_links
from notifications.delivery.lookups import Lookups
from notifications.delivery.unsubscribe import unsubscribe_url
from notifications.models import MANDATORY_KINDS, Kind, Notification
from notifications.templatetags.email_labels import label

TEMPLATES = "notifications/emails"
OWN_TEMPLATES = {
    Kind.INVITATION,
    Kind.REMINDER,
    Kind.ESCALATION,
    Kind.ANSWER_RECEIVED,
    Kind.CONSULTATION_COMPLETE,
    Kind.DIGEST,
}
WAITING = (RoleState.PROPOSED, RoleState.INVITED)
TO_SETTLE = (RoleState.DECLINED, RoleState.CHANGES_REQUESTED)


def _domain() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


def thread_id(notification: Notification) -> str:
    """One thread per action: every e-mail about it refers to the same root id."""
    subject = f"action-{notification.action_id}" if notification.action_id else "caf"
    return f"<{subject}@{_domain()}>"


def build_message(
    notification: Notification, connection=None, lookups: Lookups | None = None
) -> EmailMultiAlternatives:
    """The e-mail for one row; ``lookups``: what its batch read for it (else read here)."""
    lookups = lookups if lookups is not None else Lookups()
    with translation.override(notification.language):
        context = _context(notification, lookups)
        name = notification.kind if notification.kind in OWN_TEMPLATES else "generic"
        subject = render_to_string(f"{TEMPLATES}/{name}.subject.txt", context)
        context["subject"] = " ".join(subject.split())
        text = _tidy(render_to_string(f"{TEMPLATES}/{name}.txt", context))
        html = render_to_string(f"{TEMPLATES}/{name}.html", context)
    headers = {
        "Message-ID": make_msgid(domain=_domain()),
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    }
    if notification.action_id:
        headers["In-Reply-To"] = headers["References"] = thread_id(notification)
    message = EmailMultiAlternatives(
        subject=context["subject"],
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    if notification.kind == Kind.AGENDA_PUBLISHED:
        attach_invitation(message, notification, lookups.subject(notification))
    return message


def attach_invitation(message: EmailMultiAlternatives, notification: Notification, session) -> None:
    """The board session's iCalendar invitation (RFC 5545), as the agenda e-mail's attachment
    (``session`` with its members and invited staff prefetched)."""
    from backend.board.ics import filename, session_ics
    from backend.board.models import BoardSession

    if not isinstance(session, BoardSession):
        raise ValueError(f"notification {notification.pk}: its board session no longer exists")
    viewer = notification.user if notification.user_id else None
    message.attach(
        filename(session), session_ics(session, user=viewer), "text/calendar; method=REQUEST"
    )


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
    context.update(BUILDERS.get(notification.kind, _generic)(notification, lookups))
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


# The kinds whose flows are not built yet: (subject, subject without an action, what happened,
# what to do). ``%(action)s`` is the action's title, ``%(subject)s`` what the row is about,
# ``%(date)s`` its date (a due date, a session's date), if it has one.
GENERIC_TEXTS = {
    Kind.AGENDA_PUBLISHED: (
        gettext_lazy("Ordre du jour publié : %(subject)s"),
        gettext_lazy("Ordre du jour publié : %(subject)s"),
        gettext_lazy("L'ordre du jour de la séance « %(subject)s » est publié."),
        gettext_lazy("Consultez-le pour préparer la séance."),
    ),
    Kind.BOARD_DECISION: (
        gettext_lazy("Décision du conseil sur l'action « %(action)s »"),
        gettext_lazy("Décision du conseil : %(subject)s"),
        gettext_lazy("Le conseil d'administration a rendu sa décision : %(subject)s."),
        gettext_lazy("Prenez connaissance de la décision et de ses éventuelles conditions."),
    ),
    Kind.EVALUATION_DUE: (
        gettext_lazy("Évaluation à remettre le %(date)s : action « %(action)s »"),
        gettext_lazy("Évaluation à remettre le %(date)s : %(subject)s"),
        gettext_lazy("L'évaluation « %(subject)s » est attendue pour le %(date)s."),
        gettext_lazy("Préparez le bilan et les résultats des indicateurs avant cette date."),
    ),
    Kind.EVALUATION_OVERDUE: (
        gettext_lazy("Évaluation en retard : action « %(action)s », attendue le %(date)s"),
        gettext_lazy("Évaluation en retard : %(subject)s, attendue le %(date)s"),
        gettext_lazy("L'évaluation « %(subject)s » était attendue le %(date)s."),
        gettext_lazy("Remettez le bilan dès que possible."),
    ),
}


def _generic(notification: Notification, lookups: Lookups) -> dict:
    subject = lookups.subject(notification)
    action = notification.action
    day = getattr(subject, "due_date", None) or getattr(subject, "date", None)
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    values = {
        "action": _short(action.title) if action else "",
        "subject": _short(str(subject)) if subject is not None else "",
        "date": formats.date_format(day, "j F Y") if day else "",
    }
    texts = GENERIC_TEXTS.get(notification.kind)
    if texts is None or (not day and "%(date)s" in str(texts[0])):
        kind = capfirst(label(notification, "kind"))
        about = values["action"] or values["subject"]
        line = _("%(label)s : %(about)s") % {"label": kind, "about": about} if about else kind
        return {"generic_subject": line, "what": line, "todo": ""}
    with_action, without_action, what, todo = texts
    return {
        "generic_subject": (with_action if action else without_action) % values,
        "what": what % values,
        "todo": str(todo),
    }


def _short(text: str, size: int = 80) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


BUILDERS = {
    Kind.INVITATION: _invitation,
    Kind.REMINDER: _invitation,
    Kind.ANSWER_RECEIVED: _answer_received,
    Kind.ESCALATION: _consultation,
    Kind.CONSULTATION_COMPLETE: _consultation,
    Kind.DIGEST: _digest,
}
