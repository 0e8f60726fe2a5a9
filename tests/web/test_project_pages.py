"""The territory project pages: the list by year and territory, one project with its
diagnostic, axes, actions per axis, the needs no action answers, its board workflow, exports."""

from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.accounts.models import StaffRole
from backend.actions.models import Action
from backend.board.models import AgendaItem
from backend.evaluations.models import Evaluation
from backend.territories.models import FindingKind
from backend.web.pages import projects
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(project):
    """A project with a diagnostic (2 resources, 3 needs), 2 axes and actions answering needs."""
    diagnostic = project.diagnostic
    commune = factories.CommuneFactory(territory=project.territory, name="Saint-Chamond")
    resources = [
        factories.FindingFactory(
            diagnostic=diagnostic, kind=FindingKind.RESOURCE, title=f"Ressource {n}"
        )
        for n in (1, 2)
    ]
    needs = [
        factories.FindingFactory(
            diagnostic=diagnostic, kind=FindingKind.NEED, title=title, commune=commune
        )
        for title in ("Garde d'enfants", "Isolement des aînés", "Mobilité des jeunes")
    ]
    axes = [
        factories.AxisFactory(project=project, position=n, title=title)
        for n, title in ((1, "Parentalité"), (2, "Lien social"))
    ]
    crèche = factories.ActionFactory(
        project=project, axis=axes[0], title="Crèche à horaires élargis", commune=commune
    )
    crèche.findings.set([needs[0]])
    withdrawn = factories.ActionFactory(
        project=project, axis=axes[1], title="Café des aînés", state="withdrawn"
    )
    withdrawn.findings.set([needs[1]])
    return {"resources": resources, "needs": needs, "axes": axes, "actions": [crèche, withdrawn]}


def text(response) -> str:
    return unescape(response.content.decode())


def page(client, project):
    return client.get(reverse("web:project_detail", args=[project.pk]))


def test_the_list_shows_my_projects_by_year_with_state_and_counts(
    page_client, social_worker, project, built, other_territory
):
    factories.ProjectFactory(territory=project.territory, year=2025, title="Projet 2025")
    factories.ProjectFactory(territory=other_territory, title="Projet du Roannais")
    response = page_client(social_worker).get(reverse("web:project_list"))
    assert response.status_code == 200
    html = text(response)
    assert project.title in html and "Projet 2025" in html
    assert "Projet du Roannais" not in html  # another territory
    assert html.index("Projets 2026") < html.index("Projets 2025")
    assert "en préparation" in html
    row = html[html.index(project.title) :].split("</tr>")[0]
    # 2 actions, none approved, 2 needs without a live action (the withdrawn one does not count)
    assert [cell.split(">")[-1] for cell in row.split("</td>")[2:5]] == ["2", "0", "2"]


def test_the_list_filters_by_year_and_territory(page_client, director, project, other_territory):
    factories.ProjectFactory(territory=project.territory, year=2025, title="Projet 2025")
    factories.ProjectFactory(territory=other_territory, title="Projet du Roannais")
    client = page_client(director)
    html = text(client.get(reverse("web:project_list"), {"annee": "2025"}))
    assert "Projet 2025" in html and project.title not in html
    html = text(client.get(reverse("web:project_list"), {"territoire": "roannais"}))
    assert "Projet du Roannais" in html and project.title not in html
    html = text(client.get(reverse("web:project_list"), {"annee": "1999"}))
    assert "Aucun projet ne correspond à ces filtres." in html


def test_the_project_page_shows_diagnostic_axes_actions_and_unanswered_needs(
    page_client, social_worker, project, built
):
    response = page(page_client(social_worker), project)
    assert response.status_code == 200
    html = text(response)
    assert html.count("<h1>") == 1 and project.title in html
    for finding in built["resources"] + built["needs"]:
        assert finding.title in html
    assert "Axe 1 : Parentalité" in html and "Axe 2 : Lien social" in html
    crèche = built["actions"][0]
    assert reverse("web:action_detail", args=[crèche.pk]) in html
    assert "Saint-Chamond" in html and "retirée" in html
    unanswered = html[html.index('id="besoins-sans-action"') : html.index('id="axes"')]
    assert "Isolement des aînés" in unanswered and "Mobilité des jeunes" in unanswered
    assert "Garde d'enfants" not in unanswered
    assert f"{reverse('web:action_create')}?project={project.pk}" in html


def test_a_long_axis_shows_its_first_actions_and_links_to_the_list_of_all_of_them(
    page_client, social_worker, project, built, monkeypatch
):
    monkeypatch.setattr(projects, "ACTIONS_PER_AXIS", 2)
    monkeypatch.setattr(projects, "ANSWERING_SHOWN", 2)
    axis, need = built["axes"][0], built["needs"][0]
    for n in range(4):  # with the crèche: 5 actions on the axis, answering the need
        factories.ActionFactory(project=project, axis=axis, title=f"Atelier {n}").findings.set(
            [need]
        )
    for n in range(3):
        factories.ActionFactory(project=project, title=f"Sans axe {n}")
    client = page_client(social_worker)
    html = text(page(client, project))
    section = html[
        html.index(f'id="axis-{axis.pk}"') : html.index(f'id="axis-{built["axes"][1].pk}"')
    ]
    assert section.count('<th scope="row">') == 2
    assert "Atelier 0" in section and "Atelier 3" not in section  # by title
    link = f"/tableau-de-bord/?view=list&project={project.pk}&axis={axis.pk}"
    assert f'<a href="{link}">Voir les 5 actions de l\'axe' in section
    listed = text(client.get(link))
    assert "5 actions correspondent aux filtres" in listed
    assert all(f"Atelier {n}" in listed for n in range(4)) and "Sans axe" not in listed
    # The need answered by five live actions names two, and counts the others.
    assert "Atelier 0</a>, <a" in html and "et 3 autres actions" in html
    assert "3 actions ne sont rattachées à aucun axe." in html
    assert f'<a href="/tableau-de-bord/?view=list&project={project.pk}">Voir les 9 actions' in html


def test_the_new_action_link_is_for_the_territory_s_editors_only(page_client, secretary, project):
    html = text(page(page_client(secretary), project))
    assert "Nouvelle action dans ce projet" not in html


def test_an_action_with_an_evaluation_links_to_it(page_client, social_worker, project, built):
    action = built["actions"][0]
    evaluation = Evaluation.objects.create(action=action, due_date="2027-06-30")
    html = text(page(page_client(social_worker), project))
    assert reverse("web:evaluation_detail", args=[evaluation.pk]) in html
    assert "Évaluation prévue" in html


def test_another_territory_s_project_is_not_found(
    page_client, make_staff, project, other_territory
):
    stranger = make_staff(StaffRole.TERRITORY_MANAGER, territories=[other_territory])
    assert page(page_client(stranger), project).status_code == 404
    url = reverse("web:project_put_on_agenda", args=[project.pk])
    assert page_client(stranger).post(url, {"session": 1}).status_code == 404


def test_anonymous_visitors_sign_in_first(client, project):
    response = page(client, project)
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def query_count(client, project) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert page(client, project).status_code == 200
    return len(queries)


def test_the_project_page_queries_do_not_grow_with_actions_findings_and_axes(
    page_client, manager, project, built
):
    client = page_client(manager)
    page(client, project)  # warm caches (content types, sessions)
    small = query_count(client, project)
    commune = factories.CommuneFactory(territory=project.territory)
    for n in range(4):
        axis = factories.AxisFactory(project=project, position=3 + n)
        need = factories.FindingFactory(diagnostic=project.diagnostic, commune=commune)
        factories.FindingFactory(diagnostic=project.diagnostic, kind=FindingKind.RESOURCE)
        for _ in range(3):
            action = factories.ActionFactory(project=project, axis=axis, commune=commune)
            action.findings.set([need])
            Evaluation.objects.create(action=action, due_date="2027-06-30")
    factories.ActionFactory(project=project)  # no axis
    assert Action.objects.filter(project=project).count() == 15
    assert query_count(client, project) == small


def test_the_list_queries_do_not_grow_with_projects(page_client, director, project, built):
    client = page_client(director)
    client.get(reverse("web:project_list"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("web:project_list"))
    for year in (2020, 2021, 2022, 2023):
        other = factories.ProjectFactory(territory=project.territory, year=year)
        factories.ActionFactory.create_batch(3, project=other)
    with CaptureQueriesContext(connection) as after:
        client.get(reverse("web:project_list"))
    assert len(after) == len(before)


# --- the project's board workflow ------------------------------------------------------------


@pytest.fixture
def session(db):
    return factories.BoardSessionFactory(title="Conseil de juin")


def test_the_manager_puts_the_project_on_a_board_agenda_and_takes_it_off(
    page_client, manager, project, session
):
    client = page_client(manager)
    html = text(page(client, project))
    assert "Conseil de juin" in html  # a session to choose
    response = client.post(
        reverse("web:project_put_on_agenda", args=[project.pk]), {"session": session.pk}
    )
    assert response.status_code == 303
    html = text(client.get(response["Location"]))
    assert "Le projet est inscrit à l'ordre du jour de la séance « Conseil de juin »" in html
    project.refresh_from_db()
    assert project.state == "submitted"
    assert AgendaItem.objects.filter(session=session, project=project).exists()
    assert "soumis au conseil" in html and reverse("web:board_detail", args=[session.pk]) in html

    response = client.post(reverse("web:project_take_off_agenda", args=[project.pk]))
    assert response.status_code == 303
    html = text(client.get(response["Location"]))
    assert "il repasse en préparation" in html
    project.refresh_from_db()
    assert project.state == "draft"
    assert not AgendaItem.objects.filter(project=project).exists()


def test_a_social_worker_sees_why_they_cannot_submit_the_project(
    page_client, social_worker, project, session
):
    client = page_client(social_worker)
    html = text(page(client, project))
    assert "Votre rôle ne permet pas cette transition" in html
    response = client.post(
        reverse("web:project_put_on_agenda", args=[project.pk]),
        {"session": session.pk},
        follow=True,
    )
    assert "Votre rôle ne permet pas cette transition" in text(response)
    project.refresh_from_db()
    assert project.state == "draft"


def test_without_a_planned_session_the_reason_is_shown(page_client, manager, project):
    html = text(page(page_client(manager), project))
    assert "Aucune séance du conseil à venir n'est planifiée." in html


def test_approval_is_left_to_the_board_session(page_client, secretary, project, session):
    client = page_client(secretary)
    client.post(reverse("web:project_put_on_agenda", args=[project.pk]), {"session": session.pk})
    html = text(page(client, project))
    assert "sa décision s'enregistre sur la page de la séance" in html


def test_the_forms_need_the_csrf_token(manager, project, session):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    url = reverse("web:project_put_on_agenda", args=[project.pk])
    assert client.post(url, {"session": session.pk}).status_code == 403
    project.refresh_from_db()
    assert project.state == "draft"


def test_the_export_links_work_with_the_session(page_client, manager, project, built):
    client = page_client(manager)
    html = text(page(client, project))
    url = reverse("export-actions", kwargs={"fmt": "csv"})
    link = f"{url}?territory={project.territory.slug}&year={project.year}"
    assert link in html
    response = client.get(link)
    assert response.status_code == 200
    assert "Crèche à horaires élargis" in response.content.decode("utf-8-sig")
