"""The board pages: the list of sessions, a session's agenda, its steps, its decisions."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.board.models import AgendaItem, BoardDecision, BoardSession
from backend.territories.models import TerritoryProject
from backend.web.selectors import board as board_selectors
from tests import factories

pytestmark = pytest.mark.django_db
SESSION_DAY = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=timezone.get_fixed_timezone(60))


@pytest.fixture(autouse=True)
def _before_the_session(time_machine):
    time_machine.move_to(SESSION_DAY - datetime.timedelta(days=10), tick=False)


def ready(project, title, **kwargs):
    action = factories.ActionFactory(project=project, title=title, **kwargs)
    Action.objects.filter(pk=action.pk).update(state="ready_for_board")
    action.refresh_from_db()
    return action


def on_agenda(session, project, title, state="scheduled"):
    action = factories.ActionFactory(project=project, title=title)
    Action.objects.filter(pk=action.pk).update(state=state, board_session=session)
    position = session.agenda_items.count() + 1
    AgendaItem.objects.create(session=session, action=action, position=position)
    return action


@pytest.fixture
def session(db):
    return factories.BoardSessionFactory(date=SESSION_DAY, title="Conseil de janvier")


@pytest.fixture
def held(db):
    return factories.BoardSessionFactory(date=SESSION_DAY, title="Conseil tenu", state="held")


def url(session, tail=""):
    return f"/conseil/{session.pk}/{tail}"


DOWN = {"direction": "down"}


def titles(session):
    return list(
        AgendaItem.objects.filter(session=session)
        .order_by("position")
        .values_list("action__title", flat=True)
    )


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_upcoming_sessions_first_then_past_ones(page_client, secretary, project):
    later = factories.BoardSessionFactory(
        date=SESSION_DAY + datetime.timedelta(days=60), title="Conseil de mars"
    )
    soon = factories.BoardSessionFactory(date=SESSION_DAY, title="Conseil de janvier")
    factories.BoardSessionFactory(
        date=SESSION_DAY - datetime.timedelta(days=60), title="Conseil de novembre", state="closed"
    )
    on_agenda(soon, project, "Saint-Julien")
    on_agenda(soon, project, "Mulsant")
    on_agenda(later, project, "Vacances")
    response = page_client(secretary).get("/conseil/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Conseil de janvier") < html.index("Conseil de mars")
    assert html.index("Conseil de mars") < html.index("Séances passées")
    assert html.index("Séances passées") < html.index("Conseil de novembre")
    assert "jeudi 14 janvier 2027 à 14\xa0h\xa000" in html
    assert "planifiée" in html and "close" in html
    assert [s.points for s in response.context["upcoming"]] == [2, 1]


def test_the_secretary_plans_a_session(page_client, secretary):
    client = page_client(secretary)
    response = client.post(
        "/conseil/",
        {"date": "2027-02-11T14:00", "title": "Conseil de février", "location": "Roanne"},
    )
    session = BoardSession.objects.get(title="Conseil de février")
    assert response.status_code == 302 and response.url == url(session)
    assert timezone.localtime(session.date).hour == 14 and session.state == "planned"
    assert "La séance est planifiée." in client.get(response.url).content.decode()

    invalid = client.post("/conseil/", {"date": "", "title": "", "location": ""})
    assert invalid.status_code == 400
    html = invalid.content.decode()
    assert 'aria-invalid="true"' in html and "id_title-error" in html
    # The summary says what was refused and links each field in error.
    assert "La séance n'est pas planifiée : corrigez les erreurs signalées." in html
    assert '<li><a href="#id_title">' in html
    assert BoardSession.objects.count() == 1


def test_other_staff_may_not_plan_a_session(page_client, social_worker):
    client = page_client(social_worker)
    assert "Planifier une séance" not in client.get("/conseil/").content.decode()
    response = client.post("/conseil/", {"date": "2027-02-11T14:00", "title": "Non"})
    assert response.status_code == 403
    assert not BoardSession.objects.exists()


def test_the_pages_are_for_staff(page_client, session):
    assert page_client().get("/conseil/").status_code == 302
    assert page_client().get(url(session)).status_code == 302
    assert page_client().post(url(session, "transitions/publish_agenda/")).status_code == 302
    assert page_client().get(url(session)).url.startswith("/connexion/")


# --- building the agenda ---------------------------------------------------------------------


def test_a_manager_puts_a_ready_action_on_the_agenda(page_client, manager, session, project):
    action = ready(project, "Ateliers parents-enfants")
    client = page_client(manager)
    page = client.get(url(session)).content.decode()
    assert "Action prête pour le conseil" in page and "Ateliers parents-enfants" in page
    response = client.post(url(session, "ordre-du-jour/"), {"action": action.pk})
    assert response.status_code == 303 and response.url == url(session)
    action.refresh_from_db()
    assert action.state == "scheduled" and action.board_session == session
    page = client.get(url(session)).content.decode()
    assert "est inscrite à l&#x27;ordre du jour" in page
    assert f'href="/actions/{action.pk}/"' in page


def test_the_agenda_form_offers_the_first_ready_actions_and_links_to_all_of_them(
    page_client, manager, session, project, monkeypatch
):
    monkeypatch.setattr(board_selectors, "READY_SHOWN", 2)
    for title in ("Prête C", "Prête A", "Prête B"):
        ready(project, title)
    html = page_client(manager).get(url(session)).content.decode()
    offered = html[
        html.index('id="add-action"') : html.index("</select>", html.index('id="add-action"'))
    ]
    assert offered.count("<option") == 2 and "Prête A" in offered and "Prête C" not in offered
    assert "La liste propose les 2 premières" in html
    assert 'href="/tableau-de-bord/?view=list&amp;state=ready_for_board"' in html
    assert "Voir les 3 actions prêtes pour le conseil" in html


def test_the_secretary_reorders_and_takes_a_point_off(page_client, secretary, session, project):
    first, second, third = (on_agenda(session, project, t) for t in ("Un", "Deux", "Trois"))
    client = page_client(secretary)
    page = client.get(url(session)).content.decode()
    assert 'Descendre<span class="visually-hidden"> « Un »' in page
    item = AgendaItem.objects.get(action=first)
    response = client.post(url(session, f"ordre-du-jour/{item.pk}/deplacer/"), DOWN)
    assert response.status_code == 303
    assert titles(session) == ["Deux", "Un", "Trois"]
    item = AgendaItem.objects.get(action=third)
    client.post(url(session, f"ordre-du-jour/{item.pk}/deplacer/"), {"direction": "up"})
    assert titles(session) == ["Deux", "Trois", "Un"]

    item = AgendaItem.objects.get(action=second)
    response = client.post(url(session, f"ordre-du-jour/{item.pk}/retirer/"))
    assert response.status_code == 303
    assert titles(session) == ["Trois", "Un"]
    second.refresh_from_db()
    assert second.state == "ready_for_board" and second.board_session is None
    assert "Le point est retiré" in client.get(url(session)).content.decode()


def test_only_the_secretary_reorders(page_client, manager, session, project):
    on_agenda(session, project, "Un")
    on_agenda(session, project, "Deux")
    client = page_client(manager)
    assert "Monter" not in client.get(url(session)).content.decode()
    item = AgendaItem.objects.get(action__title="Un")
    response = client.post(url(session, f"ordre-du-jour/{item.pk}/deplacer/"), DOWN)
    assert response.headers["X-Command-Status"] == "403"
    assert titles(session) == ["Un", "Deux"]


def test_the_territory_project_goes_on_the_agenda(page_client, secretary, session, territory):
    project = factories.ProjectFactory(territory=territory, year=2027, title="Projet GOP 2027")
    client = page_client(secretary)
    assert "Projet GOP 2027" in client.get(url(session)).content.decode()
    response = client.post(url(session, "ordre-du-jour/"), {"project": project.pk})
    assert response.status_code == 303
    project.refresh_from_db()
    assert project.state == "submitted"
    page = client.get(url(session)).content.decode()
    assert "Projet de territoire 2027" in page and f'href="/projets/{project.pk}/"' in page
    item = AgendaItem.objects.get(project=project)
    client.post(url(session, f"ordre-du-jour/{item.pk}/retirer/"))
    assert TerritoryProject.objects.get(pk=project.pk).state == "draft"
    assert not AgendaItem.objects.exists()


# --- the session's steps ---------------------------------------------------------------------


def test_publish_then_hold_on_the_day(page_client, secretary, session, project, time_machine):
    on_agenda(session, project, "Un")
    client = page_client(secretary)
    page = client.get(url(session)).content.decode()
    assert "Publier l&#x27;ordre du jour</button>" in page
    assert "La séance ne peut être tenue" not in page  # hold: not from this state yet
    response = client.post(url(session, "transitions/publish_agenda/"))
    assert response.status_code == 303
    session.refresh_from_db()
    assert session.state == "agenda_published"

    early = client.post(url(session, "transitions/hold/"))
    assert early.headers["X-Command-Status"] == "409"
    page = client.get(url(session)).content.decode()
    assert "La séance ne peut être tenue avant sa date." in page  # the message and the reason
    time_machine.move_to(SESSION_DAY, tick=False)
    client.post(url(session, "transitions/hold/"))
    session.refresh_from_db()
    assert session.state == "held"
    assert client.post(url(session, "transitions/nothing/")).status_code == 404
    item = session.agenda_items.get()
    sideways = client.post(url(session, f"ordre-du-jour/{item.pk}/deplacer/"), {"direction": "x"})
    assert sideways.headers["X-Command-Status"] == "400"


def test_a_social_worker_sees_why_the_buttons_are_disabled(page_client, social_worker, session):
    page = page_client(social_worker).get(url(session)).content.decode()
    assert 'aria-disabled="true"' in page
    assert "secrétariat du conseil" in page
    assert "Enregistrer les décisions" not in page


def test_the_documents_download_with_the_page_session(page_client, secretary, session, project):
    on_agenda(session, project, "Un")
    client = page_client(secretary)
    page = client.get(url(session)).content.decode()
    board_file = f"/api/v1/board-sessions/{session.pk}/board-file/"
    ics = f"/api/v1/board-sessions/{session.pk}/ics/"
    assert board_file in page and ics in page
    pdf = client.get(board_file)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    calendar = client.get(ics)
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.content


def test_members_and_invited_staff_are_listed(page_client, secretary, session, director):
    member = factories.ContactFactory(first_name="Hélène", last_name="Administratrice")
    session.members.add(member)
    session.staff_invited.add(director)
    page = page_client(secretary).get(url(session)).content.decode()
    assert "Hélène Administratrice" in page
    assert director.get_full_name() in page


# --- decisions -------------------------------------------------------------------------------


@pytest.fixture
def held_agenda(held, project, time_machine):
    time_machine.move_to(SESSION_DAY, tick=False)
    return [on_agenda(held, project, t) for t in ("Saint-Julien", "Mulsant", "Vacances")]


def fields(item, outcome, reference, conditions=""):
    prefix = f"point-{item.pk}"
    return {
        f"{prefix}-outcome": outcome,
        f"{prefix}-reference": reference,
        f"{prefix}-conditions": conditions,
    }


def test_one_number_given_to_two_points_is_said_as_such(page_client, secretary, held, held_agenda):
    one, two, _three = (AgendaItem.objects.get(action=a) for a in held_agenda)
    response = page_client(secretary).post(
        url(held, "decisions/"),
        {**fields(one, "approved", "2027-031"), **fields(two, "approved", "2027-031")},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "donné à un autre point de cette saisie" in html
    assert "déjà utilisé" not in html  # no decision has that number yet
    assert BoardDecision.objects.filter(session=held).count() == 0


def test_decisions_are_all_or_nothing_with_every_error_shown(
    page_client, secretary, held, held_agenda
):
    one, two, three = (AgendaItem.objects.get(action=a) for a in held_agenda)
    factories_decision = BoardDecision.objects.create(
        session=factories.BoardSessionFactory(date=SESSION_DAY - datetime.timedelta(days=30)),
        action=factories.ActionFactory(project=held_agenda[0].project),
        outcome="approved",
        reference="2027-001",
        year=2027,
        recorded_by=secretary,
    )
    client = page_client(secretary)
    page = client.get(url(held)).content.decode()
    assert "Décision pour « Saint-Julien »" in page
    response = client.post(
        url(held, "decisions/"),
        {
            **fields(one, "approved", factories_decision.reference),
            **fields(two, "rejected", "2027-002"),
            **fields(three, "approved_with_conditions", ""),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "déjà utilisé en 2027" in html
    assert "Indiquez le numéro de délibération." in html
    assert f'id="point-{one.pk}-reference-error"' in html
    assert f'id="point-{three.pk}-reference-error"' in html
    assert 'value="2027-002"' in html  # what was typed is kept
    assert BoardDecision.objects.filter(session=held).count() == 0

    response = client.post(
        url(held, "decisions/"),
        {
            **fields(one, "approved", "2027-010"),
            **fields(two, "rejected", "2027-011"),
            **fields(three, "approved_with_conditions", "2027-012"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="point-{two.pk}-conditions-error"' in html and "motif du rejet" in html
    assert f'id="point-{three.pk}-conditions-error"' in html and "conditions de l" in html
    assert not BoardDecision.objects.filter(session=held).exists()
    assert Action.objects.get(pk=held_agenda[0].pk).state == "scheduled"


def test_the_secretary_records_decisions(page_client, secretary, held, held_agenda):
    one, two, three = (AgendaItem.objects.get(action=a) for a in held_agenda)
    client = page_client(secretary)
    response = client.post(
        url(held, "decisions/"),
        {
            **fields(one, "approved", "2027-010"),
            **fields(two, "rejected", "2027-011", "Le financement manque."),
            **fields(three, "", ""),  # examined later
        },
    )
    assert response.status_code == 303
    states = {a.title: a.state for a in Action.objects.filter(pk__in=[a.pk for a in held_agenda])}
    assert states == {"Saint-Julien": "approved", "Mulsant": "rejected", "Vacances": "scheduled"}
    page = client.get(url(held)).content.decode()
    assert "2 décisions enregistrées." in page
    assert 'délibération n° <span class="nowrap">2027-010</span>' in page
    assert "Approuvée" in page and "Le financement manque." in page
    assert "Décision pour « Saint-Julien »" not in page  # decided: no field any more
    assert "Décision pour « Vacances »" in page

    response = client.post(url(held, "decisions/"), fields(three, "deferred", "2027-013"))
    assert response.status_code == 303
    assert Action.objects.get(pk=held_agenda[2].pk).state == "ready_for_board"
    assert "Enregistrer les décisions" not in client.get(url(held)).content.decode()

    client.post(url(held, "transitions/close/"))  # every point decided: the session closes
    held.refresh_from_db()
    assert held.state == "closed"


def test_only_the_secretary_records_decisions(page_client, manager, held, held_agenda):
    item = AgendaItem.objects.get(action=held_agenda[0])
    client = page_client(manager)
    assert "Enregistrer les décisions" not in client.get(url(held)).content.decode()
    response = client.post(url(held, "decisions/"), fields(item, "approved", "2027-001"))
    assert response.headers["X-Command-Status"] == "403"
    assert not BoardDecision.objects.exists()
    assert Action.objects.get(pk=held_agenda[0].pk).state == "scheduled"


def test_an_empty_decision_form_records_nothing(page_client, secretary, held, held_agenda):
    response = page_client(secretary).post(url(held, "decisions/"), {})
    assert response.status_code == 400
    assert "Indiquez au moins une décision." in response.content.decode()


def test_decisions_need_a_held_session(page_client, secretary, session, project):
    action = on_agenda(session, project, "Un")
    item = AgendaItem.objects.get(action=action)
    client = page_client(secretary)
    assert "Enregistrer les décisions" not in client.get(url(session)).content.decode()
    response = client.post(url(session, "decisions/"), fields(item, "approved", "2027-001"))
    assert response.headers["X-Command-Status"] == "409"
    assert not BoardDecision.objects.exists()


# --- scoping, CSRF, query counts -------------------------------------------------------------


def test_a_territory_bound_user_sees_only_their_points(
    page_client, make_staff, session, project, other_territory
):
    elsewhere = factories.ProjectFactory(territory=other_territory)
    mine = on_agenda(session, project, "Ici")
    theirs = on_agenda(session, elsewhere, "Là-bas")
    manager = make_staff(StaffRole.TERRITORY_MANAGER)
    client = page_client(manager)
    page = client.get(url(session)).content.decode()
    assert "Ici" in page and "Là-bas" not in page
    assert "Seuls les points de vos territoires sont affichés." in page
    listing = client.get("/conseil/")
    assert [s.points for s in listing.context["upcoming"]] == [1]

    item = AgendaItem.objects.get(action=theirs)
    assert client.post(url(session, f"ordre-du-jour/{item.pk}/retirer/")).status_code == 404
    assert client.post(url(session, "ordre-du-jour/"), {"action": theirs.pk}).status_code == 404
    assert AgendaItem.objects.filter(action=theirs).exists()

    director = make_staff(StaffRole.DIRECTOR, territories=[])
    page = page_client(director).get(url(session)).content.decode()
    assert "Ici" in page and "Là-bas" in page
    assert mine.title in page


def test_the_forms_need_the_csrf_token(secretary, session, project):
    on_agenda(session, project, "Un")
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretary)
    assert client.post(url(session, "transitions/publish_agenda/")).status_code == 403
    assert client.post("/conseil/", {"title": "x"}).status_code == 403
    assert BoardSession.objects.get(pk=session.pk).state == "planned"


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("state", ["planned", "held"])
def test_queries_do_not_grow_with_the_agenda(page_client, secretary, project, state, time_machine):
    small = factories.BoardSessionFactory(date=SESSION_DAY, state=state)
    large = factories.BoardSessionFactory(date=SESSION_DAY, state=state)
    for index in range(2):
        on_agenda(small, project, f"Petit {index}")
    for index in range(12):
        on_agenda(large, project, f"Grand {index}")
    for index in range(3):
        ready(project, f"Prête {index}")
    if state == "held":
        time_machine.move_to(SESSION_DAY, tick=False)
        for session in (small, large):
            first = session.agenda_items.order_by("position").first()
            BoardDecision.objects.create(
                session=session,
                action=first.action,
                outcome="approved",
                reference=f"2027-{session.pk}",
                year=2027,
                recorded_by=secretary,
            )
    client = page_client(secretary)
    client.get(url(small))  # warm the session and the user
    assert count_queries(client, url(small)) == count_queries(client, url(large))
    assert count_queries(client, "/conseil/") <= 10
