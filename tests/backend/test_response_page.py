"""The partner's response page, /respond/<token>/: what it shows, what an answer does, and the
page and status of every link that does not work (Django test client, real PostgreSQL)."""

import datetime
import html
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from backend.actions.consultation import answer_by_link
from backend.actions.link_access import revoke_link
from backend.actions.links import SALT, token_for
from backend.actions.models import Action, ActionState, RoleAssignment, RoleKind, RoleState
from backend.actions.services import withdraw_role
from backend.actions.transitions import revise_action, submit_action
from backend.territories.models import FindingKind
from tests import factories
from workflows.errors import TransitionConflict
from workflows.models import TransitionLog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttle")]


def url(token: str) -> str:
    return f"/respond/{token}/"


def token_of(role) -> str:
    return token_for(RoleAssignment.objects.get(pk=role.pk))


@pytest.fixture
def consultation(territory, project, action, pilot, social_worker):
    """An action in consultation: a pilot, two co-pilots, a funder, findings and a place."""
    commune = factories.CommuneFactory(territory=territory, name="Saint-Chamond")
    quartier = factories.NeighbourhoodFactory(commune=commune, name="Saint-Julien")
    diagnostic = project.diagnostic
    need = factories.FindingFactory(
        diagnostic=diagnostic, kind=FindingKind.NEED, title="Peu de modes de garde le soir"
    )
    resource = factories.FindingFactory(
        diagnostic=diagnostic, kind=FindingKind.RESOURCE, title="Un centre social très actif"
    )
    Action.objects.filter(pk=action.pk).update(
        title="Accueil parents-enfants à Saint-Julien",
        summary="Un lieu d'accueil pour les parents et leurs jeunes enfants.",
        commune=commune,
        neighbourhood=quartier,
    )
    action.refresh_from_db()
    action.findings.set([need, resource])

    def partner(name, kind, **fields):
        organisation = factories.OrganisationFactory(name=name, territories=[territory])
        contact = factories.ContactFactory(organisation=organisation, last_name=f"Contact {name}")
        return factories.RoleFactory(
            action=action, organisation=organisation, contact=contact, kind=kind, **fields
        )

    roles = {
        "pilot": pilot,
        "copilot_a": partner(
            "Centre social Saint-Julien",
            RoleKind.CO_PILOT,
            description="Co-anime les ateliers du mercredi.",
            time_commitment="2 demi-journées par mois",
            venue="Salle polyvalente du centre social",
        ),
        "copilot_b": partner("Ville de Saint-Chamond", RoleKind.CO_PILOT),
        "funder": partner(
            "Département de la Loire",
            RoleKind.FUNDER,
            description="Finance l'animatrice.",
            financial_commitment=Decimal("12500.00"),
        ),
    }
    submit_action(action, actor=social_worker)
    return {name: RoleAssignment.objects.get(pk=role.pk) for name, role in roles.items()}


# --- what the page shows ----------------------------------------------------------------------


def test_the_page_shows_the_action_its_place_findings_this_role_and_the_others(
    client, consultation, territory
):
    role = consultation["copilot_a"]
    response = client.get(url(token_of(role)))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Accueil parents-enfants à Saint-Julien" in html
    assert "Un lieu d&#x27;accueil pour les parents" in html
    assert territory.name in html
    assert "Saint-Chamond" in html and "Saint-Julien" in html
    assert "Peu de modes de garde le soir" in html and "Un centre social très actif" in html
    # this partner's role
    assert "Centre social Saint-Julien" in html
    assert "Co-pilote" in html
    assert "Co-anime les ateliers du mercredi." in html
    assert "2 demi-journées par mois" in html
    assert "Salle polyvalente du centre social" in html
    assert role.contact.full_name in html
    # shared kind, and the other partners with their kind and state
    assert "rôle partagé avec Ville de Saint-Chamond" in html
    assert consultation["pilot"].organisation.name in html
    assert "Département de la Loire" in html and "Financeur" in html
    assert "Réponse : en attente" in html
    # the form: CSRF, three radios in a fieldset, a comment field
    assert "csrfmiddlewaretoken" in html
    assert "<fieldset" in html and "<legend>" in html
    for value in ("accept", "decline", "request_changes"):
        assert f'type="radio" name="decision" id="decision-{value}" value="{value}"' in html
    assert '<label for="comment">' in html


def test_the_deadline_is_in_french_and_the_money_in_euros(client, consultation):
    Action.objects.filter(pk=consultation["funder"].action_id).update(
        consultation_deadline=datetime.date(2099, 3, 2)
    )
    html = client.get(url(token_of(consultation["funder"]))).content.decode()
    assert "lundi 2 mars 2099" in html
    assert "12\xa0500\xa0€" in html  # 12 500 €, never broken across lines


def test_other_partners_answers_show_their_state_but_never_their_comments(client, consultation):
    answer_by_link(
        token_of(consultation["copilot_b"]),
        decision="request_changes",
        comment="Notre élue souhaite un créneau le samedi matin.",
    )
    response = client.get(url(token_of(consultation["copilot_a"])))
    html = response.content.decode()
    assert "modifications demandées" in html
    assert "samedi matin" not in html
    assert consultation["copilot_b"].contact.email not in html
    assert consultation["pilot"].contact.email not in html


def test_head_requests_and_other_methods(client, consultation):
    token = token_of(consultation["pilot"])
    assert client.head(url(token)).status_code == 200
    assert client.put(url(token)).status_code == 405
    assert client.delete(url(token)).status_code == 405
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.INVITED


def test_the_page_is_kept_out_of_indexes_caches_and_referrers(client, consultation):
    response = client.get(url(token_of(consultation["pilot"])))
    # same-origin, not no-referrer: browsers would send "Origin: null" with the form (CSRF 403)
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "<main" in html and "<header" in html and "<footer" in html
    assert "/admin/" not in html and "/api/" not in html  # no staff navigation


def test_a_role_page_never_shows_another_action(client, consultation, project, social_worker):
    other = factories.ActionFactory(project=project, title="Jardin partagé des Fonds")
    other_role = factories.RoleFactory(
        action=other, organisation=factories.OrganisationFactory(name="Association Les Fonds")
    )
    submit_action(other, actor=social_worker)
    html = client.get(url(token_of(consultation["pilot"]))).content.decode()
    assert "Jardin partagé des Fonds" not in html and "Association Les Fonds" not in html
    html = client.get(url(token_of(other_role))).content.decode()
    assert "Jardin partagé des Fonds" in html
    assert "Accueil parents-enfants" not in html and "Centre social Saint-Julien" not in html


# --- answering -----------------------------------------------------------------------------------


def test_accepting_records_the_answer_and_confirms_it(client, action, pilot, social_worker):
    submit_action(action, actor=social_worker)
    response = client.post(url(token_of(pilot)), {"decision": "accept", "comment": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Merci, votre réponse est enregistrée" in html
    assert "accepté" in html
    assert timezone.localtime().strftime("%Y à %H\xa0h\xa0") in html  # "24 novembre 2026 à 14 h 05"
    role = RoleAssignment.objects.get(pk=pilot.pk)
    assert role.state == RoleState.ACCEPTED
    assert role.responded_at is not None
    log = TransitionLog.objects.get(action=action, transition="accept")
    assert pilot.contact.full_name in log.actor_label
    # the only role accepted: the consultation completes by itself
    assert Action.objects.get(pk=action.pk).state == ActionState.READY_FOR_BOARD


def test_asking_for_changes_keeps_the_comment(client, consultation):
    role = consultation["funder"]
    response = client.post(
        url(token_of(role)),
        {"decision": "request_changes", "comment": "Plutôt 10 000 € cette année."},
    )
    assert response.status_code == 200
    assert "Plutôt 10 000 € cette année." in response.content.decode()
    role.refresh_from_db()
    assert (role.state, role.response_comment) == (
        RoleState.CHANGES_REQUESTED,
        "Plutôt 10 000 € cette année.",
    )


def test_declining_without_a_comment_is_refused_and_changes_nothing(client, consultation):
    role = consultation["copilot_b"]
    token = token_of(role)
    response = client.post(url(token), {"decision": "decline", "comment": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="comment-error"' in html
    assert "Dites en quelques mots ce qui ne vous convient pas." in html
    assert 'aria-invalid="true"' in html
    assert 'value="decline" aria-describedby="decision-decline-hint" checked' in html
    role_after = RoleAssignment.objects.get(pk=role.pk)
    assert role_after.state == RoleState.INVITED
    assert role_after.link_nonce == role.link_nonce
    assert role_after.responded_at is None
    assert not TransitionLog.objects.filter(transition="decline").exists()
    assert client.get(url(token)).status_code == 200  # the link still works


def test_no_choice_is_refused_and_what_was_typed_is_kept(client, consultation):
    role = consultation["pilot"]
    response = client.post(url(token_of(role)), {"comment": "Nous hésitons encore <b>"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="decision-error"' in html
    assert "Choisissez l&#x27;une des trois réponses proposées." in html
    assert "Nous hésitons encore &lt;b&gt;</textarea>" in html
    assert RoleAssignment.objects.get(pk=role.pk).state == RoleState.INVITED


def test_the_link_is_the_credential_no_csrf_cookie_needed(consultation):
    """Some partners' browsers drop cookies: the answer goes through without the CSRF cookie,
    from the page itself (what a browser says of a same-origin post)."""
    browser = Client(enforce_csrf_checks=True)
    token = token_of(consultation["pilot"])
    response = browser.post(
        url(token), {"decision": "accept"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert response.status_code == 200
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.ACCEPTED


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://x.example"},
    ],
)
def test_a_post_from_another_site_is_refused(consultation, headers):
    browser = Client(enforce_csrf_checks=True)
    token = token_of(consultation["pilot"])
    response = browser.post(url(token), {"decision": "decline", "comment": "?"}, headers=headers)
    assert response.status_code == 403
    assert "<h1>Le formulaire n'a pas pu être envoyé</h1>" in html.unescape(
        response.content.decode()
    )
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.INVITED


def test_a_second_answer_gets_the_already_answered_page(client, consultation):
    role = consultation["copilot_a"]
    token = token_of(role)
    assert client.post(url(token), {"decision": "accept"}).status_code == 200
    again = client.post(url(token), {"decision": "decline", "comment": "Finalement non."})
    assert again.status_code == 409
    html = again.content.decode()
    assert "Réponse déjà enregistrée" in html
    assert "accepté" in html
    assert RoleAssignment.objects.get(pk=role.pk).state == RoleState.ACCEPTED
    # coming back to the link shows the answer, without the form
    revisit = client.get(url(token))
    assert revisit.status_code == 200
    html = revisit.content.decode()
    assert "Réponse déjà enregistrée" in html and "<form" not in html
    assert timezone.localdate().strftime("%Y") in html


def test_a_declined_role_shows_the_refusal_on_its_link(client, consultation):
    role = consultation["funder"]
    token = token_of(role)
    answer_by_link(token, decision="decline", comment="Budget épuisé.")
    response = client.get(url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Réponse déjà enregistrée" in html and "refusé" in html and "<form" not in html
    assert "Budget épuisé." not in html  # the link shows the answer, not the comment
    assert client.post(url(token), {"decision": "accept"}).status_code == 409


def test_a_conflict_while_answering_is_a_409_page(client, consultation, monkeypatch):
    def conflict(token, **kwargs):
        raise TransitionConflict("La consultation de cette action est terminée.")

    monkeypatch.setattr("backend.respond.views.answer_by_link", conflict)
    response = client.post(url(token_of(consultation["pilot"])), {"decision": "accept"})
    assert response.status_code == 409
    assert "La consultation de cette action est terminée." in response.content.decode()


# --- links that do not work ----------------------------------------------------------------------


def tampered(token: str) -> str:
    middle = len(token) // 2
    return token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]


def test_a_tampered_token_is_an_invalid_link(client, consultation):
    response = client.get(url(tampered(token_of(consultation["pilot"]))))
    assert response.status_code == 404
    assert "Lien invalide" in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    response = client.post(url(tampered(token_of(consultation["pilot"]))), {"decision": "accept"})
    assert response.status_code == 404
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.INVITED


def test_a_replaced_link_is_gone(client, consultation, manager):
    role = consultation["copilot_b"]
    old_token = token_of(role)
    revoke_link(role, user=manager)
    response = client.get(url(old_token))
    assert response.status_code == 410
    assert "Ce lien a été remplacé ou révoqué" in response.content.decode()
    assert client.get(url(token_of(role))).status_code == 200


def test_the_link_of_a_withdrawn_role_is_gone(client, consultation, social_worker):
    role = consultation["funder"]
    token = token_of(role)
    withdraw_role(role, user=social_worker, comment="Le Département ne finance plus.")
    response = client.post(url(token), {"decision": "accept"})
    assert response.status_code == 410
    assert "remplacé ou révoqué" in response.content.decode()
    assert client.get(url(token)).status_code == 410
    # the others no longer see it among the partners
    html = client.get(url(token_of(consultation["pilot"]))).content.decode()
    assert "Département de la Loire" not in html


def test_links_stop_working_when_the_action_goes_back_to_draft(client, consultation, social_worker):
    token = token_of(consultation["pilot"])
    revise_action(consultation["pilot"].action, actor=social_worker)
    response = client.get(url(token))
    assert response.status_code == 410
    assert "remplacé ou révoqué" in response.content.decode()
    assert client.post(url(token), {"decision": "accept"}).status_code == 410
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.PROPOSED


def test_a_link_long_after_the_deadline_says_the_consultation_is_over(client, consultation):
    role = consultation["pilot"]
    Action.objects.filter(pk=role.action_id).update(
        consultation_deadline=timezone.localdate() - datetime.timedelta(days=31)
    )
    response = client.get(url(token_of(role)))
    assert response.status_code == 410
    html = response.content.decode()
    assert "La consultation est terminée" in html and "<form" not in html
    assert client.post(url(token_of(role)), {"decision": "accept"}).status_code == 410


def test_a_link_shortly_after_the_deadline_still_works(client, consultation):
    role = consultation["pilot"]
    Action.objects.filter(pk=role.action_id).update(
        consultation_deadline=timezone.localdate() - datetime.timedelta(days=3)
    )
    response = client.get(url(token_of(role)))
    assert response.status_code == 200
    assert "La date limite de réponse était le" in response.content.decode()


GARBAGE = [
    "x",
    "a" * 5000,
    quote("é🙂中文-ключ"),
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "a/b/c",
    "1:2:3",
    "<script>alert(1)</script>",
    quote("' OR 1=1 --"),
    signing.dumps([1, "x"], salt="another-salt"),
    signing.dumps([999_999_999, "x"], salt=SALT),
    signing.dumps([10**30, "x"], salt=SALT),
    signing.dumps("not-a-pair", salt=SALT),
    signing.dumps({"a": 1, "b": 2}, salt=SALT),
    signing.dumps([None, None], salt=SALT),
    signing.dumps(["1", ""], salt=SALT),
]


# Named by position: a signed token holds the second it was made, and the ids must be the same in
# every pytest-xdist worker.
@pytest.mark.parametrize("token", GARBAGE, ids=[f"garbage-{n}" for n in range(len(GARBAGE))])
def test_garbage_tokens_never_break_the_page(client, consultation, token, settings):
    settings.BAD_LINK_LIMIT = 1000
    for response in (client.get(url(token)), client.post(url(token), {"decision": "accept"})):
        assert response.status_code in (404, 410), response.status_code
        assert "<script>" not in response.content.decode()
    assert RoleAssignment.objects.filter(state=RoleState.INVITED).count() == 4


def test_too_many_bad_links_from_one_address_get_429(client, consultation, settings):
    settings.BAD_LINK_LIMIT = 3
    good = token_of(consultation["pilot"])
    assert client.get(url(good)).status_code == 200  # good links are not counted
    for attempt in range(3):
        assert client.get(url(f"guess-{attempt}")).status_code == 404
    response = client.get(url(good))
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert response["Retry-After"]
    assert client.post(url(good), {"decision": "accept"}).status_code == 429
    assert RoleAssignment.objects.get(pk=consultation["pilot"].pk).state == RoleState.INVITED
    # another address is not blocked
    assert client.get(url(good), REMOTE_ADDR="203.0.113.7").status_code == 200


def test_revoked_links_count_as_bad_links(client, consultation, manager, settings):
    settings.BAD_LINK_LIMIT = 2
    role = consultation["copilot_b"]
    old = token_of(role)
    revoke_link(role, user=manager)
    assert client.get(url(old)).status_code == 410
    assert client.get(url(old)).status_code == 410
    assert client.get(url(token_of(role))).status_code == 429


def test_coming_back_to_an_answered_link_is_not_a_bad_link(client, consultation, settings):
    settings.BAD_LINK_LIMIT = 2
    token = token_of(consultation["pilot"])
    client.post(url(token), {"decision": "accept"})
    for _ in range(3):
        assert client.get(url(token)).status_code == 200
    assert client.get(url(token_of(consultation["funder"]))).status_code == 200
