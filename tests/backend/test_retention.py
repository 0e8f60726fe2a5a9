"""Personal data retention: ``manage.py anonymise_closed`` anonymises the contacts whose every
action ended more than RETENTION_YEARS (5) years ago, keeps the facts, and leaves a trace."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from backend.actions.consultation import answer_role, responder_label
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from backend.evaluations.models import Evaluation
from backend.partners.models import Contact, ContactAnonymisation
from notifications.models import Notification
from tests import factories
from workflows.models import AppendOnlyError, TransitionLog
from workflows.services import log_transition

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2032, 6, 15, 10, 0, tzinfo=datetime.UTC)


def years_ago(years: float) -> datetime.datetime:
    return TODAY - datetime.timedelta(days=round(365.25 * years))


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def make_action(project, time_machine):
    """An action in ``state``, that entered it ``ended`` (a datetime) or is still running."""

    def make(state: str, ended: datetime.datetime | None = None) -> Action:
        action = factories.ActionFactory(project=project)
        Action.objects.filter(pk=action.pk).update(state=state)
        if ended is not None:
            time_machine.move_to(ended, tick=False)
            log_transition(action, "close", "evaluation", state, actor=None, automatic=True)
            time_machine.move_to(TODAY, tick=False)
        return action

    return make


def role_for(contact, action, kind="pilot") -> RoleAssignment:
    return factories.RoleFactory(
        action=action, organisation=contact.organisation, contact=contact, kind=kind
    )


def run(*args) -> str:
    out = io.StringIO()
    call_command("anonymise_closed", *args, stdout=out)
    return out.getvalue()


def is_anonymised(contact) -> bool:
    contact.refresh_from_db()
    return contact.email.endswith("@anonyme.invalid")


@pytest.mark.parametrize(
    ("actions", "anonymised"),
    [
        ([("closed", 6)], True),
        ([("closed", 4)], False),  # within the five years
        ([("closed", 5.1), ("withdrawn", 7)], True),
        ([("rejected", 8)], True),
        ([("closed", 6), ("in_progress", None)], False),  # still on a running action
        ([("closed", 6), ("closed", 1)], False),  # its last action ended a year ago
        ([("draft", None)], False),  # never finished, however old
        ([], False),  # never on any action
    ],
)
def test_who_is_anonymised(make_action, organisation, actions, anonymised):
    contact = factories.ContactFactory(organisation=organisation)
    for state, years in actions:
        ended = years_ago(years) if years is not None else None
        role_for(contact, make_action(state, ended))
    run()
    assert is_anonymised(contact) is anonymised
    assert ContactAnonymisation.objects.filter(contact=contact).exists() is anonymised


def test_the_person_goes_the_facts_stay(project, organisation, social_worker, time_machine):
    contact = factories.ContactFactory(
        organisation=organisation,
        first_name="Nadia",
        last_name="Berthet",
        email="n.berthet@mairie-saint-chamond.example",
        phone="04 77 31 00 00",
        position="Adjointe aux affaires sociales",
        category="elected_official",
    )
    action = factories.ActionFactory(project=project)
    role = role_for(contact, action)
    submit_action(action, actor=social_worker)  # writes the invitation e-mail
    assert Notification.objects.filter(contact=contact).exists()
    RoleAssignment.objects.filter(pk=role.pk).update(
        state="accepted", response_comment="D'accord pour la salle.", responded_at=years_ago(7)
    )
    Action.objects.filter(pk=action.pk).update(state="closed")
    time_machine.move_to(years_ago(6), tick=False)
    log_transition(action, "close", "evaluation", "closed", actor=social_worker)
    time_machine.move_to(TODAY, tick=False)

    output = run()

    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name) == ("Anonyme", f"#{contact.pk}")
    assert contact.email == f"anonyme-{contact.pk}@anonyme.invalid"
    assert contact.phone == contact.position == ""
    assert contact.organisation == organisation and contact.category == "elected_official"
    role.refresh_from_db()
    assert (role.kind, role.state, role.description) == ("pilot", "accepted", "Pilote l'action.")
    assert role.response_comment == "D'accord pour la salle."
    assert role.responded_at == years_ago(7)
    addresses = set(Notification.objects.filter(contact=contact).values_list("email", flat=True))
    assert addresses == {contact.email}
    record = ContactAnonymisation.objects.get(contact=contact)
    assert (record.actions, record.retention_years) == (1, 5)
    assert record.last_action_ended_at == years_ago(6)
    assert record.anonymised_at == TODAY
    assert "1 contact(s) anonymised" in output


def test_the_history_keeps_what_was_done_but_not_who(
    project, organisation, social_worker, time_machine
):
    """The partner's own answers by link are signed with the anonymised name; the staff's rows,
    the states, the times and the comments stay as they were written."""
    contact = factories.ContactFactory(
        organisation=organisation, first_name="Nadia", last_name="Berthet"
    )
    action = factories.ActionFactory(project=project)
    role = role_for(contact, action)
    evaluation = Evaluation.objects.create(
        action=action, due_date=datetime.date(2026, 1, 15), reporting_role=role
    )
    other = factories.ContactFactory(organisation=organisation, first_name="Rachid")
    other_role = role_for(other, factories.ActionFactory(project=project), kind="funder")
    submit_action(action, actor=social_worker)
    answer_role(role.pk, decision="accept", responder=contact, comment="Nadia sera présente.")
    label = responder_label(role, contact)
    log_transition(  # as a report sent from the personal link is logged
        evaluation, "submit_report", "due", "submitted", actor=None, automatic=True, label=label
    )
    log_transition(other_role, "accept", "invited", "accepted", actor=other, label="Rachid")
    Action.objects.filter(pk=action.pk).update(state="closed")
    time_machine.move_to(years_ago(6), tick=False)
    log_transition(action, "close", "evaluation", "closed", actor=social_worker)
    time_machine.move_to(TODAY, tick=False)
    before = list(TransitionLog.objects.order_by("pk").values())
    assert sum(row["actor_label"] == label for row in before) == 2

    assert "1 contact(s) anonymised" in run()

    after = list(TransitionLog.objects.order_by("pk").values())
    anonymous = f"Anonyme #{contact.pk} ({organisation.name})"
    changed = [
        (b["transition"], a["actor_label"]) for b, a in zip(before, after, strict=True) if a != b
    ]
    assert changed == [("accept", anonymous), ("submit_report", anonymous)]
    for old, new in zip(before, after, strict=True):
        assert {**old, "actor_label": None} == {**new, "actor_label": None}
    assert not any("Berthet" in row["actor_label"] for row in after)
    assert any(row["comment"] == "Nadia sera présente." for row in after)
    assert social_worker.get_full_name() in {row["actor_label"] for row in after}
    assert "Rachid" in {row["actor_label"] for row in after}  # another contact: untouched


def refused(statement: str, *, anonymising: bool) -> bool:
    """Does the database refuse this change of the log, in a transaction of its own?"""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if anonymising:
                cursor.execute("SELECT set_config('workflows.anonymising', 'on', true)")
            cursor.execute(statement)
    except DatabaseError as error:
        assert "append-only" in str(error)
        return True
    return False


def test_the_log_still_refuses_every_other_change(old_contact):
    """Even while a transaction anonymises, the database refuses any change but the label,
    and any deletion; and the label itself only inside such a transaction."""
    run()
    row = TransitionLog.objects.first()
    update = f"UPDATE {TransitionLog._meta.db_table} SET"
    for statement in (
        f"{update} target = 'draft' WHERE id = {row.pk}",
        f"{update} actor_label = 'x', comment = 'x' WHERE id = {row.pk}",
        f"DELETE FROM {TransitionLog._meta.db_table} WHERE id = {row.pk}",
    ):
        assert refused(statement, anonymising=True)
    label = f"{update} actor_label = 'x' WHERE id = {row.pk}"
    assert refused(label, anonymising=False)
    assert not refused(label, anonymising=True)
    with transaction.atomic():
        assert TransitionLog.objects.filter(pk=row.pk).anonymise_actor_label("Anonyme") == 1
    assert refused(label, anonymising=False)  # the permission ended with its transaction
    assert TransitionLog.objects.get(pk=row.pk).actor_label == "Anonyme"


@pytest.fixture
def old_contact(make_action, organisation):
    contact = factories.ContactFactory(organisation=organisation, last_name="Ancien")
    role_for(contact, make_action("closed", years_ago(6)))
    return contact


def test_a_second_run_changes_nothing(old_contact):
    assert "1 contact(s) anonymised" in run()
    first = Contact.objects.values().get(pk=old_contact.pk)
    assert "0 contact(s) anonymised" in run()
    assert Contact.objects.values().get(pk=old_contact.pk) == first
    assert ContactAnonymisation.objects.count() == 1


def test_dry_run_lists_and_changes_nothing(old_contact):
    output = run("--dry-run")
    assert "1 contact(s) would be anonymised" in output
    assert str(old_contact.pk) in output
    assert not is_anonymised(old_contact)
    assert not ContactAnonymisation.objects.exists()


@pytest.mark.parametrize(("years", "anonymised"), [(3, True), (10, False)])
def test_the_period_comes_from_the_settings(old_contact, settings, years, anonymised):
    settings.RETENTION_YEARS = years
    run()
    assert is_anonymised(old_contact) is anonymised


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("-1", "at least 1 year, not -1"),  # a cutoff in the future: every contact due
        ("0", "at least 1 year, not 0"),  # every finished action, however recent
        ("3000", "at most 100 years, not 3000"),  # before year 1: no date holds it
    ],
)
def test_a_meaningless_period_is_refused_with_a_clear_error(old_contact, years, message):
    with pytest.raises(CommandError, match=message):
        run("--years", years)
    assert not is_anonymised(old_contact)


@pytest.mark.parametrize("years", [-1, 0, 3000])
def test_a_meaningless_period_in_the_settings_is_refused_too(old_contact, settings, years):
    settings.RETENTION_YEARS = years
    with pytest.raises(CommandError, match="RETENTION_YEARS"):
        run("--dry-run")
    assert not is_anonymised(old_contact)


def test_the_trace_is_append_only_and_shown_in_the_admin(old_contact, client, admin_user):
    run()
    record = ContactAnonymisation.objects.get()
    record.actions = 99
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    admin_user.is_staff = admin_user.is_superuser = True  # as create_staff makes them
    admin_user.save()
    client.force_login(admin_user)
    page = client.get("/admin/partners/contactanonymisation/")
    assert page.status_code == 200
    assert f"#{old_contact.pk}" in page.content.decode()
    detail = client.get(f"/admin/partners/contactanonymisation/{record.pk}/change/")
    assert detail.status_code == 200  # readable
    assert client.post(f"/admin/partners/contactanonymisation/{record.pk}/delete/").status_code == (
        403
    )
