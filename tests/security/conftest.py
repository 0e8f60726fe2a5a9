"""One small world with two territories, and a person of every kind, for the authorization
matrix: each staff role bound to the "own" territory, a director and an administrator (all
territories), a partner contact with an account, and nobody (anonymous)."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from backend.accounts.models import StaffRole, User
from backend.board.models import AgendaItem
from backend.evaluations.models import Evaluation
from tests import factories

BOUND_ROLES = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER, StaffRole.BOARD_SECRETARY)
PEOPLE = (
    "anonymous",
    "partner",
    StaffRole.SOCIAL_WORKER,
    StaffRole.TERRITORY_MANAGER,
    StaffRole.BOARD_SECRETARY,
    StaffRole.DIRECTOR,
    StaffRole.ADMIN,
)


@dataclass
class Side:
    """Everything of one territory."""

    territory: object
    project: object
    axis: object
    organisation: object
    contact: object
    action: object
    role: object
    evaluation: object

    def ids(self) -> dict:
        return {
            "territory": self.territory.slug,
            "project": self.project.pk,
            "organisation": self.organisation.pk,
            "contact": self.contact.pk,
            "action": self.action.pk,
            "role": self.role.pk,
            "evaluation": self.evaluation.pk,
        }


def make_side(slug: str, name: str) -> Side:
    territory = factories.TerritoryFactory(slug=slug, name=name)
    project = factories.ProjectFactory(territory=territory)
    axis = factories.AxisFactory(project=project, title=f"Axe {name}")
    organisation = factories.OrganisationFactory(
        name=f"Centre social {name}", territories=[territory]
    )
    contact = factories.ContactFactory(organisation=organisation, last_name=f"Contact {name}")
    action = factories.ActionFactory(project=project, axis=axis, title=f"Action secrète {name}")
    role = factories.RoleFactory(action=action, organisation=organisation, contact=contact)
    evaluation = Evaluation.objects.create(
        action=action, due_date=timezone.localdate() + datetime.timedelta(days=90)
    )
    return Side(territory, project, axis, organisation, contact, action, role, evaluation)


@dataclass
class World:
    own: Side
    other: Side
    session: object
    people: dict


@pytest.fixture
def world(db) -> World:
    own = make_side("gier-ondaine-pilat", "Gier-Ondaine-Pilat")
    other = make_side("roannais", "Roannais")
    session = factories.BoardSessionFactory(title="Conseil de printemps")
    for position, side in enumerate((own, other), start=1):
        AgendaItem.objects.create(session=session, position=position, action=side.action)
    people = {"anonymous": None}
    partner = User.objects.create_user("partenaire", password="x-Partenaire-42")
    partner.contact = own.contact
    partner.save()
    people["partner"] = partner
    for role in BOUND_ROLES:
        people[role] = factories.StaffFactory(role=role, territories=[own.territory])
    for role in (StaffRole.DIRECTOR, StaffRole.ADMIN):
        people[role] = factories.StaffFactory(role=role)
    return World(own, other, session, people)
