"""The help page (aide/): each workflow explained, its state diagram drawn from the machine and
the table of its transitions as the text alternative."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backend.web.pages.help import WORKFLOWS
from workflows.engine import transitions_of

pytestmark = pytest.mark.django_db

HELP = reverse("web:help")


def test_the_help_page_draws_every_workflow_with_its_table(page_client, social_worker):
    client = page_client(social_worker)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(HELP)
    assert response.status_code == 200
    assert len(captured) <= 4  # the session and the user: the diagrams need no query
    page = html.unescape(response.content.decode())
    assert page.count("<h1>") == 1
    assert page.count('role="img"') == len(WORKFLOWS)
    assert page.count("<table") == len(WORKFLOWS)
    for workflow in WORKFLOWS:
        assert (
            f'aria-labelledby="diagram-{workflow.slug}-title diagram-{workflow.slug}-desc"' in page
        )
        assert f'<h2 id="{workflow.slug}">{workflow.title}</h2>' in page
        for name in transitions_of(workflow.model):
            assert f"<code>{name}</code>" in page
    assert "style=" not in page
    assert "Au moins un partenaire doit avoir le rôle de pilote." in page
    assert "L'interlocuteur désigné du partenaire (par son lien personnel)" in page


def test_the_table_lists_each_source_of_a_transition(page_client, manager):
    page = html.unescape(page_client(manager).get(HELP).content.decode())
    withdraw_rows = re.findall(
        r"Retirer l'action <code>withdraw</code></th>\s*<td>([^<]+)</td>", page
    )
    assert sorted(withdraw_rows) == sorted(
        [
            "brouillon",
            "consultation des partenaires",
            "prête pour le conseil",
            "approuvée",
            "en cours",
        ]
    )


def test_a_diagram_opens_alone_as_an_svg_image(page_client, social_worker):
    response = page_client(social_worker).get(reverse("web:help_diagram", args=["action"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b'role="img"' in response.content
    assert page_client(social_worker).get("/aide/schemas/inconnu.svg").status_code == 404


def test_the_help_page_is_for_staff(page_client):
    response = page_client().get(HELP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
