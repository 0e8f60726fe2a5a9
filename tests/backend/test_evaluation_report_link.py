"""The pilot partner reports from its personal link: the page /report/<token>/ and the API
POST /api/v1/evaluations/report/<token>/ (Django test client, real PostgreSQL)."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.test import Client
from django.urls import Resolver404, include, path, resolve

from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import approve_action, start_action
from backend.api.evaluation_link_views import ReportByLinkView
from backend.evaluations.links import (
    ReportLinkError,
    ReportLinkProblem,
    evaluation_for_token,
    report_link,
    revoke_report_link,
    token_for,
)
from backend.evaluations.models import Evaluation
from backend.evaluations.reports import update_plan
from backend.respond import report_page
from backend.web.forms.fields import parse_decimal
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]

API_PATH = "api/v1/evaluations/report/<str:token>/"
# The API route wired here too, so that these tests run before backend/api/urls.py has it;
# test_the_site_serves_both_links checks the site's own URLconf.
urlpatterns = [
    path(API_PATH, ReportByLinkView.as_view(), name="evaluation-report-by-link"),
    path("", include("backend.urls")),
]
with_api = pytest.mark.urls(__name__)

INDICATORS = [
    {"label": "Familles parties en vacances", "baseline": "0", "target": "12", "unit": "familles"},
    {"label": "Rencontres du groupe de parents", "target": "8", "unit": "séances"},
]


@pytest.fixture
def approved(action, pilot, secretary, social_worker):
    Action.objects.filter(pk=action.pk).update(
        title="Vacances en famille",
        state="scheduled",
        planned_end=datetime.date(2027, 6, 30),
        social_worker=social_worker,
    )
    pilot.invite()
    pilot.accept()
    pilot.save()
    action.refresh_from_db()
    return approve_action(action, actor=secretary)


@pytest.fixture
def evaluation(approved, social_worker):
    """A planned evaluation with two indicators, its action in progress."""
    evaluation = Evaluation.objects.get(action=approved)
    update_plan(evaluation, user=social_worker, indicators=INDICATORS)
    start_action(approved, actor=social_worker)
    return Evaluation.objects.get(pk=evaluation.pk)


def page_url(evaluation) -> str:
    return "/" + report_link(evaluation).split("/", 3)[3]


def indicator_ids(evaluation) -> list[int]:
    return list(evaluation.indicators.values_list("pk", flat=True))


def form(evaluation, first="12,5", second="8", **fields):
    ids = indicator_ids(evaluation)
    data = {f"result-{ids[0]}": first, f"result-{ids[1]}": second}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def text(response) -> str:
    return unescape(response.content.decode())


def tampered(url: str) -> str:
    """The same URL with the signature's last character changed."""
    return url[:-2] + ("A" if url[-2] != "A" else "B") + "/"


def assert_private(response):
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]


def partner_label(pilot) -> str:
    role = RoleAssignment.objects.select_related("contact", "organisation").get(pk=pilot.pk)
    return f"{role.contact.first_name} {role.contact.last_name} ({role.organisation.name})"


# --- the link ------------------------------------------------------------------------------


def test_the_link_draws_its_nonce_once(evaluation, settings):
    assert evaluation.link_nonce == ""
    link = report_link(evaluation)
    assert link.startswith(f"{settings.SITE_URL}/report/") and link.endswith("/")
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.link_nonce and report_link(stored) == link
    assert evaluation_for_token(token_for(stored)) == evaluation

    revoke_report_link(stored)
    with pytest.raises(ReportLinkError) as revoked:
        evaluation_for_token(link.split("/")[-2])
    assert revoked.value.problem is ReportLinkProblem.REVOKED
    assert report_link(stored) != link


@pytest.mark.parametrize(
    "raw, value",
    [
        ("12,5", Decimal("12.5")),
        ("12.5", Decimal("12.5")),
        (" 1\u202f250,75 ", Decimal("1250.75")),
        ("1 250", Decimal("1250")),
        ("-3", Decimal("-3")),
        (",5", Decimal("0.5")),
        ("12,500", Decimal("12.50")),
    ],
)
def test_numbers_are_read_the_french_way(raw, value):
    assert parse_decimal(raw) == value


@pytest.mark.parametrize("raw", ["", "douze", "1.250,5", "12,345", "1e3", "12 %", "99999999999"])
def test_what_is_not_a_result(raw):
    with pytest.raises(ValueError):
        parse_decimal(raw)


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_action_and_the_plan(client, evaluation, territory):
    response = client.get(page_url(evaluation))
    assert response.status_code == 200
    assert_private(response)
    html = text(response)
    assert "Vacances en famille" in html and territory.name in html
    assert "Familles parties en vacances" in html and "Rencontres du groupe de parents" in html
    assert "Valeur de départ : 0 familles" in html and "Cible : 12 familles" in html
    assert "Cible : 8 séances" in html
    assert html.count('inputmode="decimal"') == 2
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<meta name="robots" content="noindex">' in html
    for field in ("participants", "residents_involved", "what_worked", "what_to_change"):
        assert f'name="{field}"' in html


def test_a_due_evaluation_of_an_action_in_evaluation_takes_the_report(client, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(state="due")
    Action.objects.filter(pk=evaluation.action_id).update(state="evaluation")
    assert client.get(page_url(evaluation)).status_code == 200
    response = client.post(page_url(evaluation), form(evaluation))
    assert response.status_code == 200
    assert Evaluation.objects.get(pk=evaluation.pk).state == "submitted"


def test_a_report_with_french_decimals_is_submitted(client, evaluation, pilot):
    url = page_url(evaluation)
    response = client.post(
        url,
        form(
            evaluation,
            first="12,5",
            second="1\xa0250",
            participants="34",
            residents_involved="Deux mères ont co-animé le groupe.",
            what_worked="Le départ groupé",
            what_to_change="Commencer plus tôt",
        ),
    )
    assert response.status_code == 200
    assert_private(response)
    html = text(response)
    assert "Merci, votre compte rendu est enregistré" in html
    assert "12,50 familles" in html and "1\xa0250 séances" in html

    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.state == "submitted" and stored.submitted_at is not None
    assert [i.result for i in stored.indicators.all()] == [Decimal("12.50"), Decimal("1250.00")]
    assert stored.participants == 34
    assert stored.residents_involved == "Deux mères ont co-animé le groupe."
    assert (stored.what_worked, stored.what_to_change) == ("Le départ groupé", "Commencer plus tôt")
    log = TransitionLog.objects.get(action=evaluation.action, transition="submit_report")
    assert log.actor is None and log.automatic
    assert log.actor_label == partner_label(pilot)


def test_a_missing_result_is_shown_next_to_its_field_and_nothing_is_stored(client, evaluation):
    first, second = indicator_ids(evaluation)
    response = client.post(
        page_url(evaluation),
        form(evaluation, first="12,5", second="", participants="34", what_worked="Le car"),
    )
    assert response.status_code == 400
    assert_private(response)
    html = text(response)
    assert "Votre compte rendu n'est pas encore enregistré" in html
    assert f'id="result-{second}-error"' in html and f'id="result-{first}-error"' not in html
    assert f'aria-describedby="result-{second}-hint result-{second}-error" aria-invalid="true"' in (
        html
    )
    assert f'href="#result-{second}"' in html
    assert "Indiquez le résultat obtenu" in html
    assert 'value="12,5"' in html and 'value="34"' in html and ">Le car</textarea>" in html

    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.state == "planned" and stored.participants is None and stored.what_worked == ""
    assert not stored.indicators.filter(result__isnull=False).exists()


def test_wrong_numbers_are_errors_of_their_fields(client, evaluation):
    response = client.post(
        page_url(evaluation), form(evaluation, first="douze", participants="2,5")
    )
    assert response.status_code == 400
    html = text(response)
    assert "Indiquez un nombre, par exemple 12 ou 12,5." in html
    assert 'id="participants-error"' in html
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"


def test_a_second_report_is_a_conflict_showing_the_first(client, evaluation):
    url = page_url(evaluation)
    assert client.post(url, form(evaluation, participants="34")).status_code == 200
    again = client.post(url, form(evaluation, first="1", second="1", participants="2"))
    assert again.status_code == 409
    assert_private(again)
    html = text(again)
    assert "Compte rendu déjà remis" in html and "12,50 familles" in html and "<form" not in html
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.participants == 34
    assert [i.result for i in stored.indicators.all()] == [Decimal("12.50"), Decimal("8.00")]

    back = client.get(url)  # coming back: what was submitted, no form
    assert back.status_code == 200
    assert "Compte rendu déjà remis" in text(back) and "<form" not in text(back)


def test_the_link_is_the_credential_a_post_from_another_site_is_refused(evaluation):
    browser = Client(enforce_csrf_checks=True)  # and no CSRF cookie: some browsers drop them
    url = page_url(evaluation)
    cross_site = browser.post(url, form(evaluation), headers={"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    assert Evaluation.objects.get(pk=evaluation.pk).submitted_at is None
    response = browser.post(url, form(evaluation), headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200


def test_a_plan_without_indicators_has_no_form(client, evaluation, social_worker):
    update_plan(evaluation, user=social_worker, indicators=[])
    url = page_url(evaluation)
    response = client.get(url)
    assert response.status_code == 200 and "<form" not in text(response)
    refused = client.post(url, {"participants": "3"})
    assert refused.status_code == 409
    assert "pas encore d'indicateur" in text(refused)
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"


def test_tampered_and_revoked_links(client, evaluation):
    url = page_url(evaluation)
    response = client.get(tampered(url))
    assert response.status_code == 404
    assert_private(response)
    assert "Lien invalide" in text(response)
    assert client.get("/report/n-importe-quoi/avec/des/barres/").status_code == 404
    assert client.post(tampered(url), form(evaluation)).status_code == 404

    revoke_report_link(evaluation)
    revoked = client.get(url)
    assert revoked.status_code == 410
    assert "Ce lien a été remplacé ou révoqué" in text(revoked)
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"


def test_a_withdrawn_pilot_no_longer_reports(client, evaluation, pilot):
    url = page_url(evaluation)
    RoleAssignment.objects.filter(pk=pilot.pk).update(state="withdrawn")
    assert client.get(url).status_code == 410


def test_the_link_opens_with_the_action_and_closes_when_it_stops(client, evaluation):
    url = page_url(evaluation)
    Action.objects.filter(pk=evaluation.action_id).update(state="approved")
    not_started = client.get(url)
    assert not_started.status_code == 409
    assert "pas encore ouvert" in text(not_started)
    Action.objects.filter(pk=evaluation.action_id).update(state="withdrawn")
    stopped = client.post(url, form(evaluation))
    assert stopped.status_code == 410
    assert "n'est plus attendu" in text(stopped)
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"


def test_bad_links_are_throttled(client, evaluation, settings):
    settings.BAD_LINK_LIMIT = 3
    good = page_url(evaluation)
    for attempt in range(3):
        assert client.get(f"/report/devine-{attempt}/").status_code == 404
    blocked = client.get(good)
    assert blocked.status_code == 429
    assert_private(blocked)
    assert blocked["Retry-After"] == "600"
    assert "Trop de tentatives" in text(blocked)
    assert client.post(good, form(evaluation)).status_code == 429
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get(good).status_code == 200


# --- the API -------------------------------------------------------------------------------


def api_url(evaluation) -> str:
    return f"/api/v1/evaluations/report/{report_link(evaluation).split('/')[-2]}/"


def body(evaluation, first="12.5", second=8, **fields):
    ids = indicator_ids(evaluation)
    return {
        "results": [
            {"indicator": ids[0], "result": first},
            {"indicator": ids[1], "result": second},
        ],
        **fields,
    }


@with_api
def test_the_api_takes_the_report(api, evaluation, pilot):
    url = api_url(evaluation)
    response = api.post(
        url, body(evaluation, participants=34, what_worked="Le départ groupé"), format="json"
    )
    assert response.status_code == 200, response.data
    assert response.data["state"] == "submitted"
    assert [i["result"] for i in response.data["indicators"]] == ["12.50", "8.00"]
    assert response.data["participants"] == 34
    assert "reporting_staff" not in response.data
    log = TransitionLog.objects.get(action=evaluation.action, transition="submit_report")
    assert log.actor_label == partner_label(pilot) and log.automatic

    again = api.post(url, body(evaluation, first="1", second="1"), format="json")
    assert again.status_code == 409 and again.data["code"] == "conflict"


@with_api
def test_the_api_refuses_a_missing_result_and_stores_nothing(api, evaluation):
    first, _second = indicator_ids(evaluation)
    response = api.post(
        api_url(evaluation),
        {"results": [{"indicator": first, "result": "10"}], "participants": 3},
        format="json",
    )
    assert response.status_code == 400
    assert "Rencontres du groupe de parents" in str(response.data["results"])
    stored = Evaluation.objects.get(pk=evaluation.pk)
    assert stored.state == "planned" and stored.participants is None
    assert not stored.indicators.filter(result__isnull=False).exists()


@with_api
def test_the_api_bad_links_and_throttle(api, evaluation, settings):
    settings.BAD_LINK_LIMIT = 2
    url = api_url(evaluation)
    assert api.post(tampered(url), body(evaluation), format="json").status_code == 404
    revoke_report_link(evaluation)
    assert api.post(url, body(evaluation), format="json").status_code == 404
    blocked = api.post(api_url(evaluation), body(evaluation), format="json")
    assert blocked.status_code == 429
    assert Evaluation.objects.get(pk=evaluation.pk).state == "planned"


@with_api
def test_the_api_says_when_no_report_is_expected(api, evaluation):
    url = api_url(evaluation)
    Action.objects.filter(pk=evaluation.action_id).update(state="withdrawn")
    assert api.post(url, body(evaluation), format="json").status_code == 409


def test_the_site_serves_both_links():
    """Both routes in the site's own URLconf (backend/urls.py, backend/api/urls.py)."""
    assert resolve("/report/abc:def/", urlconf="backend.urls").func is report_page.report
    try:
        route = resolve("/api/v1/evaluations/report/abc:def/", urlconf="backend.urls")
    except Resolver404:
        route = None
    assert getattr(getattr(route, "func", None), "view_class", None) is ReportByLinkView, (
        'backend/api/urls.py needs: path("evaluations/report/<str:token>/", '
        'evaluation_link_views.ReportByLinkView.as_view(), name="evaluation-report-by-link")'
    )
