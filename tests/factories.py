import datetime

import factory
from django.utils import timezone

from backend.accounts.models import StaffRole, User
from backend.actions.models import Action, RoleAssignment, RoleKind
from backend.board.models import BoardSession
from backend.partners.models import Contact, ContactCategory, Organisation, OrganisationKind
from backend.territories.models import (
    Axis,
    Commune,
    Diagnostic,
    Finding,
    FindingKind,
    Neighbourhood,
    Territory,
    TerritoryProject,
)


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"territoire-{n}")
    name = factory.Sequence(lambda n: f"Territoire {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    territory = factory.SubFactory(TerritoryFactory)
    name = factory.Sequence(lambda n: f"Commune {n}")
    insee_code = factory.Sequence(lambda n: f"{42000 + n:05d}")


class NeighbourhoodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    commune = factory.SubFactory(CommuneFactory)
    name = factory.Sequence(lambda n: f"Quartier {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TerritoryProject
        skip_postgeneration_save = True

    territory = factory.SubFactory(TerritoryFactory)
    year = 2026
    title = factory.LazyAttribute(lambda p: f"Projet de territoire {p.territory.name} {p.year}")
    diagnostic = factory.RelatedFactory(
        "tests.factories.DiagnosticFactory", factory_related_name="project"
    )


class DiagnosticFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Diagnostic

    summary = "Diagnostic partagé"


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Finding

    kind = FindingKind.NEED
    title = factory.Sequence(lambda n: f"Constat {n}")


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Axe {n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@caf42.example")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    role = StaffRole.SOCIAL_WORKER
    password = factory.django.Password("un-mot-de-passe-solide-42")

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create and extracted:
            self.territories.set(extracted)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Association {n}")
    kind = OrganisationKind.ASSOCIATION

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create and extracted:
            self.territories.set(extracted)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = "Dominique"
    last_name = factory.Sequence(lambda n: f"Partenaire{n}")
    email = factory.Sequence(lambda n: f"partenaire{n}@example.org")
    category = ContactCategory.ASSOCIATION


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    summary = "Une action de développement social."
    consultation_deadline = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=20)
    )


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    action = factory.SubFactory(ActionFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    contact = factory.SubFactory(
        ContactFactory, organisation=factory.SelfAttribute("..organisation")
    )
    kind = RoleKind.PILOT
    description = "Pilote l'action."


class BoardSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardSession

    date = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    title = "Conseil d'administration"
    location = "Saint-Étienne"
