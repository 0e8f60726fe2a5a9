"""The daily digest: planned once per person and day, grouped by territory then action, sent
once; what it lists becomes ``digested``."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.transitions import submit_action
from notifications.delivery.digest import digest_time, plan_digests
from notifications.delivery.sweep import sweep
from notifications.digest_tasks import plan_digests as plan_digests_task
from notifications.models import Kind, Notification, Status
from notifications.planning.preferences import set_preference
from tests import factories
from tests.notifications import (
    DEADLINE,
    PARIS,
    answer,
    at,
    free_port,
    html_of,
    subject_of,
    text_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def local(moment: datetime.datetime) -> tuple[str, str]:
    moment = timezone.localtime(moment)
    return moment.date().isoformat(), moment.time().isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime.datetime(2026, 11, 30, 8, 30), ("2026-11-30", "08:30")),  # Monday, on time
        (datetime.datetime(2026, 11, 30, 7, 0), ("2026-11-30", "08:30")),  # too early
        (datetime.datetime(2026, 11, 30, 11, 0), ("2026-11-30", "11:00")),  # late: now
        (datetime.datetime(2026, 12, 5, 8, 30), ("2026-12-07", "08:30")),  # Saturday: Monday
        (datetime.datetime(2026, 12, 24, 19, 0), ("2026-12-28", "08:30")),  # Christmas Friday
    ],
)
def test_the_digest_leaves_at_half_past_eight_on_business_days(now, expected):
    assert local(digest_time(now.replace(tzinfo=PARIS))) == expected


def open_consultation(action, social_worker, *organisations):
    """Submit ``action`` with one role per organisation; returns the roles, invited."""
    roles = [
        factories.RoleFactory(action=action, organisation=organisation, kind=kind)
        for organisation, kind in zip(organisations, ["pilot", "funder", "host"], strict=False)
    ]
    action.social_worker = social_worker
    action.consultation_deadline = DEADLINE
    action.save()
    submit_action(action, actor=social_worker)
    return roles


@pytest.fixture
def two_territories(monday, make_staff, territory, other_territory):
    """Four actions in two territories, a director who follows both and takes answers and
    completed consultations in the digest; partners have answered."""
    director = make_staff(StaffRole.TERRITORY_MANAGER, territories=[territory, other_territory])
    set_preference(user=director, kind=Kind.ANSWER_RECEIVED, delivery="digest")
    set_preference(user=director, kind=Kind.CONSULTATION_COMPLETE, delivery="digest")
    worker = make_staff(StaffRole.SOCIAL_WORKER, territories=[territory, other_territory])
    projects = {
        place: factories.ProjectFactory(territory=place) for place in (territory, other_territory)
    }
    actions = {
        title: factories.ActionFactory(project=projects[place], title=title)
        for place, title in [
            (other_territory, "Vacances en famille"),
            (territory, "Parents en réseau"),
            (territory, "Accueil des jeunes"),
            (other_territory, "Ateliers numériques"),
        ]
    }
    org = [factories.OrganisationFactory(territories=[territory, other_territory]) for _ in "abc"]
    roles = {
        title: open_consultation(action, worker, *org[:2]) for title, action in actions.items()
    }
    answer(roles["Parents en réseau"][0], "accept")
    answer(roles["Parents en réseau"][1], "accept")  # the consultation completes
    answer(roles["Accueil des jeunes"][0], "decline", "Pas cette année.")
    answer(roles["Vacances en famille"][1], "request_changes", "Le budget ?")
    # (nothing about "Ateliers numériques")
    return director, roles


def parked(director):
    return Notification.objects.filter(user=director, status=Status.IN_DIGEST)


def test_answers_wait_for_the_digest_then_go_once_grouped_by_territory_and_action(
    two_territories, smtp, territory, other_territory
):
    director, roles = two_territories
    sweep()
    assert smtp.to(director.email) == []
    assert parked(director).count() == 5  # four answers, one completed consultation

    assert plan_digests(at(1, minute=30)) == 1
    assert plan_digests(at(1, minute=30)) == 0  # the second run plans nothing more
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert digest.user == director and digest.date == datetime.date(2026, 12, 1)
    assert local(digest.due_at) == ("2026-12-01", "08:30")

    sweep(now=at(1))
    [message] = smtp.to(director.email)
    assert (
        subject_of(message)
        == "Récapitulatif du mardi 1er décembre 2026 : 5 nouvelles sur vos actions"
    )
    text = text_of(message)
    # Territories by name (Gier-Ondaine-Pilat, Roannais), actions by title within each.
    order = [
        f"== {territory.name} ==",
        "Accueil des jeunes",
        f"{roles['Accueil des jeunes'][0].organisation.name} refuse son rôle « pilote »",
        "« Pas cette année. »",
        "Parents en réseau",
        "Consultation terminée",
        f"== {other_territory.name} ==",
        "Vacances en famille",
        "demande des modifications de son rôle « financeur »",
        "« Le budget ? »",
    ]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)
    assert "Ateliers numériques" not in text
    action = roles["Parents en réseau"][0].action
    assert f"{django_settings.SITE_URL}/actions/{action.pk}/" in html_of(message)  # staff page
    assert "In-Reply-To" not in message  # about no single action
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    digest.refresh_from_db()
    assert digest.status == Status.SENT
    assert not parked(director).exists()
    digested = Notification.objects.filter(user=director, status=Status.DIGESTED)
    assert digested.count() == 5
    assert set(digested.values_list("message_id", flat=True)) == {digest.message_id}

    # Sent once: nothing more to send, nothing more to plan.
    assert sweep(now=at(2)).sent == 0
    assert plan_digests(at(2)) == 0
    assert len(smtp.to(director.email)) == 1


def test_a_digest_not_yet_sent_is_not_doubled_the_next_day(two_territories, settings):
    director, _roles = two_territories
    sweep()
    assert plan_digests(at(1)) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # SMTP down
    sweep(now=at(1))
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert (digest.status, digest.attempts) == (Status.PLANNED, 1)  # it waits for SMTP...
    assert parked(director).count() == 5  # ...and its items stay parked for it
    assert plan_digests(at(2)) == 0  # no second digest while the first waits
    assert Notification.objects.filter(kind=Kind.DIGEST).count() == 1


def test_a_digest_that_failed_for_good_leaves_its_items_for_the_next(two_territories):
    sweep()
    plan_digests(at(1))
    Notification.objects.filter(kind=Kind.DIGEST).update(status=Status.FAILED)
    assert plan_digests(at(2)) == 1
    assert Notification.objects.get(kind=Kind.DIGEST, status=Status.PLANNED).date == datetime.date(
        2026, 12, 2
    )


def test_nobody_with_nothing_parked_gets_a_digest(monday, action, pilot, social_worker):
    action.social_worker = social_worker
    action.save()
    submit_action(action, actor=social_worker)
    sweep()
    assert plan_digests() == 0
    assert not Notification.objects.filter(kind=Kind.DIGEST).exists()


def test_the_beat_task_plans_the_digests(two_territories):
    sweep()
    assert plan_digests_task.apply().get() == {"planned": 1}
