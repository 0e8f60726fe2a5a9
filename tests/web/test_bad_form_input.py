"""What a page does with input no form should send: a null character (PostgreSQL cannot store
one), a text beyond the API's limit, a date outside 2000-2100. Never a 500, nothing stored,
and the error said next to its field (or as a message, for a button's comment)."""

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from backend.actions.links import token_for
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from backend.board.models import AgendaItem, BoardDecision
from backend.evaluations.links import report_link
from backend.evaluations.models import Evaluation
from tests import factories
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]

NUL = "Nous refusons\x00 ce rôle."
NUL_ERROR = "Le caractère nul n\u2019est pas autorisé."  # Django's, in French
DATE_ERROR = "Indiquez une date entre le 01/01/2000 et le 31/12/2100."
INDICATORS = [{"label": "Familles parties en vacances", "target": 12, "unit": "familles"}]


def text(response) -> str:
    return unescape(response.content.decode())


def posted(client, url, data):
    """The answer to a POST; a server error is an answer (500), not an exception."""
    client.raise_request_exception = False
    return client.post(url, data)


@pytest.fixture
def invited(action, pilot, social_worker):
    """The pilot role, invited: the action's consultation is open."""
    submit_action(action, actor=social_worker)
    return RoleAssignment.objects.get(pk=pilot.pk)


@pytest.fixture
def evaluation(started_evaluation):
    """An approved, started action whose evaluation plan has one indicator."""
    return started_evaluation(INDICATORS)


def result_field(evaluation) -> str:
    return f"result-{evaluation.indicators.get().pk}"


def assert_not_reported(evaluation):
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    assert not evaluation.report_submitted
    assert evaluation.indicators.get().result is None


# --- the partner pages (no account) ------------------------------------------------------------


def test_a_null_character_in_an_answer_is_refused_and_nothing_is_stored(client, invited):
    response = posted(
        client, f"/respond/{token_for(invited)}/", {"decision": "decline", "comment": NUL}
    )
    assert response.status_code == 400
    assert NUL_ERROR in text(response)
    invited.refresh_from_db()
    assert invited.state == "invited" and invited.response_comment == ""
    assert not TransitionLog.objects.filter(transition="decline").exists()


def test_an_answer_longer_than_the_api_accepts_is_refused_with_the_limit(client, invited):
    response = posted(
        client,
        f"/respond/{token_for(invited)}/",
        {"decision": "request_changes", "comment": "x" * 200_000},
    )
    assert response.status_code == 400
    assert "10000 caractères au plus (vous en avez écrit 200000)." in text(response)
    assert 'id="comment-error"' in text(response)
    invited.refresh_from_db()
    assert invited.state == "invited" and invited.response_comment == ""


def test_a_null_character_in_a_partner_report_is_refused(client, evaluation):
    url = "/" + report_link(evaluation).split("/", 3)[3]
    response = posted(client, url, {result_field(evaluation): "12", "what_worked": NUL})
    assert response.status_code == 400
    assert NUL_ERROR in text(response)
    assert_not_reported(evaluation)


def test_a_huge_number_of_participants_is_refused_not_a_crash(client, evaluation):
    url = "/" + report_link(evaluation).split("/", 3)[3]
    response = posted(client, url, {result_field(evaluation): "12", "participants": "9" * 5000})
    assert response.status_code == 400
    assert "Ce nombre est trop grand." in text(response)
    assert_not_reported(evaluation)


# --- the staff pages ---------------------------------------------------------------------------


def test_a_null_character_in_a_role_s_withdrawal_is_refused(
    page_client, social_worker, action, pilot
):
    url = reverse("web:role_withdraw", args=[action.pk, pilot.pk])
    client = page_client(social_worker)
    response = posted(client, url, {"comment": NUL})
    assert response.status_code == 303
    assert NUL_ERROR in text(client.get(response["Location"]))
    assert RoleAssignment.objects.get(pk=pilot.pk).state != "withdrawn"


def test_a_null_character_in_an_action_s_withdrawal_is_refused(page_client, social_worker, action):
    url = reverse("web:action_transition", args=[action.pk, "withdraw"])
    client = page_client(social_worker)
    response = posted(client, url, {"comment": NUL})
    assert response.status_code == 303
    assert NUL_ERROR in text(client.get(response["Location"]))
    assert Action.objects.get(pk=action.pk).state == "draft"
    assert not TransitionLog.objects.filter(transition="withdraw").exists()


def test_a_null_character_in_an_evaluation_plan_is_refused(page_client, social_worker, evaluation):
    url = reverse("web:evaluation_plan", args=[evaluation.pk])
    response = posted(
        page_client(social_worker),
        url,
        {
            "due_date": "30/06/2027",
            "rows": "1",
            "indicator-0-label": NUL,
            "indicator-0-target": "3",
        },
    )
    assert response.status_code == 400
    assert NUL_ERROR in text(response)
    assert list(evaluation.indicators.values_list("label", flat=True)) == [INDICATORS[0]["label"]]


def test_a_null_character_in_an_evaluation_report_is_refused(
    page_client, social_worker, evaluation
):
    url = reverse("web:evaluation_report", args=[evaluation.pk])
    response = posted(
        page_client(social_worker), url, {result_field(evaluation): "12", "summary": NUL}
    )
    assert response.status_code == 400
    assert NUL_ERROR in text(response)
    assert_not_reported(evaluation)


def test_a_null_character_in_a_board_decision_is_refused(page_client, secretary, project):
    held = factories.BoardSessionFactory(state="held", date=timezone.now())
    action = factories.ActionFactory(project=project, title="Saint-Julien")
    Action.objects.filter(pk=action.pk).update(state="scheduled", board_session=held)
    item = AgendaItem.objects.create(session=held, action=action, position=1)
    prefix = f"point-{item.pk}"
    response = posted(
        page_client(secretary),
        f"/conseil/{held.pk}/decisions/",
        {
            f"{prefix}-outcome": "approved_with_conditions",
            f"{prefix}-reference": "2027\x00-001",
            f"{prefix}-conditions": NUL,
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert NUL_ERROR in html
    assert f'id="{prefix}-reference-error"' in html
    assert f'id="{prefix}-conditions-error"' in html
    assert not BoardDecision.objects.exists()
    assert Action.objects.get(pk=action.pk).state == "scheduled"


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field", ["consultation_deadline", "planned_start", "planned_end"], ids=str
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_action_s_absurd_date_is_refused_next_to_its_field(
    page_client, social_worker, action, field, day
):
    url = reverse("web:action_edit", args=[action.pk])
    data = {"title": action.title, "summary": action.summary, field: day}
    response = posted(page_client(social_worker), url, data)
    assert response.status_code == 400
    html = text(response)
    assert DATE_ERROR in html
    assert f'id="id_{field}-error"' in html or f'aria-describedby="id_{field}' in html
    action.refresh_from_db()
    assert getattr(action, field) != datetime.date.fromisoformat(day)


@pytest.mark.parametrize("day", ["31/12/9999", "0001-01-01"])
def test_an_evaluation_s_absurd_due_date_is_refused(page_client, social_worker, evaluation, day):
    url = reverse("web:evaluation_plan", args=[evaluation.pk])
    response = posted(page_client(social_worker), url, {"due_date": day, "rows": "0"})
    assert response.status_code == 400
    assert DATE_ERROR in text(response)
    assert Evaluation.objects.get(pk=evaluation.pk).due_date == evaluation.due_date


def test_a_board_session_in_year_9999_is_refused(page_client, secretary):
    response = posted(
        page_client(secretary),
        "/conseil/",
        {"date": "9999-12-31T14:00", "title": "Conseil", "location": "Saint-Étienne"},
    )
    assert response.status_code == 400
    assert DATE_ERROR in text(response)


# --- the filters of the lists (GET forms) ------------------------------------------------------


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000])
def test_an_id_filter_that_is_not_a_number_is_ignored(page_client, social_worker, action, value):
    """« ² » passes str.isdigit() but not int(); 5,000 digits pass neither int()'s limit."""
    client = page_client(social_worker)
    client.raise_request_exception = False
    dashboard = client.get(reverse("web:dashboard"), {"project": value})
    assert dashboard.status_code == 200
    contacts = client.get(reverse("web:role_contacts", args=[action.pk]), {"organisation": value})
    assert contacts.status_code == 200


@pytest.mark.parametrize("query", [{"annee": "\u00b2"}, {"territoire": "gier\x00ondaine"}])
def test_a_project_filter_that_is_not_one_is_ignored(page_client, social_worker, project, query):
    client = page_client(social_worker)
    client.raise_request_exception = False
    response = client.get(reverse("web:project_list"), query)
    assert response.status_code == 200
    assert project.title in text(response)
