"""The partner's read-only agenda page, opened from the link of its agenda e-mail without an
account: the session's date and place, the agenda with the partner's own action first."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from backend.actions.models import Action
from backend.actions.transitions import schedule_action
from backend.board.models import BoardSession
from backend.board.reader_agenda import agenda_link
from backend.board.transitions import cancel_session, publish_agenda
from notifications.delivery.sweep import sweep
from tests import factories
from tests.notifications import text_of

pytestmark = pytest.mark.django_db
PARIS = timezone.get_fixed_timezone(60)
SESSION_AT = datetime.datetime(2027, 1, 14, 14, 0, tzinfo=PARIS)


@pytest.fixture
def published(smtp, time_machine, project, pilot, manager, secretary):
    time_machine.move_to(SESSION_AT - datetime.timedelta(days=20), tick=False)
    session = BoardSession.objects.create(
        date=SESSION_AT, title="Conseil de janvier", location="Salle Loubet"
    )
    other = factories.ActionFactory(project=project, title="Vacances en familles")
    Action.objects.filter(pk__in=[other.pk, pilot.action_id]).update(state="ready_for_board")
    for action in (other, pilot.action):
        action.refresh_from_db()
        schedule_action(action, actor=manager, board_session=session)
    publish_agenda(session, actor=secretary)
    sweep()
    [message] = smtp.to(pilot.contact.email)
    [link] = re.findall(r"http://\S+/agenda/\S+/", text_of(message))
    return session, pilot, link.split("://", 1)[1].split("/", 1)[1]


def test_the_partner_opens_its_agenda_without_an_account(published):
    _session, pilot, path = published
    response = Client().get(f"/{path}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert "Conseil de janvier" in html
    assert "jeudi 14 janvier 2027 à 14\u00a0h\u00a000" in html and "Salle Loubet" in html
    own = html.index("Vos actions à l'ordre du jour")
    assert own < html.index(pilot.action.title) < html.index("Vacances en familles")


def test_a_forged_or_foreign_link_opens_nothing(published, project):
    session, _pilot, path = published
    assert Client().get(f"/{path[:-3]}x/").status_code == 404
    stranger = factories.ContactFactory()  # never convened to this session
    foreign = agenda_link(session, stranger).split("://", 1)[1].split("/", 1)[1]
    assert Client().get(f"/{foreign}").status_code == 404


def test_the_page_says_when_the_session_is_cancelled(published, secretary):
    session, _pilot, path = published
    cancel_session(session, actor=secretary, comment="Quorum")
    html = Client().get(f"/{path}").content.decode()
    assert "Cette séance est annulée." in html
