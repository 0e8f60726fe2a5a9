"""The dashboard: the pipeline of actions by state with its filters, what needs me now, the
counts per territory; scoped to the caller's territories, in a constant number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.evaluations.models import Evaluation
from backend.web.selectors import dashboard as selectors
from tests import factories

URL = reverse("web:dashboard")
pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def html(response) -> str:
    return response.content.decode()


def column(body: str, state: str) -> str:
    """The HTML of one column of the board."""
    match = re.search(
        rf'<section class="column" aria-labelledby="column-{state}">(.*?)</section>', body, re.S
    )
    assert match, f"no column {state}"
    return match.group(1)


@pytest.fixture
def client_for(page_client):
    return page_client


# --- access and the page's parts ------------------------------------------------------------


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))


def test_the_board_has_one_column_per_state_in_workflow_order(client_for, social_worker, project):
    for state in ("draft", "consultation", "scheduled", "in_progress", "closed", "withdrawn"):
        factories.ActionFactory(project=project, title=f"Action {state}", state=state)
    body = html(client_for(social_worker).get(URL))
    titles = re.findall(r'<h3 id="column-([a-z_]+)"', body)
    assert titles == [
        "draft",
        "consultation",
        "ready_for_board",
        "scheduled",
        "approved",
        "in_progress",
        "evaluation",
    ]
    assert "Action draft" in column(body, "draft")
    assert "Action in_progress" in column(body, "in_progress")
    assert "Aucune action." in column(body, "approved")
    # The final states are counted, with a link to their list.
    assert "Clôturée : 1" in body and "Retirée : 1" in body and "Rejetée : 0" in body
    assert "?view=list&amp;state=closed" in body
    assert "6 actions en tout." in body


def test_a_card_says_where_the_consultation_stands(
    client_for, social_worker, project, organisation
):
    late = factories.ActionFactory(
        project=project,
        title="Ateliers parents",
        state="consultation",
        consultation_deadline=today() - days(2),
        commune=factories.CommuneFactory(territory=project.territory, name="Saint-Chamond"),
    )
    factories.RoleFactory(action=late, state="accepted", responded_at=timezone.now())
    factories.RoleFactory(action=late, kind="funder", state="invited")
    factories.RoleFactory(action=late, kind="host", state="withdrawn")
    body = html(client_for(social_worker).get(URL))
    card = column(body, "consultation")
    assert reverse("web:action_detail", args=[late.pk]) in card
    assert "Saint-Chamond" in card
    assert "Rôles acceptés : 1/2" in card
    assert "En retard" in card and "card-overdue" in card


def test_only_creators_see_the_new_action_link(client_for, make_staff):
    create = reverse("web:action_create")
    for role in (
        StaffRole.SOCIAL_WORKER,
        StaffRole.TERRITORY_MANAGER,
        StaffRole.DIRECTOR,
        StaffRole.ADMIN,
    ):
        assert create in html(client_for(make_staff(role)).get(URL)), role
    assert create not in html(client_for(make_staff(StaffRole.BOARD_SECRETARY)).get(URL))


# --- what needs me now ----------------------------------------------------------------------


def todo(body: str, key: str) -> str:
    match = re.search(rf'aria-labelledby="todo-{key}">(.*?)</section>', body, re.S)
    assert match, key
    return " ".join(match.group(1).split())


def test_what_needs_me_now(client_for, social_worker, project):
    overdue = factories.ActionFactory(
        project=project,
        title="Consultation en retard",
        state="consultation",
        consultation_deadline=today() - days(3),
    )
    factories.RoleFactory(action=overdue, state="invited")
    factories.RoleFactory(action=overdue, kind="funder", state="invited")
    on_time = factories.ActionFactory(
        project=project, title="Consultation à l'heure", state="consultation"
    )
    factories.RoleFactory(action=on_time, state="invited")
    factories.RoleFactory(
        action=on_time, kind="funder", state="declined", responded_at=timezone.now() - days(1)
    )
    factories.RoleFactory(
        action=on_time, kind="host", state="accepted", responded_at=timezone.now() - days(30)
    )
    old = factories.ActionFactory(project=project, title="Réponse ancienne", state="consultation")
    factories.RoleFactory(action=old, state="accepted", responded_at=timezone.now() - days(20))
    ready = factories.ActionFactory(project=project, title="Prête", state="ready_for_board")
    due = factories.ActionFactory(project=project, title="À évaluer", state="evaluation")
    evaluation = Evaluation.objects.create(action=due, due_date=today() - days(1), state="due")
    later = factories.ActionFactory(project=project, title="Évaluée plus tard", state="in_progress")
    Evaluation.objects.create(action=later, due_date=today() + days(200))

    body = html(client_for(social_worker).get(URL))
    late = todo(body, "overdue")
    assert "Consultation en retard" in late and "2 rôles sans réponse" in late
    assert "Consultation à l&#x27;heure" not in late
    answers = todo(body, "answers")
    assert "Consultation à l&#x27;heure" in answers and "1 réponse, " in answers
    assert "1 refus" in answers and "acceptation" not in answers
    assert "Réponse ancienne" not in answers
    assert reverse("web:action_detail", args=[ready.pk]) in todo(body, "ready")
    evaluations = todo(body, "evaluations")
    assert reverse("web:evaluation_detail", args=[evaluation.pk]) in evaluations
    assert "en retard" in evaluations
    assert "Évaluée plus tard" not in evaluations


def test_recent_answers_list_the_caller_s_actions_first_then_the_latest(
    client_for, social_worker, make_staff, project
):
    colleague = make_staff(StaffRole.SOCIAL_WORKER)
    answered = []  # in the expected order: mine first, then the latest answer first
    for owner, age in ((social_worker, 5), (colleague, 1), (colleague, 2)):
        action = factories.ActionFactory(project=project, state="consultation", social_worker=owner)
        factories.RoleFactory(
            action=action, state="accepted", responded_at=timezone.now() - days(age)
        )
        answered.append(action)
    answers = todo(html(client_for(social_worker).get(URL)), "answers")
    positions = [answers.index(f"/actions/{action.pk}/") for action in answered]
    assert positions == sorted(positions)


def test_the_overdue_list_links_to_every_overdue_consultation(client_for, social_worker, project):
    for n in range(selectors.TODO_LIMIT + 1):
        action = factories.ActionFactory(
            project=project, state="consultation", consultation_deadline=today() - days(1 + n)
        )
        factories.RoleFactory(action=action, state="invited")
    on_time = factories.ActionFactory(project=project, title="Dans les temps", state="consultation")
    client = client_for(social_worker)
    body = html(client.get(URL))
    assert f"Voir les {selectors.TODO_LIMIT + 1} consultations en retard" in body
    listing = html(client.get(URL, {"view": "list", "overdue": "1"}))
    assert f"{selectors.TODO_LIMIT + 1} actions correspondent aux filtres." in listing
    assert on_time.title not in listing


# --- filters, list view, htmx ---------------------------------------------------------------


def test_filters_narrow_the_board_and_stay_in_the_form(client_for, social_worker, project):
    axis = factories.AxisFactory(project=project, title="Parentalité")
    commune = factories.CommuneFactory(territory=project.territory, name="Rive-de-Gier")
    mine = factories.ActionFactory(
        project=project, title="Avec axe", axis=axis, commune=commune, social_worker=social_worker
    )
    other = factories.ActionFactory(project=project, title="Sans axe", state="consultation")
    client = client_for(social_worker)
    for query in ({"axis": axis.pk}, {"commune": commune.pk}, {"mine": "1"}, {"state": "draft"}):
        body = html(client.get(URL, query))
        assert mine.title in body and other.title not in body, query
    body = html(client.get(URL, {"axis": axis.pk, "project": project.pk}))
    assert f'<option value="{axis.pk}" selected>' in body
    assert f'<option value="{project.pk}" selected>' in body
    assert "1 action correspond aux filtres." in body
    # A state filter shows that column only.
    body = html(client.get(URL, {"state": "consultation"}))
    assert re.findall(r'<h3 id="column-([a-z_]+)"', body) == ["consultation"]
    # A final state has no column: its actions come as a list.
    factories.ActionFactory(project=project, title="Action close", state="closed")
    body = html(client.get(URL, {"state": "closed"}))
    assert '<table class="action-list">' in body and "Action close" in body
    assert mine.title not in body


def card_links(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/actions/(\d+)/"', body)}


def test_a_column_shows_its_first_cards_and_links_to_the_list_of_all_of_them(
    client_for, social_worker, project, other_territory
):
    shown = selectors.CARDS_PER_COLUMN
    drafts = [
        factories.ActionFactory(project=project, title=f"Brouillon {n}") for n in range(shown + 3)
    ]
    factories.ActionFactory(project=project, state="consultation")  # another column
    factories.ActionFactory(project=factories.ProjectFactory(territory=other_territory))
    client = client_for(social_worker)
    draft = column(html(client.get(URL)), "draft")
    assert draft.count('class="card"') == shown
    on_board = card_links(draft)
    assert f"Voir les {shown + 3} actions de la colonne" in draft
    link = re.search(r'class="column-more"><a href="([^"]+)"', draft).group(1).replace("&amp;", "&")
    assert link == "?view=list&state=draft"
    listed = html(client.get(URL + link))
    assert f"{shown + 3} actions" in listed
    in_list = card_links(listed[listed.index('<table class="action-list">') :])
    # The list holds the column's actions, those on the board and the rest, and nothing else.
    assert in_list == {action.pk for action in drafts}
    assert len(in_list - on_board) == 3


@pytest.mark.parametrize("union", [True, False], ids=["postgresql", "sqlite-like"])
def test_the_columns_are_the_same_where_the_database_cannot_limit_inside_a_union(
    client_for, social_worker, project, monkeypatch, union
):
    """SQLite (the embedded ``make run``) refuses LIMIT inside a UNION: one query a column."""
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", union)
    monkeypatch.setattr(selectors, "CARDS_PER_COLUMN", 2)
    for n in range(3):
        factories.ActionFactory(project=project, title=f"Brouillon {n}")
    body = html(client_for(social_worker).get(URL))
    assert column(body, "draft").count('class="card"') == 2
    assert "Brouillon 2" in body and "Brouillon 1" in body and "Brouillon 0" not in body


def test_the_list_view_pages_through_the_actions(client_for, social_worker, project, monkeypatch):
    monkeypatch.setattr(selectors, "LIST_PAGE_SIZE", 2)
    for n in range(5):
        factories.ActionFactory(project=project, title=f"Action liste {n}")
    client = client_for(social_worker)
    body = html(client.get(URL, {"view": "list", "project": project.pk}))
    assert "Page 1 sur 3" in body
    assert body.count("Action liste") == 2
    assert f"?view=list&amp;project={project.pk}&amp;page=2" in body
    last = html(client.get(URL, {"view": "list", "page": 3}))
    assert "Page 3 sur 3" in last and last.count("Action liste") == 1
    assert '<input type="hidden" name="view" value="list">' in body


def test_htmx_gets_the_board_only_and_a_history_restore_the_whole_page(
    client_for, social_worker, action
):
    client = client_for(social_worker)
    partial = client.get(URL, {"state": "draft"}, HTTP_HX_REQUEST="true")
    body = html(partial)
    assert "<html" not in body and action.title in body
    assert 'id="pipeline-status"' in body and 'hx-swap-oob="innerHTML"' in body
    assert "HX-Request" in partial["Vary"]
    restore = client.get(URL, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in html(restore)
    full = html(client.get(URL))
    assert 'hx-get="/tableau-de-bord/"' in full and 'hx-target="#pipeline"' in full
    assert 'hx-push-url="true"' in full and 'method="get"' in full


# --- territory scoping ----------------------------------------------------------------------


def test_a_territory_bound_person_sees_only_their_territories(
    client_for, social_worker, director, project, other_territory
):
    here = factories.ActionFactory(project=project, title="Action de Gier", state="consultation")
    there_project = factories.ProjectFactory(territory=other_territory)
    factories.AxisFactory(project=there_project, title="Axe roannais")
    factories.CommuneFactory(territory=other_territory, name="Mably")
    there = factories.ActionFactory(
        project=there_project,
        title="Action roannaise",
        state="consultation",
        consultation_deadline=today() - days(1),
    )
    factories.RoleFactory(action=there, state="invited")
    factories.RoleFactory(
        action=there, kind="funder", state="accepted", responded_at=timezone.now()
    )
    Evaluation.objects.create(
        action=factories.ActionFactory(project=there_project, state="evaluation"),
        due_date=today(),
        state="due",
    )
    client = client_for(social_worker)
    body = html(client.get(URL))
    assert here.title in body
    for foreign in ("Action roannaise", "Roannais", "Axe roannais", "Mably", "Évaluation :"):
        assert foreign not in body, foreign
    # A foreign filter value is ignored, never a way in.
    body = html(client.get(URL, {"territory": "roannais"}))
    assert "Action roannaise" not in body and "Filtre ignoré" in body
    body = html(client.get(URL, {"project": there_project.pk, "view": "list"}))
    assert "Action roannaise" not in body and here.title in body

    everything = html(client_for(director).get(URL))
    assert "Action roannaise" in everything and "Roannais" in everything
    assert "Axe roannais" in everything and "Mably" in everything


def test_counts_per_territory(client_for, director, project, other_territory):
    there = factories.ProjectFactory(territory=other_territory)
    for state in ("draft", "consultation", "ready_for_board", "scheduled", "closed"):
        factories.ActionFactory(project=project, state=state)
    factories.ActionFactory(
        project=there, state="consultation", consultation_deadline=today() - days(1)
    )
    body = html(client_for(director).get(URL))
    table = re.search(r'<table class="territory-counts">(.*?)</table>', body, re.S).group(1)
    rows = {
        name: re.findall(r'<td class="number">(?:<strong class="flag">)?(\d+)', row)
        for name, row in re.findall(r">([^<>]+)</a></th>(.*?)</tr>", table, re.S)
    }
    # Brouillon, Consultation, Au conseil, Approuvées ou en cours, Évaluation, Terminées,
    # Consultations en retard, Total.
    assert rows["Gier-Ondaine-Pilat"] == ["1", "1", "2", "0", "0", "1", "0", "5"]
    assert rows["Roannais"] == ["0", "1", "0", "0", "0", "0", "1", "1"]
    assert re.search(r"<tfoot>.*>6</td>", table, re.S)


# --- performance ----------------------------------------------------------------------------


def fill(project, social_worker, count):
    states = ["draft", "consultation", "ready_for_board", "scheduled", "in_progress", "evaluation"]
    session = factories.BoardSessionFactory()
    for n in range(count):
        state = states[n % len(states)]
        action = factories.ActionFactory(
            project=project,
            state=state,
            social_worker=social_worker,
            commune=factories.CommuneFactory(territory=project.territory),
            axis=factories.AxisFactory(project=project),
            board_session=session if state == "scheduled" else None,
            consultation_deadline=today() - days(1) if n % 4 == 0 else today() + days(5),
        )
        factories.RoleFactory(action=action, state="invited")
        factories.RoleFactory(
            action=action, kind="funder", state="accepted", responded_at=timezone.now()
        )
        if state in ("in_progress", "evaluation"):
            Evaluation.objects.create(
                action=action, due_date=today() + days(n), state="due" if n % 2 else "planned"
            )


@pytest.mark.parametrize("query", [{}, {"view": "list"}, {"state": "consultation"}])
def test_the_number_of_queries_does_not_grow_with_the_actions(
    client_for, social_worker, project, query
):
    client = client_for(social_worker)
    fill(project, social_worker, 2)
    client.get(URL, query)  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL, query).status_code == 200
    fill(project, social_worker, 28)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL, query)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(few) <= 25
    print(f"dashboard {query}: {len(few)} queries")
