"""Failed deliveries as the pages show them: an address refused for good (a permanent SMTP
failure) leaves a partner's role waiting in silence unless staff see it. The action page shows
its failures, one entry per address (who, which address, what the server said, when), with
the form that corrects a contact's address and sends again; the dashboard lists them for the
caller's territories."""

import re
from dataclasses import dataclass, field

from backend.partners.policy import can_change_organisation
from notifications.models import Notification, Status

# What smtplib's refusal looks like once stored: "SMTPRecipientsRefused: {'a@b': (550,
# b'5.1.1 <a@b>: Recipient address rejected')}" or "SMTPDataError: (554, b'…')".
SMTP_REPLY = re.compile(r"\((\d{3}), b?(['\"])(.*?)\2\)")


def server_said(last_error: str) -> str:
    """The SMTP server's reply (code and text) in a stored error, else the error itself."""
    match = SMTP_REPLY.search(last_error)
    return f"{match.group(1)} {match.group(3)}" if match else last_error


@dataclass
class Failure:
    """The failed messages to one address: who, which address, what the server said last and
    when it was tried last (the rows, most recent first)."""

    email: str
    contact: object = None
    user: object = None
    rows: list = field(default_factory=list)
    may_correct: bool = False

    @property
    def latest(self) -> Notification:
        return self.rows[0]

    @property
    def server_said(self) -> str:
        return server_said(self.latest.last_error)

    @property
    def tried_at(self):
        return self.latest.claimed_at or self.latest.due_at


def failures_of(notifications: list[Notification], user) -> list[Failure]:
    """The failures among an action's notifications (loaded with their recipients and the
    contacts' organisations), one per recipient and address."""
    failed = [n for n in notifications if n.status == Status.FAILED]
    failed.sort(key=lambda n: n.claimed_at or n.due_at, reverse=True)
    grouped: dict[tuple, Failure] = {}
    for row in failed:
        key = (row.recipient_key, row.email)
        if key not in grouped:
            grouped[key] = Failure(email=row.email, contact=row.contact, user=row.user)
            if row.contact is not None:
                grouped[key].may_correct = can_change_organisation(user, row.contact.organisation)
        grouped[key].rows.append(row)
    return list(grouped.values())


def failed_for(actions):
    """The failed messages about ``actions`` (a scoped queryset), most recent first."""
    return (
        Notification.objects.filter(status=Status.FAILED, action__in=actions.values("pk"))
        .select_related("contact__organisation", "user", "action__project__territory")
        .order_by("-claimed_at", "-id")
    )
