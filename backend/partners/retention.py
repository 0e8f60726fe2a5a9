"""Personal data retention: contacts of actions finished long ago are anonymised.

An action is finished when it is closed, rejected or withdrawn; it ended when its last state
change into that state was logged. A contact is due when every action it holds or held a role
in ended more than ``RETENTION_YEARS`` (5) years ago: a contact still involved in a recent or
running action is kept whole. Anonymising replaces the name, e-mail, phone and position (the
address it was sent notifications at too) and keeps the organisation, the category and every
role fact (kind, commitment, answer, dates). Each anonymised contact leaves a
``ContactAnonymisation`` row, append-only and listed in the admin; a contact that has one is
never taken again, so running the rule twice changes nothing.

The history of the contact's actions keeps what was done, but no longer who: the log rows of
its own answers by link (on its roles, and on the evaluations it reported) are signed with the
anonymised name, the one change the append-only log accepts (``anonymise_actor_label``). What
a partner wrote in a comment is kept as it was written.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, DateTimeField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from backend.actions.models import Action, ActionState, RoleAssignment
from backend.evaluations.models import Evaluation
from backend.partners.models import Contact, ContactAnonymisation
from notifications.models import Notification
from workflows.models import TransitionLog

FINISHED = (ActionState.CLOSED, ActionState.REJECTED, ActionState.WITHDRAWN)
ANONYMOUS_DOMAIN = "anonyme.invalid"  # RFC 2606: never a real address


@dataclass
class RetentionReport:
    cutoff: datetime.datetime
    years: int
    dry_run: bool
    contacts: list[int] = field(default_factory=list)  # the ids anonymised (or due, dry run)

    @property
    def count(self) -> int:
        return len(self.contacts)


# A period is a whole number of years, at least one (0 would anonymise every contact of a
# finished action at once) and at most a century (more is a typo: 3000 years would even go
# back before year 1, which no date can hold).
MIN_YEARS, MAX_YEARS = 1, 100


class RetentionPeriodError(ValueError):
    """A retention period that means nothing (the message says why)."""


def check_years(years: int) -> int:
    if years < MIN_YEARS:
        raise RetentionPeriodError(
            f"The retention period must be at least {MIN_YEARS} year, not {years}: "
            "a cutoff in the present or the future would anonymise contacts too early."
        )
    if years > MAX_YEARS:
        raise RetentionPeriodError(
            f"The retention period must be at most {MAX_YEARS} years, not {years}."
        )
    return years


def retention_cutoff(now: datetime.datetime, years: int) -> datetime.datetime:
    """The same day ``years`` years earlier (28 February for a 29 February)."""
    check_years(years)
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def ended_actions(cutoff: datetime.datetime):
    """Finished actions that ended before ``cutoff``, annotated with ``ended_at``."""
    entered_final_state = (
        TransitionLog.objects.filter(
            subject_type=ContentType.objects.get_for_model(Action),
            subject_id=OuterRef("pk"),
            target=OuterRef("state"),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        Action.objects.filter(state__in=FINISHED)
        .annotate(
            ended_at=Coalesce(
                Subquery(entered_final_state, output_field=DateTimeField()), "updated_at"
            )
        )
        .filter(ended_at__lt=cutoff)
    )


def contacts_due(cutoff: datetime.datetime):
    """Contacts whose every action ended before ``cutoff``, not yet anonymised, annotated with
    how many actions they were in and when the last one ended."""
    ended = ended_actions(cutoff)
    still_involved = (
        RoleAssignment.objects.exclude(action__in=ended.values("pk"))
        .filter(contact__isnull=False)  # a NULL would empty the NOT IN below
        .values("contact_id")
    )
    last_end = (
        ended.filter(roles__contact=OuterRef("pk")).order_by("-ended_at").values("ended_at")[:1]
    )
    return (
        Contact.objects.filter(roles__isnull=False, anonymisation__isnull=True)
        .select_related("organisation")
        .exclude(pk__in=still_involved)
        .annotate(
            actions=Count("roles__action", distinct=True),
            last_action_ended_at=Subquery(last_end, output_field=DateTimeField()),
        )
        .order_by("pk")
    )


def anonymise(contact: Contact, *, years: int) -> ContactAnonymisation:
    """Replace what identifies the person; keep the organisation, category and roles."""
    address = f"anonyme-{contact.pk}@{ANONYMOUS_DOMAIN}"
    Contact.objects.filter(pk=contact.pk).update(
        first_name="Anonyme",
        last_name=f"#{contact.pk}",
        email=address,
        phone="",
        position="",
    )
    Notification.objects.filter(contact_id=contact.pk).update(email=address)
    organisation = contact.organisation.name
    partner_answers(contact.pk).anonymise_actor_label(f"Anonyme #{contact.pk} ({organisation})")
    return ContactAnonymisation.objects.create(
        contact_id=contact.pk,
        last_action_ended_at=contact.last_action_ended_at,
        actions=contact.actions,
        retention_years=years,
    )


def partner_answers(contact_id: int):
    """The log rows the contact signed through its links (no staff author): its answers on its
    roles (accept, decline, ask for changes) and the evaluation reports it sent."""
    roles = RoleAssignment.objects.filter(contact_id=contact_id).values("pk")
    evaluations = Evaluation.objects.filter(reporting_role__contact_id=contact_id).values("pk")
    answers = Q(
        subject_type=ContentType.objects.get_for_model(RoleAssignment),
        subject_id__in=roles,
        automatic=False,
    )
    reports = Q(
        subject_type=ContentType.objects.get_for_model(Evaluation),
        subject_id__in=evaluations,
        transition="submit_report",
    )
    return TransitionLog.objects.filter(answers | reports, actor__isnull=True)


def apply_retention(
    *, now: datetime.datetime | None = None, years: int | None = None, dry_run: bool = False
) -> RetentionReport:
    """Anonymise every contact due (``dry_run``: only say which)."""
    years = settings.RETENTION_YEARS if years is None else years
    cutoff = retention_cutoff(now or timezone.now(), years)
    report = RetentionReport(cutoff=cutoff, years=years, dry_run=dry_run)
    # All or nothing; the one record per contact makes a concurrent run fail, not repeat.
    with transaction.atomic():
        for contact in contacts_due(cutoff):
            if not dry_run:
                anonymise(contact, years=years)
            report.contacts.append(contact.pk)
    return report


__all__ = [
    "FINISHED",
    "MAX_YEARS",
    "MIN_YEARS",
    "RetentionPeriodError",
    "RetentionReport",
    "apply_retention",
    "check_years",
    "contacts_due",
    "ended_actions",
    "partner_answers",
    "retention_cutoff",
]
