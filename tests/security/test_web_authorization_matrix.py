"""The authorization matrix of the web pages: every page x every kind of person x the
person's own territory and another one. Anonymous visitors are sent to the sign-in page, a
partner's account (no staff role) gets 403, a territory-bound staff member gets 404 for what
belongs to another territory, directors and administrators see everything. Pages that gather
several territories are read for leaks."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.conftest import PEOPLE

ANON, PARTNER, SW, TM, BS, DIR, ADM = PEOPLE
SIGN_IN = 302
SEES_ALL = (DIR, ADM)

SCOPED_PAGE = {
    ANON: (SIGN_IN, SIGN_IN),
    PARTNER: (403, 403),
    SW: (200, 404),
    TM: (200, 404),
    BS: (200, 404),
    DIR: (200, 200),
    ADM: (200, 200),
}
SCOPED_PAGES = {
    "action page": lambda side: reverse("web:action_detail", args=[side.action.pk]),
    "project page": lambda side: reverse("web:project_detail", args=[side.project.pk]),
    "evaluation page": lambda side: reverse("web:evaluation_detail", args=[side.evaluation.pk]),
}
EVERY_STAFF = {ANON: SIGN_IN, PARTNER: 403, SW: 200, TM: 200, BS: 200, DIR: 200, ADM: 200}
# Pages that gather several territories: (URL, whether they name the actions they hold).
GATHERING_PAGES = {
    "dashboard": lambda w: reverse("web:dashboard"),
    "dashboard list": lambda w: reverse("web:dashboard") + "?view=list",
    "projects": lambda w: reverse("web:project_list"),
    "board sessions": lambda w: reverse("web:board_list"),
    "board session": lambda w: reverse("web:board_detail", args=[w.session.pk]),
    "notifications": lambda w: reverse("web:notification_centre"),
    "preferences": lambda w: reverse("web:preferences"),
    "help": lambda w: reverse("web:help"),
    "pilotage": lambda w: reverse("web:pilotage"),
    "pilotage partners": lambda w: reverse("web:pilotage_partners"),
    "pilotage categories": lambda w: reverse("web:pilotage_categories"),
    "pilotage board": lambda w: reverse("web:pilotage_board"),
    "pilotage csv": lambda w: reverse("web:pilotage_csv", args=["partenaires"]),
}
NAMES_ACTIONS = {"dashboard", "dashboard list", "board session"}


def client_for(world, who) -> Client:
    client = Client()
    if world.people[who] is not None:
        client.force_login(world.people[who])
    return client


@pytest.mark.parametrize("page", list(SCOPED_PAGES))
def test_pages_of_one_territory(world, page):
    mismatches = []
    for who, expected_pair in SCOPED_PAGE.items():
        client = client_for(world, who)
        for side, expected in zip(("own", "other"), expected_pair, strict=True):
            response = client.get(SCOPED_PAGES[page](getattr(world, side)))
            if response.status_code != expected:
                mismatches.append(
                    f"{who} on {side}: expected {expected}, got {response.status_code}"
                )
            elif expected == SIGN_IN and not response["Location"].startswith(reverse("web:login")):
                mismatches.append(f"{who} on {side}: sent to {response['Location']}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize("page", list(GATHERING_PAGES))
def test_pages_that_gather_territories_show_only_what_the_person_may_see(world, page):
    mismatches = []
    for who in PEOPLE:
        response = client_for(world, who).get(GATHERING_PAGES[page](world))
        if response.status_code != EVERY_STAFF[who]:
            mismatches.append(f"{who}: status {response.status_code}")
            continue
        if response.status_code != 200 or page not in NAMES_ACTIONS:
            text = response.content.decode() if response.status_code == 200 else ""
            if "Action secrète Roannais" in text and who not in SEES_ALL:
                mismatches.append(f"{who}: the other territory's action is shown")
            continue
        text = response.content.decode()
        if "Action secrète Gier-Ondaine-Pilat" not in text:
            mismatches.append(f"{who}: its own territory's action is missing")
        if ("Action secrète Roannais" in text) is not (who in SEES_ALL):
            mismatches.append(f"{who}: the other territory's action is wrongly shown or hidden")
    assert not mismatches, "\n".join(mismatches)


def test_a_territory_bound_person_cannot_act_on_another_territory_by_forging_a_post(world):
    """The buttons are absent, and a forged POST to another territory's action is a 404."""
    client = client_for(world, TM)
    url = reverse("web:action_detail", args=[world.other.action.pk])
    for suffix in ("transitions/submit/", "transitions/withdraw/", "modifier/"):
        response = client.post(url + suffix, {"comment": "forcé"})
        assert response.status_code == 404, (suffix, response.status_code)
    world.other.action.refresh_from_db()
    assert world.other.action.state == "draft"
