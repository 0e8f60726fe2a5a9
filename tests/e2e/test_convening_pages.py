"""Convening the board in a real browser, on the Loire demo: the secretary adds a member,
publishes the agenda of the next session and follows the answers; a member answers from the
attendance link of their convocation on a phone (touch, 375 px), gives a proxy, is refused a
proxy to an absent member; then the secretary holds the session of the day with the attendance
confirmed, and the minutes are offered."""

import re

import pytest
from django.conf import settings

from backend.accounts.models import User
from backend.board.attendance import attendance_link
from backend.board.models import BoardSession, Convocation
from tests.e2e.accessibility import assert_accessible, no_horizontal_scroll
from tests.e2e.conftest import browser_available
from tests.e2e.devices import PHONE

pytestmark = [
    pytest.mark.usefixtures("fresh_throttle"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not browser_available(), reason="Playwright or Chromium missing"),
]


def session(key: str) -> BoardSession:
    from backend.demo import data

    return BoardSession.objects.get(title=data.BOARD_SESSIONS[key]["title"])


def attendance_path(session: BoardSession, last_name: str) -> str:
    convocation = Convocation.objects.get(session=session, member__last_name=last_name)
    return attendance_link(convocation).removeprefix(settings.SITE_URL)


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.locator("main").inner_text())


def test_the_secretary_convenes_and_a_member_answers_on_a_phone(
    demo, signed_in, browser, live_server, artifacts
):
    secretary = User.objects.get(username="secretariat")
    page = signed_in(secretary)

    # A new member, from the members' page.
    page.goto("/conseil/")
    page.get_by_role("link", name="Les membres du conseil").click()
    page.get_by_label("Prénom").fill("Denis")
    page.get_by_label(re.compile(r"^Nom")).fill("Arnaud")
    page.get_by_label("E-mail").fill("denis.arnaud@conseil.caf42.example")
    page.get_by_label("Fonction").fill("Administrateur")
    page.get_by_role("button", name="Ajouter le membre").click()
    page.get_by_text("Denis Arnaud est membre du conseil.").wait_for()
    assert page.get_by_role("row", name="Denis Arnaud").is_visible()
    assert_accessible(page)

    # The next session: every current member is on its list; the agenda is published.
    following = session("next")
    page.goto(f"/conseil/{following.pk}/")
    page.get_by_label("Denis Arnaud").check()
    page.get_by_role("button", name="Enregistrer la liste").click()
    page.get_by_text("La liste des administrateurs convoqués est enregistrée.").wait_for()
    page.get_by_role("button", name="Inscrire l'action").click()
    page.get_by_text("est inscrite à l'ordre du jour").wait_for()
    page.get_by_role("button", name="Publier l'ordre du jour").click()
    page.get_by_text("L'ordre du jour est publié.").wait_for()
    assert Convocation.objects.filter(session=following).count() == 4
    assert "Quorum non atteint" in text_of(page)
    assert "4 administrateurs n'ont pas encore répondu." in text_of(page)
    assert_accessible(page)

    # A member on a phone: absent, proxy to Monique Vial; no proxy to an absent member.
    phone = browser.new_context(base_url=live_server.url, **PHONE).new_page()
    phone.goto(attendance_path(following, "Vial"))
    phone.get_by_text("Absent", exact=True).tap()
    phone.get_by_role("button", name="Enregistrer ma réponse").tap()
    phone.get_by_text("Merci, votre réponse est enregistrée").wait_for()
    phone.goto(attendance_path(following, "Chazal"))
    assert phone.get_by_role("heading", level=1).inner_text() == following.title
    assert "Un administrateur peut détenir 1 pouvoir au plus." in text_of(phone)
    assert phone.locator("#proxy option", has_text="Monique Vial").count() == 0  # absent
    phone.get_by_text("Absent", exact=True).tap()
    phone.get_by_label("Absent : donner mon pouvoir à").select_option(label="Samia Haddad")
    phone.get_by_role("button", name="Enregistrer ma réponse").tap()
    phone.get_by_text("Merci, votre réponse est enregistrée").wait_for()
    assert "Vous donnez votre pouvoir à Samia Haddad." in text_of(phone)
    assert_accessible(phone)
    no_horizontal_scroll(phone)
    phone.screenshot(path=artifacts / "attendance-phone.png", full_page=True)

    # Samia Haddad holds a proxy: she cannot announce her absence.
    phone.goto(attendance_path(following, "Haddad"))
    assert "Vous détenez le pouvoir de Bernard Chazal." in text_of(phone)
    phone.get_by_text("Absent", exact=True).tap()
    phone.get_by_role("button", name="Enregistrer ma réponse").tap()
    phone.get_by_role("alert").wait_for()
    assert "Vous détenez le pouvoir de Bernard Chazal" in phone.get_by_role("alert").inner_text()
    assert_accessible(phone)
    no_horizontal_scroll(phone)
    phone.context.close()

    page.reload()
    answers = page.get_by_role("table", name="Les réponses des administrateurs convoqués")
    assert answers.get_by_role("row", name="Bernard Chazal").inner_text().split("\t")[:3] == [
        "Bernard Chazal",
        "Absent",
        "Samia Haddad",
    ]
    page.screenshot(path=artifacts / "convening-secretary.png", full_page=True)


def test_the_secretary_holds_the_session_with_the_attendance(demo, signed_in, artifacts):
    secretary = User.objects.get(username="secretariat")
    today = session("today")
    Convocation.objects.filter(session=today, member__last_name="Vial").update(attendance="present")
    page = signed_in(secretary)
    page.goto(f"/conseil/{today.pk}/")
    assert page.get_by_label("Présence de Monique Vial").input_value() == "present"
    assert page.get_by_label("Présence de Bernard Chazal").input_value() == "absent"  # no answer
    page.get_by_label("Présence de Samia Haddad").select_option("remote")
    page.get_by_label("Pouvoir de Bernard Chazal (si absent)").select_option(label="Monique Vial")
    page.get_by_role("button", name="Tenir la séance avec ces présences").click()
    page.get_by_text("La séance est tenue").wait_for()
    assert "Quorum atteint" in text_of(page)
    assert page.get_by_role("link", name="Télécharger le procès-verbal (PDF)").is_visible()
    actual = {c.member.last_name: c.actual for c in today.convocations.select_related("member")}
    assert actual == {"Vial": "present", "Chazal": "absent", "Haddad": "remote"}
    assert_accessible(page)
    page.screenshot(path=artifacts / "convening-held.png", full_page=True)
