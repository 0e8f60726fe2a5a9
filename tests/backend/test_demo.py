"""The ``load_demo`` command: the Loire demo data, its history, and idempotence."""

import io
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from backend.accounts.models import StaffRole, User
from backend.actions.models import Action, RoleAssignment, RoleState
from backend.board.models import BoardSession, BoardSessionState
from backend.demo import data
from backend.partners.models import Contact, ContactCategory, Organisation
from backend.territories.models import FindingKind, Territory, TerritoryProject
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db

# How many transitions take a new action to each state (submit, complete_consultation,
# schedule, approve, start), written out independently of the loader.
ACTION_TRANSITIONS_TO = {
    "draft": 0,
    "consultation": 1,
    "ready_for_board": 2,
    "scheduled": 3,
    "approved": 4,
    "in_progress": 5,
}
TERRITORIES = {
    "forez-montbrisonnais": "Forez-Montbrisonnais",
    "gier-ondaine-pilat": "Gier-Ondaine-Pilat",
    "roannais": "Roannais",
    "saint-etienne-couronne": "Saint-Etienne et sa couronne",
}


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hashing the eleven demo passwords with PBKDF2 would dominate every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def output():
    return load_demo()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_four_territories_with_their_2026_project(output):
    assert dict(Territory.objects.values_list("slug", "name")) == TERRITORIES
    projects = TerritoryProject.objects.filter(year=2026).select_related("diagnostic")
    assert sorted(p.territory.slug for p in projects) == sorted(TERRITORIES)
    for project in projects:
        kinds = Counter(project.diagnostic.findings.values_list("kind", flat=True))
        assert project.diagnostic.summary
        assert kinds[FindingKind.RESOURCE] >= 1 and kinds[FindingKind.NEED] >= 1
        assert 2 <= project.axes.count() <= 3
        assert project.territory.communes.count() >= 3


def test_the_four_actions_of_the_context(output):
    places = {
        "42304": (None, "forez-montbrisonnais"),  # Sury-le-Comtal
        "42207": ("Saint-Julien", "gier-ondaine-pilat"),  # Saint-Chamond
        "42187": ("Mulsant", "roannais"),  # Roanne
        "42189": (None, "saint-etienne-couronne"),  # Roche-la-Molière
    }
    for insee_code, (neighbourhood, slug) in places.items():
        action = Action.objects.get(commune__insee_code=insee_code)
        assert action.project.territory.slug == slug
        if neighbourhood:
            assert action.neighbourhood.name == neighbourhood
            assert action.neighbourhood.priority_area
        assert action.findings.exists()
        assert action.budget > 0
        assert action.planned_start < action.planned_end
        assert action.roles.filter(kind="pilot").count() == 1


def test_actions_in_every_state_of_the_demo(output):
    states = set(Action.objects.values_list("state", flat=True))
    assert len(states) >= 5
    assert {"draft", "consultation", "ready_for_board", "scheduled"} <= states
    assert states & {"approved", "in_progress"}


def test_consultation_has_accepted_and_pending_roles_before_its_deadline(output):
    for action in Action.objects.filter(state="consultation"):
        role_states = set(action.roles.values_list("state", flat=True))
        assert RoleState.ACCEPTED in role_states
        assert RoleState.INVITED in role_states
        assert action.consultation_deadline > timezone.localdate()


def test_board_sessions_hold_the_scheduled_and_decided_actions(output):
    """The scheduled actions sit on today's session, agenda published (the secretary can hold
    it now); the decided ones were approved at the session already held, with a decision."""
    from backend.board.models import BoardDecision

    for action in Action.objects.filter(state="scheduled"):
        session = action.board_session
        assert session.state == BoardSessionState.AGENDA_PUBLISHED
        assert timezone.localdate(session.date) == timezone.localdate()
        assert session.agenda_items.filter(action=action).exists()
    for action in Action.objects.filter(state__in=["approved", "in_progress"]):
        assert action.board_session.state == BoardSessionState.HELD
        assert action.board_session.date < timezone.now()
        assert BoardDecision.objects.get(action=action).outcome == "approved"
    assert BoardSession.objects.filter(state=BoardSessionState.PLANNED).exists()  # for scheduling


def test_an_action_in_progress_has_its_evaluation_reported(output):
    reported = Action.objects.get(state="in_progress").evaluation
    assert reported.state == "submitted"
    assert all(indicator.result is not None for indicator in reported.indicators.all())


def test_roles_are_shared_described_and_in_the_action_territory(output):
    roles = RoleAssignment.objects.select_related("action__project", "organisation")
    shared = Counter((role.action_id, role.kind) for role in roles)
    assert max(shared.values()) >= 2
    assert {"pilot", "co_pilot", "funder", "contributor", "host", "consulted"} <= {
        role.kind for role in roles
    }
    for role in roles:
        assert role.description
        assert role.contact.organisation_id == role.organisation_id
        assert role.organisation.territories.filter(pk=role.action.project.territory_id).exists()
    assert roles.exclude(financial_commitment=None).exists()
    assert roles.exclude(time_commitment="").exists()
    assert roles.exclude(venue="").exists()


def test_partners_cover_every_contact_category_on_example_addresses(output):
    categories = set(Contact.objects.values_list("category", flat=True))
    assert {
        ContactCategory.ELECTED_OFFICIAL,
        ContactCategory.TECHNICIAN,
        ContactCategory.ASSOCIATION,
        ContactCategory.RESIDENT,
        ContactCategory.CAF_STAFF,
    } <= categories
    emails = [
        *Contact.objects.values_list("email", flat=True),
        *Organisation.objects.exclude(email="").values_list("email", flat=True),
        *User.objects.values_list("email", flat=True),
    ]
    assert all(email.rsplit("@", 1)[1].endswith(".example") for email in emails)
    assert Organisation.objects.filter(name="CAF de la Loire", kind="caf").exists()


def test_a_staff_account_for_every_role_with_the_demo_password(output):
    assert set(User.objects.values_list("role", flat=True)) == set(StaffRole.values)
    validate_password(data.DEMO_PASSWORD, user=User(username="admin"))
    for spec in data.STAFF:  # a sign-in always comes with its request (the lock-out reads it)
        request = RequestFactory().post("/connexion/")
        assert authenticate(request, username=spec["username"], password=data.DEMO_PASSWORD)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert User.objects.get(username="direction").is_staff
    secretary = User.objects.get(username="secretariat")
    assert secretary.territories.count() == 4
    for slug in TERRITORIES:
        for role in (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER):
            assert User.objects.filter(role=role, territories__slug=slug).exists()


def test_every_state_change_is_in_the_transition_log(output):
    action_type = ContentType.objects.get_for_model(Action)
    role_type = ContentType.objects.get_for_model(RoleAssignment)
    expected_actions = sum(ACTION_TRANSITIONS_TO[spec["state"]] for spec in data.ACTIONS)
    expected_roles = sum(
        len(spec["roles"]) + sum(1 for role in spec["roles"] if role.get("answer", "accept"))
        for spec in data.ACTIONS
        if spec["state"] != "draft"
    )
    logs = TransitionLog.objects.all()
    assert logs.filter(subject_type=action_type).count() == expected_actions
    assert logs.filter(subject_type=role_type).count() == expected_roles
    for action in Action.objects.all():
        history = list(logs.filter(subject_type=action_type, subject_id=action.pk))
        assert len(history) == ACTION_TRANSITIONS_TO[action.state]
        if history:
            assert history[-1].target == action.state
    staff_logs = logs.filter(subject_type=action_type, automatic=False)
    assert not staff_logs.filter(actor=None).exists()


def test_a_second_run_creates_nothing_and_prints_the_accounts(output):
    before = row_counts()
    states = dict(Action.objects.values_list("title", "state"))
    again = load_demo()
    assert row_counts() == before
    assert dict(Action.objects.values_list("title", "state")) == states
    assert "rien de nouveau" in again
    for text in (output, again):
        assert data.DEMO_PASSWORD in text
        for spec in data.STAFF:
            assert spec["username"] in text


def test_the_demo_prints_working_links_for_the_partners_still_to_answer(output):
    import re

    from backend.actions.links import role_for_token

    tokens = re.findall(r"/respond/([^/\s]+)/", output)
    pending = RoleAssignment.objects.filter(
        state=RoleState.INVITED, action__state="consultation"
    ).count()
    assert pending and len(tokens) == pending
    assert {role_for_token(token).state for token in tokens} == {RoleState.INVITED}
