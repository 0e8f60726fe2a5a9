"""The evaluation page: the plan, editing it, the report (French numbers, all or nothing), the
territory manager's validation, and the way back to the action, which may then be closed."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.accounts.models import StaffRole
from backend.actions.transitions import evaluate_action
from backend.evaluations.models import Evaluation
from backend.evaluations.reports import update_plan
from backend.evaluations.transitions import validate_evaluation

pytestmark = pytest.mark.django_db

INDICATORS = [
    {"label": "Familles parties en vacances", "baseline": 0, "target": 12, "unit": "familles"},
    {"label": "Rencontres du groupe de parents", "target": 8, "unit": "séances"},
]


@pytest.fixture
def evaluation(started_evaluation):
    """An approved, started action whose evaluation plan has two indicators."""
    return started_evaluation(INDICATORS)


def text(response) -> str:
    return unescape(response.content.decode())


def url(evaluation, name="web:evaluation_detail"):
    return reverse(name, args=[evaluation.pk])


def results(evaluation, *values):
    ids = [i.pk for i in evaluation.indicators.order_by("position")]
    return {f"result-{pk}": value for pk, value in zip(ids, values, strict=True)}


def test_the_page_shows_the_action_the_state_the_due_date_and_the_plan(
    page_client, social_worker, evaluation
):
    response = page_client(social_worker).get(url(evaluation))
    assert response.status_code == 200
    html = text(response)
    assert html.count("<h1>") == 1
    assert f"Évaluation : {evaluation.action.title}" in html
    assert reverse("web:action_detail", args=[evaluation.action_id]) in html
    assert "prévue" in html and "30 juillet 2027" in html
    assert "Familles parties en vacances" in html and "Rencontres du groupe de parents" in html
    assert "séances" in html
    assert 'for="result-' in html  # the report form, one labelled field per indicator
    assert "Modifier le plan" in html


def test_a_social_worker_reports_with_french_numbers(page_client, social_worker, evaluation):
    client = page_client(social_worker)
    body = {
        **results(evaluation, "12,5", "1 250"),
        "participants": "25",
        "residents_involved": "Six parents ont organisé les sorties.",
        "summary": "Une belle année.",
        "what_worked": "Les sorties du samedi.",
        "what_to_change": "",
    }
    response = client.post(url(evaluation, "web:evaluation_report"), body)
    assert response.status_code == 303
    html = text(client.get(response["Location"]))
    assert "Le rapport d'évaluation est remis." in html
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted"
    assert evaluation.participants == 25 and evaluation.summary == "Une belle année."
    assert [i.result for i in evaluation.indicators.order_by("position")] == [
        Decimal("12.5"),
        Decimal("1250"),
    ]
    assert "Six parents ont organisé les sorties." in html
    assert "Remettre le rapport" not in html  # no form any more
    assert "Modifier le plan" not in html and "le plan ne change plus" in html


def test_a_wrong_number_keeps_everything_and_says_where(page_client, social_worker, evaluation):
    client = page_client(social_worker)
    body = {**results(evaluation, "douze", ""), "participants": "vingt", "summary": "Gardé."}
    response = client.post(url(evaluation, "web:evaluation_report"), body)
    assert response.status_code == 400
    html = text(response)
    assert "Le rapport n'est pas encore remis" in html
    assert "Indiquez un nombre, par exemple 12 ou 12,5." in html
    assert "Indiquez le résultat obtenu (un nombre)." in html
    assert "Indiquez un nombre entier de personnes" in html
    assert 'value="douze"' in html and ">Gardé.</textarea>" in html
    assert 'aria-invalid="true"' in html
    evaluation.refresh_from_db()
    assert evaluation.state == "planned"
    assert not evaluation.indicators.filter(result__isnull=False).exists()


def test_a_board_secretary_sees_why_they_cannot_report(page_client, secretary, evaluation):
    client = page_client(secretary)
    html = text(client.get(url(evaluation)))
    assert "Vous ne pouvez pas remettre le rapport pour l'instant." in html
    assert "Votre rôle ne permet pas cette transition" in html
    assert "Seuls les agents du territoire modifient le plan d'évaluation." in html
    for body in (results(evaluation, 1, 2), results(evaluation, "x", "")):
        response = client.post(url(evaluation, "web:evaluation_report"), body)
        assert response.status_code == 303
        assert "Votre rôle ne permet pas cette transition" in text(client.get(response["Location"]))
    evaluation.refresh_from_db()
    assert evaluation.state == "planned"


def test_a_plan_without_indicators_cannot_be_reported(page_client, social_worker, evaluation):
    update_plan(evaluation, user=social_worker, indicators=[])
    html = text(page_client(social_worker).get(url(evaluation)))
    assert "Le plan d'évaluation n'a pas encore d'indicateur." in html
    assert "Remettre le rapport" not in html


def report(client, evaluation):
    return client.post(url(evaluation, "web:evaluation_report"), results(evaluation, "10", "8"))


def test_the_manager_validates_and_is_sent_back_to_the_action(
    page_client, social_worker, manager, evaluation
):
    report(page_client(social_worker), evaluation)
    worker_html = text(page_client(social_worker).get(url(evaluation)))
    assert "réservée à : responsable de territoire" in worker_html  # validate: why not

    client = page_client(manager)
    html = text(client.get(url(evaluation)))
    assert "Valider le rapport" in html
    response = client.post(url(evaluation, "web:evaluation_validate"))
    assert response.status_code == 303
    html = text(client.get(response["Location"]))
    assert "Le rapport d'évaluation est validé. L'action est encore « en cours" in html
    assert "l'action peut être clôturée" not in html  # it cannot, yet
    evaluation.refresh_from_db()
    assert evaluation.state == "validated"
    # the action is still in progress (its due date has not come): closing waits for it
    assert "L'action est encore en cours : passez-la en évaluation depuis sa page" in html
    assert reverse("web:action_detail", args=[evaluation.action_id]) in html

    evaluate_action(evaluation.action, actor=manager)
    html = text(client.get(url(evaluation)))
    assert "L'action peut maintenant être clôturée." in html
    assert "Aller à l'action pour la clôturer" in html


def test_validating_before_the_report_is_refused(page_client, manager, evaluation):
    client = page_client(manager)
    html = text(client.get(url(evaluation)))
    assert "Impossible depuis l'état « prévue »." in html
    response = client.post(url(evaluation, "web:evaluation_validate"), follow=True)
    assert "Impossible depuis l'état « prévue »." in text(response)
    evaluation.refresh_from_db()
    assert evaluation.state == "planned"


# --- the plan ----------------------------------------------------------------------------------


def test_the_plan_is_edited_with_french_numbers(page_client, social_worker, evaluation):
    client = page_client(social_worker)
    response = client.get(url(evaluation, "web:evaluation_plan"))
    assert response.status_code == 200
    html = text(response)
    assert 'value="Familles parties en vacances"' in html and 'value="12"' in html
    assert 'value="30/07/2027"' in html
    body = {
        "rows": "4",
        "due_date": "15/09/2027",
        "indicator-0-label": "Familles parties en vacances",
        "indicator-0-baseline": "0",
        "indicator-0-target": "14,5",
        "indicator-0-unit": "familles",
        # indicator 1 emptied: removed
        "indicator-2-label": "Parents bénévoles",
        "indicator-2-target": "6",
    }
    response = client.post(url(evaluation, "web:evaluation_plan"), body)
    assert response.status_code == 303
    assert "Le plan d'évaluation est enregistré." in text(client.get(response["Location"]))
    evaluation.refresh_from_db()
    assert evaluation.due_date == datetime.date(2027, 9, 15)
    rows = list(evaluation.indicators.order_by("position").values_list("label", "target"))
    assert rows == [("Familles parties en vacances", Decimal("14.5")), ("Parents bénévoles", 6)]


def test_a_bad_plan_is_shown_again_with_its_errors(page_client, social_worker, evaluation):
    client = page_client(social_worker)
    body = {
        "rows": "1",
        "due_date": "bientôt",
        "indicator-0-label": "",
        "indicator-0-target": "beaucoup",
    }
    response = client.post(url(evaluation, "web:evaluation_plan"), body)
    assert response.status_code == 400
    html = text(response)
    assert "Le plan n'est pas encore enregistré" in html
    assert "Indiquez une date, par exemple 30/06/2027." in html
    assert "Donnez l'intitulé de l'indicateur." in html
    assert 'value="beaucoup"' in html
    assert evaluation.indicators.count() == 2  # unchanged


def test_the_plan_is_frozen_once_reported(page_client, social_worker, evaluation):
    client = page_client(social_worker)
    report(client, evaluation)
    html = text(client.get(url(evaluation, "web:evaluation_plan")))
    assert "Le rapport est remis : le plan ne change plus." in html
    assert "Enregistrer le plan" not in html
    body = {"rows": "0", "due_date": "2027-09-15"}
    response = client.post(url(evaluation, "web:evaluation_plan"), body)
    assert response.status_code == 303
    evaluation.refresh_from_db()
    assert evaluation.due_date == datetime.date(2027, 7, 30)


# --- scoping, CSRF, queries ----------------------------------------------------------------


def test_another_territory_s_evaluation_is_not_found(
    page_client, make_staff, evaluation, other_territory
):
    stranger = make_staff(StaffRole.TERRITORY_MANAGER, territories=[other_territory])
    client = page_client(stranger)
    for name in ("web:evaluation_detail", "web:evaluation_plan"):
        assert client.get(url(evaluation, name)).status_code == 404
    assert client.post(url(evaluation, "web:evaluation_validate")).status_code == 404
    assert client.post(url(evaluation, "web:evaluation_report")).status_code == 404


def test_the_forms_need_the_csrf_token(social_worker, evaluation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)
    response = client.post(url(evaluation, "web:evaluation_report"), results(evaluation, 1, 2))
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.state == "planned"


def query_count(client, evaluation) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(evaluation)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("state", ["planned", "validated"])
def test_the_queries_do_not_grow_with_the_indicators(
    page_client, social_worker, manager, evaluation, state
):
    client = page_client(manager)
    if state == "validated":
        report(page_client(social_worker), evaluation)
        validate_evaluation(evaluation, actor=manager)
    client.get(url(evaluation))
    few = query_count(client, evaluation)
    Evaluation.objects.filter(pk=evaluation.pk).update(state="planned")
    many = [{"label": f"Indicateur {n}", "target": n} for n in range(12)]
    update_plan(evaluation, user=social_worker, indicators=many)
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    assert query_count(client, evaluation) == few
