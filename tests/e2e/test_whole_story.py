"""The whole story of one action, in a real browser, on the Loire demo, with the e-mails going
through a real SMTP server (aiosmtpd):

a social worker signs in and creates an action for Saint-Chamond / Saint-Julien, gives roles to
the town and two associations and opens the consultation; each partner opens the link of the
invitation e-mail and accepts; the territory manager puts the action on the next board's
agenda; the board secretary publishes the agenda, holds the session on its day and approves;
later the action starts, its evaluation is reported and validated, and the action is closed.

Every page on the way passes the axe audit; screenshots of the main pages are saved in
test-artifacts/. The clock is moved (time-machine) to the board's day, as the board cannot be
held before it.
"""

import datetime
import re

import pytest
from django.db.models import Max
from django.utils import timezone

from backend.actions.models import Action
from backend.board.models import BoardSession
from notifications.delivery.sweep import sweep
from notifications.models import Notification
from tests.e2e.accessibility import assert_accessible
from tests.e2e.conftest import browser_available
from tests.e2e.test_action_pages import add_role
from tests.notifications import text_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]

PASSWORD = "demo-caf42-2026"
TITLE = "Un café des parents à Saint-Julien"
ROLES = [
    (
        "Ville de Saint-Chamond",
        "Sébastien Rolland (Chef de projet renouvellement urbain)",
        "pilote",
        "Prête une salle de la maison de quartier et relie le café au renouvellement urbain.",
    ),
    (
        "Association des parents de Saint-Julien",
        "Nadia Cherif (Présidente)",
        "co-pilote",
        "Accueille les parents et prépare les thèmes des rencontres avec eux.",
    ),
    (
        "Loisirs Vacances Familles Loire",
        "Hugo Masson (Chargé de projets départs en vacances)",
        "contributeur",
        "Présente aux familles les aides aux premiers départs en vacances.",
    ),
]
PARTNERS = ["sebastien.rolland", "nadia.cherif", "hugo.masson"]


def sign_in(browser, live_server, username: str):
    """A fresh browser signed in through the sign-in form, as a person would."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Connexion du personnel").click()
    page.get_by_label("Identifiant ou adresse e-mail").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/tableau-de-bord/")
    return page


def shot(page, artifacts, name: str) -> None:
    assert_accessible(page)
    page.screenshot(path=artifacts / f"story-{name}.png", full_page=True)


def deliver_invitations(action) -> None:
    """One sweep when the action's invitations fall due (at once in office hours, else at
    the next opening): the reminders, due days later, stay planned."""
    invitations = Notification.objects.filter(action=action, kind="invitation", status="planned")
    due = invitations.aggregate(Max("due_at"))
    sweep(now=max(due["due_at__max"] or timezone.now(), timezone.now()))


def test_the_whole_story_of_an_action(demo, browser, live_server, smtp, time_machine, artifacts):
    # 1. The social worker of Gier-Ondaine-Pilat signs in and creates the action.
    page = sign_in(browser, live_server, "ts.gop")
    shot(page, artifacts, "1-dashboard")
    page.get_by_role("link", name="Nouvelle action").first.click()
    page.get_by_label("Intitulé").fill(TITLE)
    page.get_by_label("Résumé").fill(
        "Deux matinées par mois, les parents du quartier se retrouvent autour d'un café avec "
        "une éducatrice de jeunes enfants et une conseillère de la CAF."
    )
    page.get_by_label("Axe d'intervention").select_option(index=1)
    page.get_by_label("Commune").select_option(label="Saint-Chamond")
    page.get_by_label("Quartier").select_option(label="Saint-Julien")
    page.locator("input[name=findings]").first.check()
    page.get_by_label("Début prévu").fill("2027-01-04")
    page.get_by_label("Fin prévue").fill("2027-06-30")
    shot(page, artifacts, "2-new-action")
    page.get_by_role("button", name="Créer l'action").click()
    page.wait_for_url(re.compile(r"/actions/\d+/$"))
    for index, role in enumerate(ROLES):
        add_role(page, *role)
        if index == 0:  # the role form, audited once it is known to work
            page.get_by_role("link", name="Ajouter un rôle").click()
            shot(page, artifacts, "2b-role-form")
            page.go_back()
    # Opening the consultation with the keyboard only: Tab to the button, then Enter.
    button = page.get_by_role("button", name="Ouvrir la consultation")
    for _ in range(80):
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("the button « Ouvrir la consultation » is not reachable with Tab")
    page.keyboard.press("Enter")
    page.get_by_text("l'action est maintenant « consultation des partenaires »").wait_for()
    shot(page, artifacts, "3-consultation-open")
    action = Action.objects.get(title=TITLE)
    assert action.state == "consultation"
    page.context.close()

    # 2. The invitations arrive by e-mail; each partner follows the link and accepts.
    deliver_invitations(action)
    for index, partner in enumerate(PARTNERS):
        received = [m for m in smtp.messages if m["To"].startswith(partner)]
        invitations = [m for m in received if TITLE in text_of(m)]
        assert len(invitations) == 1, [(m["To"], m["Subject"]) for m in received]
        invitation = invitations[0]
        link = re.search(r"https?://\S+/respond/[\w:.-]+/", text_of(invitation)).group(0)
        context = browser.new_context(locale="fr-FR")
        partner_page = context.new_page()
        partner_page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
        if index == 0:
            shot(partner_page, artifacts, "4-partner-link")
        partner_page.get_by_label("Accepter le rôle").check()
        partner_page.get_by_role("button", name="Envoyer ma réponse").click()
        partner_page.get_by_role("heading", name="Merci, votre réponse est enregistrée").wait_for()
        context.close()
    action.refresh_from_db()
    assert action.state == "ready_for_board"

    # 3. The territory manager puts it on the agenda of the next (planned) board session.
    session = BoardSession.objects.filter(state="planned").order_by("date").first()
    page = sign_in(browser, live_server, "rt.gop")
    page.goto(f"/actions/{action.pk}/")
    page.get_by_label("Séance du conseil").select_option(index=0)
    page.get_by_role("button", name="Inscrire au conseil").click()
    page.get_by_text("l'action est maintenant « inscrite au conseil »").wait_for()
    page.context.close()

    # 4. The board secretary publishes the agenda, holds the session on its day, approves.
    page = sign_in(browser, live_server, "secretariat")
    page.goto(f"/conseil/{session.pk}/")
    page.get_by_role("button", name="Publier l'ordre du jour").click()
    page.get_by_text("L'ordre du jour est publié.").wait_for()
    shot(page, artifacts, "5-board-agenda-published")
    page.context.close()
    # The board's day (24 days later: the secretary signs in again).
    time_machine.move_to(session.date + datetime.timedelta(minutes=30), tick=True)
    page = sign_in(browser, live_server, "secretariat")
    page.goto(f"/conseil/{session.pk}/")
    page.get_by_role("button", name="Tenir la séance").click()
    page.get_by_text("La séance est tenue").wait_for()
    page.get_by_label(f"Décision pour « {TITLE} »").select_option(label="Approuvée")
    page.get_by_label(f"N° de délibération pour « {TITLE} »").fill("CA-2027-014")
    shot(page, artifacts, "6-board-decisions")
    page.get_by_role("button", name="Enregistrer les décisions").click()
    page.get_by_text("1 décision enregistrée.").wait_for()
    action.refresh_from_db()
    assert action.state == "approved"
    page.context.close()
    # The next sweep tells each partner the board's decision.
    sweep()
    for partner in PARTNERS:
        decisions = [
            m
            for m in smtp.messages
            if m["To"].startswith(partner)
            and "Le conseil d'administration a approuvé l'action" in text_of(m)
        ]
        assert len(decisions) == 1, partner

    # 5. Later: the action starts, then goes to evaluation; the social worker reports.
    page = sign_in(browser, live_server, "ts.gop")
    page.goto(f"/actions/{action.pk}/")
    page.get_by_role("button", name="Démarrer").click()
    page.get_by_text("l'action est maintenant « en cours »").wait_for()
    page.get_by_role("button", name="Passer en évaluation").click()
    page.get_by_text("l'action est maintenant « en évaluation »").wait_for()
    page.get_by_role("link", name="Évaluation").first.click()
    page.get_by_role("link", name="Modifier le plan").click()
    page.locator("input[name$=label]").first.fill("Familles venues au moins une fois")
    page.locator("input[name$=target]").first.fill("40")
    page.get_by_role("button", name="Enregistrer le plan").click()
    page.get_by_label("Familles venues au moins une fois").fill("46")
    page.get_by_label("Participants").fill("46")
    page.get_by_label("Bilan").fill("Douze matinées tenues, souvent complètes.")
    page.get_by_role("button", name="Remettre le rapport").click()
    page.get_by_text("remis").first.wait_for()
    page.context.close()

    # 6. The territory manager validates the evaluation and closes the action.
    page = sign_in(browser, live_server, "rt.gop")
    page.goto(f"/actions/{action.pk}/")
    page.get_by_role("link", name="Évaluation").first.click()
    page.get_by_role("button", name="Valider le rapport").click()
    page.get_by_text("validé").first.wait_for()
    shot(page, artifacts, "7-evaluation-validated")
    page.goto(f"/actions/{action.pk}/")
    page.get_by_role("button", name="Clôturer").click()
    page.get_by_text("l'action est maintenant « clôturée »").wait_for()
    shot(page, artifacts, "8-action-closed")
    action.refresh_from_db()
    assert action.state == "closed"
    page.context.close()
