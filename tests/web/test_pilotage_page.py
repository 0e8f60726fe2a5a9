"""The page « Pilotage » on the known history (``tests.analytics_history``): its figures, the
filters kept in the address, the CSV of each table, and its number of queries."""

import base64
import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import analytics_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(time_machine, territory, other_territory):
    return analytics_history.build(
        time_machine, territory=territory, other_territory=other_territory
    )


def _page(client, user, query=""):
    client.force_login(user)
    response = client.get(reverse("web:pilotage") + query)
    assert response.status_code == 200
    return response.content.decode()


def _csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _svgs(html: str) -> list[str]:
    uris = [part.split('"', 1)[0] for part in html.split('src="data:image/svg+xml;base64,')[1:]]
    return [base64.b64decode(uri).decode() for uri in uris]


# Each section of « Pilotage », its address, its charts, and the queries of one request:
# session, user, territories; choices: territories, years, axes; the projects counted;
# unread notifications (8), and its own figures: the time in state with the flagged and
# their actions (2); the partners (2: with the names); the categories (1: the scope is
# narrowed); the board (2).
SECTIONS = {
    "etats": ("web:pilotage", 1, 10),
    "partenaires": ("web:pilotage_partners", 1, 10),
    "categories": ("web:pilotage_categories", 1, 9),
    "conseil": ("web:pilotage_board", 1, 10),
}


@pytest.mark.parametrize("section", SECTIONS)
def test_each_section_is_a_page_with_its_charts_and_computes_only_its_figures(
    client, history, section
):
    name, charts, queries = SECTIONS[section]
    client.force_login(history.manager)
    query = f"?year=2027&axis={history.axis.pk}"
    url = reverse(name) + query
    with CaptureQueriesContext(connection) as captured:
        html = client.get(url).content.decode()
    assert len(captured) == queries, "\n".join(q["sql"][:100] for q in captured)
    with CaptureQueriesContext(connection) as again:  # computed again on each request
        repeated = client.get(url).content.decode()
    random = re.compile(r'(base64,|value=")[^"]*')  # the charts' ids, the CSRF tokens
    assert random.sub("", repeated) == random.sub("", html)
    assert len(again) == queries
    assert html.count('<img src="data:image/svg+xml;base64,') == charts
    assert "<script" not in html.split("<main", 1)[1]
    # The navigation between the sections: this one current, each keeping the filters.
    query = query.replace("&", "&amp;")
    for other, (other_name, _charts, _queries) in SECTIONS.items():
        current = ' aria-current="page"' if other == section else ""
        assert f'<a href="{reverse(other_name)}{query}"{current}>' in html
    # The main navigation's « Pilotage »: the page itself on the first section, else the
    # current item of the set: aria-current="page" only on links to this very page.
    first = section == next(iter(SECTIONS))
    assert f'aria-current="{"page" if first else "true"}">Pilotage</a>' in html
    assert html.count('aria-current="page"') == (2 if first else 1)
    # Each chart: an SVG without script, with a title and a description.
    for svg in _svgs(html):
        assert "<script" not in svg
        assert "<title>" in svg and "<desc>" in svg
    # A CSV link per table of the section, with the filters.
    assert html.count(f".csv{query}") == charts + (section == "etats")


def test_the_delays_per_step(client, history):
    html = _page(client, history.manager, f"?year=2027&axis={history.axis.pk}")
    # The time in state: consultation's median and 90th percentile, in French.
    assert '<th scope="row">consultation des partenaires</th><td class="number">3</td>' in html
    assert '<td class="number">4,0</td><td class="number">8,8</td>' in html
    # The flagged actions link to their pages; the other territory is not there.
    assert f'href="{reverse("web:action_detail", args=[history.a4.pk])}">A4</a>' in html
    assert "Action secrète Roannais" not in html
    assert "<title>Temps passé dans chaque état</title>" in _svgs(html)[0]


def test_the_partners_and_the_board(client, history):
    client.force_login(history.manager)
    query = f"?year=2027&axis={history.axis.pk}"
    partners = client.get(reverse("web:pilotage_partners") + query).content.decode()
    assert "Mairie de Roanne" not in partners
    assert '<th scope="row">Centre social du Gier</th><td class="number">3</td>' in partners
    assert "Action secrète Roannais" not in partners
    categories = client.get(reverse("web:pilotage_categories") + query).content.decode()
    assert '<th scope="row">technicien</th>' in categories
    assert "Centre social du Gier" not in categories
    board = client.get(reverse("web:pilotage_board") + query).content.decode()
    assert "Ajournements : 1 décision(s) d'ajournement, soit 33 % des décisions" in board
    assert '<th scope="row">approuvée</th><td class="number">1</td>' in board


def test_filters_are_kept_in_the_address_and_a_foreign_one_is_ignored(client, history):
    html = _page(client, history.manager, f"?year=2027&axis={history.axis.pk}")
    assert '<option value="2027" selected>2027</option>' in html
    assert f"pilotage/etats.csv?year=2027&amp;axis={history.axis.pk}" in html
    foreign = _page(client, history.manager, "?territory=roannais")
    assert "Filtre ignoré (inconnu ou hors de vos territoires) : territoire." in foreign
    empty = _page(client, history.manager, "?year=2026")
    assert "Filtre ignoré" in empty  # no project of 2026 here


def test_the_csv_of_each_table(client, history):
    client.force_login(history.manager)
    response = client.get(reverse("web:pilotage_csv", args=["etats"]) + "?year=2027")
    assert response["Content-Disposition"] == 'attachment; filename="pilotage-etats-2027.csv"'
    rows = _csv(response)
    assert rows[0][:3] == ["État", "Actions passées par l'état", "Médiane (jours)"]
    assert rows[1] == ["consultation des partenaires", "3", "4,0", "8,8", "2", "1"]
    assert rows[5] == ["en évaluation", "0", "", "", "1", "0"]
    partners = _csv(client.get(reverse("web:pilotage_csv", args=["partenaires"])))
    assert partners[1] == ["Centre social du Gier", "3", "3", "2,0", "8,4", "0", "1", "0", "1"]
    flagged = _csv(client.get(reverse("web:pilotage_csv", args=["attentes"])))
    assert [row[0] for row in flagged[1:]] == ["A4", "A2"]
    assert flagged[1][3:] == ["2027-01-04", "63,0", "8,8"]
    board = _csv(client.get(reverse("web:pilotage_csv", args=["conseil"])))
    assert board[1] == ["approuvée", "1", "15,0", "15,0"]
    categories = _csv(client.get(reverse("web:pilotage_csv", args=["categories"])))
    assert [row[0] for row in categories[1:]] == ["élu", "technicien"]
    assert client.get("/pilotage/inconnu.csv").status_code == 404
