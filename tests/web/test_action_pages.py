"""The action page, the action and role forms: what a user sees and what the buttons do."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backend.accounts.models import StaffRole
from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from backend.territories.models import FindingKind
from tests import factories
from workflows.models import TransitionLog

pytestmark = pytest.mark.django_db


def detail(action):
    return reverse("web:action_detail", args=[action.pk])


def transition_url(action, name):
    return reverse("web:action_transition", args=[action.pk, name])


def text(response) -> str:
    return response.content.decode()


def in_state(action, state):
    Action.objects.filter(pk=action.pk).update(state=state)
    action.refresh_from_db()
    return action


@pytest.fixture
def place(territory):
    commune = factories.CommuneFactory(territory=territory, name="Saint-Chamond")
    return factories.NeighbourhoodFactory(commune=commune, name="Saint-Julien")


# --- the action page -------------------------------------------------------------------------


def test_the_action_page_tells_the_whole_action(page_client, social_worker, action, pilot, place):
    finding = factories.FindingFactory(
        diagnostic=action.project.diagnostic, kind=FindingKind.NEED, title="Peu de lieux parents"
    )
    action.findings.add(finding)
    action.commune, action.neighbourhood = place.commune, place
    action.save()
    submit_action(action, actor=social_worker, comment="C'est parti.")

    response = page_client(social_worker).get(detail(action))

    assert response.status_code == 200
    page = text(response)
    assert f"<h1>{action.title}</h1>" in page
    assert "consultation des partenaires" in page
    assert "Saint-Chamond, quartier Saint-Julien" in page
    assert "Peu de lieux parents" in page and "Manque" in page
    assert pilot.organisation.name in page and pilot.contact.full_name in page
    assert "invité" in page  # the role's state in the matrix
    assert "Ouvrir la consultation" in page and "C&#x27;est parti." in page  # the timeline
    assert "Invitation à répondre" in page and pilot.contact.email in page  # the reminders
    assert "Revenir au brouillon" in page  # a transition possible from here


def test_a_refused_transition_is_shown_disabled_with_its_reason(page_client, social_worker, action):
    page = text(page_client(social_worker).get(detail(action)))

    assert 'disabled aria-describedby="why-submit"' in page
    assert "Au moins un partenaire doit avoir le rôle de pilote." in page
    assert "Inscrire au conseil" not in page  # impossible from a draft: not offered at all


def test_the_page_links_the_board_session_and_the_evaluation(page_client, manager, action):
    from backend.evaluations.models import Evaluation

    session = factories.BoardSessionFactory(title="Conseil de juin")
    Action.objects.filter(pk=action.pk).update(board_session=session, state="in_progress")
    evaluation = Evaluation.objects.create(action=action, due_date=datetime.date(2027, 1, 31))

    page = text(page_client(manager).get(detail(action)))

    assert reverse("web:board_detail", args=[session.pk]) in page and "Conseil de juin" in page
    assert reverse("web:evaluation_detail", args=[evaluation.pk]) in page


# --- transitions -----------------------------------------------------------------------------


def test_opening_the_consultation_from_its_button(page_client, social_worker, action, pilot):
    client = page_client(social_worker)

    response = client.post(transition_url(action, "submit"), {"comment": "Allons-y"})

    assert response.status_code == 303 and response["Location"] == detail(action)
    action.refresh_from_db()
    pilot.refresh_from_db()
    assert action.state == "consultation" and pilot.state == "invited"
    page = text(client.get(detail(action)))
    assert "l&#x27;action est maintenant « consultation des partenaires »" in page


def test_a_guard_refusal_comes_back_as_an_error_message(page_client, social_worker, action, pilot):
    RoleAssignment.objects.filter(pk=pilot.pk).update(contact=None)
    client = page_client(social_worker)

    response = client.post(transition_url(action, "submit"), follow=True)

    assert "Chaque rôle doit nommer l&#x27;interlocuteur" in text(response)
    assert "message-error" in text(response)
    action.refresh_from_db()
    assert action.state == "draft"


def test_withdrawing_an_action_needs_a_reason(page_client, social_worker, action):
    client = page_client(social_worker)

    refused = client.post(transition_url(action, "withdraw"), follow=True)
    assert "Un commentaire est obligatoire" in text(refused)
    assert Action.objects.get(pk=action.pk).state == "draft"

    client.post(transition_url(action, "withdraw"), {"comment": "Projet abandonné."})
    assert Action.objects.get(pk=action.pk).state == "withdrawn"


def test_scheduling_offers_the_planned_sessions(page_client, manager, action):
    in_state(action, "ready_for_board")
    session = factories.BoardSessionFactory(title="Conseil d'automne")
    factories.BoardSessionFactory(
        title="Conseil passé", date=timezone.now() - datetime.timedelta(days=3)
    )
    client = page_client(manager)

    page = text(client.get(detail(action)))
    assert "Conseil d&#x27;automne" in page and "Conseil passé" not in page
    assert '<label for="board-session">Séance du conseil</label>' in page

    client.post(transition_url(action, "schedule"), {"board_session": session.pk})
    action.refresh_from_db()
    assert action.state == "scheduled" and action.board_session == session


def test_an_unknown_transition_is_not_found(page_client, social_worker, action):
    response = page_client(social_worker).post(transition_url(action, "approve"))
    assert response.status_code == 404


# --- creating and editing an action ----------------------------------------------------------


def test_creating_an_action(page_client, social_worker, project, place, other_territory):
    axis = factories.AxisFactory(project=project, title="Soutenir les parents")
    finding = factories.FindingFactory(diagnostic=project.diagnostic, title="Parents isolés")
    elsewhere = factories.CommuneFactory(territory=other_territory, name="Roanne")
    factories.ProjectFactory(territory=other_territory, title="Projet du Roannais")
    client = page_client(social_worker)

    form = text(client.get(reverse("web:action_create")))
    assert "Soutenir les parents" in form and "Parents isolés" in form
    assert '<optgroup label="Saint-Chamond">' in form and "Saint-Julien" in form
    assert "Roanne" not in form and "Projet du Roannais" not in form
    assert '<label for="id_title">Intitulé</label>' in form

    deadline = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(
        reverse("web:action_create"),
        {
            "project": project.pk,
            "title": "Un lieu pour les parents",
            "summary": "Un lieu d'accueil parents-enfants à Saint-Julien.",
            "axis": axis.pk,
            "commune": place.commune.pk,
            "neighbourhood": place.pk,
            "findings": [finding.pk],
            "consultation_deadline": deadline.isoformat(),
            "planned_start": "2026-09-01",
            "planned_end": "2027-06-30",
        },
    )

    action = Action.objects.get(title="Un lieu pour les parents")
    assert response.status_code == 303 and response["Location"] == detail(action)
    assert action.neighbourhood == place and action.commune == place.commune
    assert list(action.findings.all()) == [finding]
    assert action.social_worker == social_worker and action.consultation_deadline == deadline

    refused = client.post(
        reverse("web:action_create"),
        {"project": project.pk, "title": "Ailleurs", "summary": "x", "commune": elsewhere.pk},
    )
    assert refused.status_code == 400
    assert 'aria-invalid="true"' in text(refused) and "error-summary" in text(refused)
    assert not Action.objects.filter(title="Ailleurs").exists()


def test_the_service_refusals_land_on_the_fields(page_client, social_worker, project):
    response = page_client(social_worker).post(
        reverse("web:action_create"),
        {
            "project": project.pk,
            "title": "Trop tard",
            "summary": "x",
            "consultation_deadline": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 400
    page = text(response)
    assert "La date limite de consultation doit être dans le futur." in page
    assert 'id="id_consultation_deadline-error"' in page


def test_a_user_with_several_projects_chooses_one_first(page_client, social_worker, project):
    factories.ProjectFactory(territory=project.territory, year=2027, title="Projet 2027")
    client = page_client(social_worker)

    first = text(client.get(reverse("web:action_create")))
    assert 'method="get"' in first and "Projet 2027" in first and "id_title" not in first

    second = text(client.get(reverse("web:action_create") + f"?project={project.pk}"))
    assert "id_title" in second


def test_editing_an_action_while_it_may_change(page_client, social_worker, action):
    client = page_client(social_worker)
    url = reverse("web:action_edit", args=[action.pk])

    assert action.title in text(client.get(url))
    response = client.post(url, {"title": "Nouveau titre", "summary": action.summary})
    assert response.status_code == 303
    assert Action.objects.get(pk=action.pk).title == "Nouveau titre"

    in_state(action, "scheduled")
    refused = client.get(url, follow=True)
    assert "L&#x27;action ne se modifie plus dans l&#x27;état « inscrite au conseil »" in text(
        refused
    )
    assert "Modifier l&#x27;action</a>" not in text(refused)


def test_only_editors_create_actions(page_client, secretary):
    assert page_client(secretary).get(reverse("web:action_create")).status_code == 403


# --- roles -----------------------------------------------------------------------------------


def test_adding_a_role(page_client, social_worker, action, organisation, other_territory):
    contact = factories.ContactFactory(organisation=organisation, first_name="Annie")
    other = factories.OrganisationFactory(territories=[action.project.territory])
    stranger = factories.ContactFactory(organisation=other)
    elsewhere = factories.OrganisationFactory(
        name="Asso du Roannais", territories=[other_territory]
    )
    client = page_client(social_worker)
    url = reverse("web:role_create", args=[action.pk])

    form = text(client.get(url))
    assert f'<optgroup label="{organisation.name}">' in form and "Asso du Roannais" not in form
    assert '<label for="id_organisation">Organisation partenaire</label>' in form

    wrong = client.post(
        url,
        {"organisation": organisation.pk, "contact": stranger.pk, "kind": "pilot",
         "description": "Pilote."},
    )  # fmt: skip
    assert wrong.status_code == 400 and "n&#x27;appartient pas à" in text(wrong)
    outside = client.post(
        url, {"organisation": elsewhere.pk, "kind": "pilot", "description": "Pilote."}
    )
    assert outside.status_code == 400

    response = client.post(
        url,
        {"organisation": organisation.pk, "contact": contact.pk, "kind": "pilot",
         "description": "Pilote l'action.", "financial_commitment": "1500"},
    )  # fmt: skip
    assert response.status_code == 303
    role = RoleAssignment.objects.get(action=action)
    assert role.contact == contact and role.kind == "pilot" and role.state == "proposed"
    assert f"Le rôle de {organisation.name} est ajouté." in text(client.get(detail(action)))

    duplicate = client.post(
        url, {"organisation": organisation.pk, "kind": "pilot", "description": "Encore."}
    )
    assert duplicate.status_code == 400
    assert "Cette organisation a déjà ce rôle sur l&#x27;action." in text(duplicate)


def test_the_contact_select_narrows_to_the_chosen_organisation(
    page_client, social_worker, action, organisation
):
    mine = factories.ContactFactory(organisation=organisation, last_name="Rolland")
    other = factories.ContactFactory(
        organisation=factories.OrganisationFactory(territories=[action.project.territory]),
        last_name="Benali",
    )
    url = reverse("web:role_contacts", args=[action.pk])

    page = text(page_client(social_worker).get(url, {"organisation": organisation.pk}))

    assert page.startswith('<div id="contact-field">')
    assert mine.last_name in page and other.last_name not in page


def test_editing_withdrawing_and_renewing_the_link_of_a_role(
    page_client, social_worker, action, pilot
):
    client = page_client(social_worker)
    edit = reverse("web:role_edit", args=[action.pk, pilot.pk])
    assert "Pilote l&#x27;action." in text(client.get(edit))
    client.post(
        edit,
        {"organisation": pilot.organisation_id, "contact": pilot.contact_id, "kind": "co_pilot",
         "description": "Copilote."},
    )  # fmt: skip
    pilot.refresh_from_db()
    assert pilot.kind == "co_pilot" and pilot.description == "Copilote."

    RoleAssignment.objects.filter(pk=pilot.pk).update(state="invited", link_nonce="old")
    Action.objects.filter(pk=action.pk).update(social_worker=social_worker)  # holds the links
    client.post(reverse("web:role_revoke_link", args=[action.pk, pilot.pk]))
    pilot.refresh_from_db()
    assert pilot.link_nonce not in ("", "old")

    client.post(reverse("web:role_withdraw", args=[action.pk, pilot.pk]), {"comment": "Non."})
    pilot.refresh_from_db()
    assert pilot.state == "withdrawn"


# --- safety and speed ------------------------------------------------------------------------


def test_another_territorys_action_is_not_found(page_client, make_staff, other_territory, pilot):
    action = pilot.action
    stranger = make_staff(StaffRole.SOCIAL_WORKER, territories=[other_territory])
    client = page_client(stranger)
    urls = [
        detail(action),
        reverse("web:action_edit", args=[action.pk]),
        reverse("web:role_create", args=[action.pk]),
        reverse("web:role_edit", args=[action.pk, pilot.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    for url in (
        transition_url(action, "submit"),
        reverse("web:role_withdraw", args=[action.pk, pilot.pk]),
        reverse("web:role_revoke_link", args=[action.pk, pilot.pk]),
    ):
        assert client.post(url).status_code == 404, url
    assert Action.objects.get(pk=action.pk).state == "draft"


def test_forms_need_the_csrf_token(social_worker, action, pilot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(social_worker)
    assert client.post(transition_url(action, "submit")).status_code == 403
    response = client.post(reverse("web:role_create", args=[action.pk]), {})
    assert response.status_code == 403


def _action_with(project, roles: int, logs: int, user):
    action = factories.ActionFactory(project=project)
    for index in range(roles):
        factories.RoleFactory(action=action, kind="pilot" if index == 0 else "contributor")
    submit_action(action, actor=user)  # invitations, reminders, log rows
    for _ in range(logs):
        TransitionLog.objects.create(
            subject=action, action=action, transition="revise", source="consultation",
            target="draft", actor_label="Camille",
        )  # fmt: skip
    return action


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_action_page_runs_the_same_queries_for_2_or_12_roles(
    page_client, social_worker, manager, director, project, territory
):
    organisation_territories = [territory]
    small = _action_with(project, roles=2, logs=2, user=social_worker)
    large = _action_with(project, roles=12, logs=20, user=social_worker)
    for role in RoleAssignment.objects.all():
        role.organisation.territories.set(organisation_territories)
    client = page_client(social_worker)
    client.get(detail(small))  # warm the content-type cache

    counts = _queries(client, detail(small)), _queries(client, detail(large))
    print("action page queries (2 roles/2 logs, 12 roles/20 logs):", counts)
    assert counts[0] == counts[1]
    for user in (manager, director):  # other roles see other transitions: still constant
        client = page_client(user)
        assert _queries(client, detail(small)) == _queries(client, detail(large))
    assert RoleAssignment.objects.filter(action=large).count() == 12
    assert TransitionLog.objects.filter(action=large).count() >= 20
