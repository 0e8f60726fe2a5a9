"""The action and role state machines as tables: no database involved."""

import pytest
from django_fsm import TransitionNotAllowed, can_proceed

from backend.accounts.models import StaffRole, User
from backend.accounts.permissions import StaffPermission
from backend.actions.machine import ActionState
from backend.actions.models import Action, RoleAssignment
from backend.actions.role_machine import RoleState
from backend.territories.models import TerritoryProject
from workflows.engine import transitions_of

ACTION_TABLE = {
    "submit": {"draft": "consultation"},
    "revise": {"consultation": "draft"},
    "complete_consultation": {"consultation": "ready_for_board"},
    "schedule": {"ready_for_board": "scheduled"},
    "unschedule": {"scheduled": "ready_for_board"},
    "approve": {"scheduled": "approved"},
    "reject": {"scheduled": "rejected"},
    "defer": {"scheduled": "ready_for_board"},
    "start": {"approved": "in_progress"},
    "evaluate": {"in_progress": "evaluation"},
    "close": {"evaluation": "closed"},
    "withdraw": {
        "draft": "withdrawn",
        "consultation": "withdrawn",
        "ready_for_board": "withdrawn",
        "approved": "withdrawn",
        "in_progress": "withdrawn",
    },
}

ROLE_TABLE = {
    "invite": {"proposed": "invited", "changes_requested": "invited", "declined": "invited"},
    "accept": {"invited": "accepted"},
    "decline": {"invited": "declined"},
    "request_changes": {"invited": "changes_requested"},
    "withdraw_invitation": {"invited": "proposed", "changes_requested": "proposed"},
    "withdraw": {
        "proposed": "withdrawn",
        "invited": "withdrawn",
        "accepted": "withdrawn",
        "declined": "withdrawn",
        "changes_requested": "withdrawn",
    },
}


def as_table(model):
    return {
        name: {source: t.target for source, t in by_source.items()}
        for name, by_source in transitions_of(model).items()
    }


def test_action_states_are_the_contract():
    assert [s.value for s in ActionState] == [
        "draft",
        "consultation",
        "ready_for_board",
        "scheduled",
        "approved",
        "in_progress",
        "evaluation",
        "closed",
        "rejected",
        "withdrawn",
    ]


def test_role_states_are_the_contract():
    assert {s.value for s in RoleState} == {
        "proposed",
        "invited",
        "accepted",
        "declined",
        "changes_requested",
        "withdrawn",
    }


def test_action_transition_table():
    assert as_table(Action) == ACTION_TABLE


def test_role_transition_table():
    assert as_table(RoleAssignment) == ROLE_TABLE


@pytest.mark.parametrize("state", [s.value for s in ActionState])
@pytest.mark.parametrize("name", sorted(ACTION_TABLE))
def test_action_transition_possible_only_from_its_sources(state, name):
    action = Action(state=state)
    expected = state in ACTION_TABLE[name]
    assert can_proceed(getattr(action, name), check_conditions=False) is expected


@pytest.mark.parametrize("state", [s.value for s in RoleState])
@pytest.mark.parametrize("name", sorted(ROLE_TABLE))
def test_role_transition_possible_only_from_its_sources(state, name):
    role = RoleAssignment(state=state)
    assert can_proceed(getattr(role, name), check_conditions=False) is (state in ROLE_TABLE[name])


def test_closed_rejected_and_withdrawn_are_final():
    for state in ("closed", "rejected", "withdrawn"):
        action = Action(state=state)
        assert not [
            name
            for name in ACTION_TABLE
            if can_proceed(getattr(action, name), check_conditions=False)
        ]


def test_firing_without_guards_changes_the_state_in_memory():
    action = Action(state="consultation")
    action.revise()
    assert action.state == "draft"
    approved = Action(state="approved")
    approved.start()
    approved.evaluate()
    assert approved.state == "evaluation"


def test_firing_from_a_wrong_state_is_refused():
    action = Action(state="draft")
    with pytest.raises(TransitionNotAllowed):
        action.start()
    assert action.state == "draft"


def test_state_cannot_be_assigned_directly():
    action = Action(state="draft")
    with pytest.raises(AttributeError):
        action.state = "approved"


def _user(role, territory_ids=(), superuser=False):
    user = User(username="x", role=role, is_superuser=superuser, is_active=True)
    user._territory_ids = set(territory_ids)
    return user


@pytest.mark.parametrize(
    ("role", "territories", "allowed"),
    [
        (StaffRole.SOCIAL_WORKER, {7}, True),
        (StaffRole.TERRITORY_MANAGER, {7}, True),
        (StaffRole.SOCIAL_WORKER, {8}, False),  # another territory
        (StaffRole.BOARD_SECRETARY, {7}, False),  # not this role
        (StaffRole.DIRECTOR, set(), True),  # every territory
        (StaffRole.ADMIN, set(), True),
        ("", {7}, False),  # not staff
    ],
)
def test_staff_permission_by_role_and_territory(role, territories, allowed):
    action = Action(state="draft", project=TerritoryProject(territory_id=7))
    permission = StaffPermission(StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)
    assert permission(action, _user(role, territories)) is allowed
    assert (permission.refusal(action, _user(role, territories)) is None) is allowed


def test_only_automatic_transitions_run_without_a_user():
    action = Action(state="consultation", project=TerritoryProject(territory_id=7))
    assert StaffPermission(StaffRole.SOCIAL_WORKER, automatic=True)(action, None)
    assert not StaffPermission(StaffRole.SOCIAL_WORKER)(action, None)
