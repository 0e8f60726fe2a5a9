"""Each transition's name for people is declared once, on the transition (``custom``), and
every place that names it reads it from there: the pages' buttons, the histories, the help's
diagrams and tables."""

import pytest
from django.urls import reverse

from backend.actions.models import Action, RoleAssignment
from backend.actions.transitions import submit_action
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from backend.territories.models import TerritoryProject
from tests import factories
from workflows.diagram import describe, machine_of
from workflows.engine import transitions_of

pytestmark = pytest.mark.django_db

WORKFLOWS = (Action, RoleAssignment, BoardSession, TerritoryProject, Evaluation)


def relabel(monkeypatch, model, name, label):
    for transition in transitions_of(model)[name].values():
        monkeypatch.setitem(transition.custom, "label", label)


@pytest.mark.parametrize("model", WORKFLOWS, ids=lambda model: model.__name__)
def test_every_transition_declares_its_label(model):
    for name, by_source in transitions_of(model).items():
        labels = {str(t.custom.get("label") or "") for t in by_source.values()}
        assert labels != {""}, f"{model.__name__}.{name} declares no label"
        assert len(labels) == 1, f"{model.__name__}.{name}: one label for every source"


def test_the_action_page_the_history_and_the_diagram_read_the_declared_label(
    page_client, social_worker, action, pilot, monkeypatch
):
    submit_action(action, actor=social_worker, comment="C'est parti.")
    relabel(monkeypatch, Action, "submit", "lancer l'échange avec les partenaires")
    relabel(monkeypatch, Action, "revise", "reprendre l'écriture")

    page = page_client(social_worker).get(reverse("web:action_detail", args=[action.pk]))
    text = page.content.decode()

    assert "Reprendre l&#x27;écriture" in text  # the button
    assert "Lancer l&#x27;échange avec les partenaires" in text  # the timeline
    description = describe(machine_of(Action))
    assert "reprendre l'écriture : de « consultation des partenaires »" in description


def test_the_board_page_buttons_read_the_declared_label(page_client, secretary, monkeypatch):
    session = factories.BoardSessionFactory(title="Conseil de janvier")
    relabel(monkeypatch, BoardSession, "publish_agenda", "arrêter l'ordre du jour")

    page = page_client(secretary).get(reverse("web:board_detail", args=[session.pk]))

    assert "Arrêter l&#x27;ordre du jour" in page.content.decode()
