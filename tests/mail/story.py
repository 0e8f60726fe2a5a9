"""A year of one territory's project, as its people live it, through the API and the sweep.

Gier-Ondaine-Pilat, winter 2026: the social worker opens the consultation of an action in
Saint-Chamond / Saint-Julien with three partners (one reads English); one accepts, one asks for
changes and is invited again, one keeps silent through both reminders until the escalation;
the territory manager reads the answers in the daily digest. In January the board (with a
member from outside the CAF) meets on four actions and decides each differently; the approved
action is carried out, its evaluation falls due (reminders a month and a week before) and runs
late.

Along the way: a role is amended (its partner invited again) and another withdrawn; another
action goes back to draft during its consultation, a third is abandoned though its partner
agreed; the board's two members are convened with the agenda, one answers from her personal
link and the other, silent, is reminded; the January session is moved (day, hour and place)
and an extraordinary one cancelled; the pilot partner gets its report link with the
evaluation's indicators; and a partner's webhook, failing for days, is switched off, its
administrator told.

After each step the sweep sends what is due to a real SMTP server, and every e-mail received is
read at once by its recipient, who opens every link in it (``walk.Walker``): links must work
when the e-mail arrives, not only at the end of the story.
"""

import datetime
import itertools
import re
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient

from backend.accounts.models import StaffRole
from backend.accounts.tokens import issue_token
from backend.actions.links import token_for
from backend.actions.models import Action, RoleState
from backend.board.models import BoardSession
from backend.evaluations.models import Evaluation
from backend.evaluations.transitions import mark_due
from backend.partners.models import ContactCategory
from notifications.delivery.digest import plan_digests
from notifications.delivery.sweep import sweep
from notifications.models import Kind, Notification
from tests import factories
from tests.mail import Received, parse
from tests.mail.walk import Walker
from webhooks.health import record_failure
from webhooks.models import Endpoint

PARIS = ZoneInfo("Europe/Paris")
ADDRESSES = (f"192.0.2.{n}" for n in itertools.count(10))  # one per answer: no throttling


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=PARIS)


class Story:
    def __init__(self, inbox, clock):
        self.inbox, self.clock = inbox, clock
        self.read_so_far = 0
        self.received: list[Received] = []
        self.walker = Walker()

    # --- reading what arrived -----------------------------------------------------------

    def deliver(self, now: datetime.datetime | None = None) -> None:
        """The sweep sends what is due; each recipient reads and opens every link at once."""
        sweep(now=now)
        envelopes = self.inbox.envelopes[self.read_so_far :]
        self.read_so_far = len(self.inbox.envelopes)
        for envelope in envelopes:
            message = parse(envelope.content)
            rows = Notification.objects.select_related("user", "contact", "action").filter(
                message_id=message["Message-ID"]
            )  # a digest shares its Message-ID with the rows it listed
            [row] = [r for r in rows if r.kind == Kind.DIGEST] or rows
            subject_type = ContentType.objects.get_for_id(row.subject_type_id)
            received = Received(
                message=message,
                kind=row.kind,
                user=row.user,
                contact=row.contact,
                action=row.action,
                subject=subject_type.get_object_for_this_type(pk=row.subject_id),
            )
            received.opened = [self.walker.open_link(received, url) for url in received.links()]
            self.received.append(received)

    def move_to(self, moment: datetime.datetime) -> None:
        self.clock.move_to(moment)

    def api(self, user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {issue_token(user).key}")
        return client

    def answer(self, role, decision: str, comment: str = "") -> None:
        role.refresh_from_db()
        response = Client(REMOTE_ADDR=next(ADDRESSES)).post(
            f"/api/v1/respond/{token_for(role)}/",
            {"decision": decision, "comment": comment},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    def post(self, user, path: str, data=None, status: int = 200):
        response = self.api(user).post(path, data or {}, format="json")
        assert response.status_code == status, (path, response.status_code, response.content)
        return response.data

    # --- the story ----------------------------------------------------------------------

    def run(self) -> "Story":
        self.cast()
        self.consultation()
        self.changes_of_plan()
        self.board()
        self.evaluation()
        self.webhook()
        return self

    def cast(self) -> None:
        self.territory = factories.TerritoryFactory(
            slug="gier-ondaine-pilat", name="Gier-Ondaine-Pilat"
        )
        self.project = factories.ProjectFactory(territory=self.territory)

        def staff(role, username, first, last, territories=(self.territory,)):
            return factories.StaffFactory(
                role=role,
                username=username,
                first_name=first,
                last_name=last,
                territories=list(territories),
            )

        self.social_worker = staff(StaffRole.SOCIAL_WORKER, "ts.gop", "Claire", "Besson")
        self.manager = staff(StaffRole.TERRITORY_MANAGER, "rt.gop", "Marc", "Faure")
        self.secretary = staff(StaffRole.BOARD_SECRETARY, "secretariat", "Lucie", "Roux")
        self.api(self.manager).put(
            "/api/v1/notifications/preferences/",
            {"kind": "answer_received", "delivery": "digest"},
            format="json",
        )

        def partner(name, kind, first, last, category, language="fr"):
            organisation = factories.OrganisationFactory(
                name=name, kind=kind, territories=[self.territory]
            )
            contact = factories.ContactFactory(
                organisation=organisation,
                first_name=first,
                last_name=last,
                category=category,
                preferred_language=language,
            )
            return organisation, contact

        self.city, self.mayor = partner(
            "Ville de Saint-Chamond",
            "municipality",
            "Hervé",
            "Reynaud",
            ContactCategory.ELECTED_OFFICIAL,
        )
        self.centre, self.coordinator = partner(
            "Centre social Saint-Julien",
            "social_centre",
            "Nadia",
            "Benali",
            ContactCategory.ASSOCIATION,
        )
        self.department, self.officer = partner(
            "Département de la Loire",
            "department",
            "Sam",
            "Collins",
            ContactCategory.TECHNICIAN,
            language="en",
        )
        self.association, self.volunteer = partner(
            "Association Habitat et Humanisme",
            "association",
            "Paul",
            "Girard",
            ContactCategory.ASSOCIATION,
        )
        board = factories.OrganisationFactory(name="Conseil d'administration")
        self.member = factories.ContactFactory(
            organisation=board,
            first_name="Jeanne",
            last_name="Vial",
            category=ContactCategory.OTHER,
            email="jeanne.vial@example.org",
        )
        self.silent_member = factories.ContactFactory(  # never says whether she attends
            organisation=board,
            first_name="Odile",
            last_name="Chambon",
            category=ContactCategory.OTHER,
            email="odile.chambon@example.org",
        )
        self.admin = staff(StaffRole.ADMIN, "admin.si", "Yves", "Perrin", territories=())

    def consultation(self) -> None:
        self.move_to(at(2026, 11, 30))
        self.action = factories.ActionFactory(
            project=self.project,
            title="Saint-Julien : les habitants acteurs de la rénovation du quartier",
            social_worker=self.social_worker,
            consultation_deadline=datetime.date(2026, 12, 18),
            planned_end=datetime.date(2027, 3, 31),
        )
        self.pilot = factories.RoleFactory(
            action=self.action, organisation=self.city, contact=self.mayor, kind="pilot"
        )
        self.co_pilot = factories.RoleFactory(
            action=self.action,
            organisation=self.centre,
            contact=self.coordinator,
            kind="co_pilot",
            description="Anime les ateliers avec les habitants.",
        )
        self.funder = factories.RoleFactory(
            action=self.action,
            organisation=self.department,
            contact=self.officer,
            kind="funder",
            description="5 000 €",
        )
        self.host = factories.RoleFactory(  # asked, then taken off the action
            action=self.action,
            organisation=self.association,
            contact=self.volunteer,
            kind="host",
            description="Prête sa salle pour les ateliers.",
        )
        url = f"/api/v1/actions/{self.action.pk}/"
        self.post(self.social_worker, url + "transitions/submit/", {"comment": "C'est parti"})
        self.deliver()  # the invitations

        self.move_to(at(2026, 12, 1))
        self.answer(self.pilot, "accept", "La Ville pilotera avec plaisir.")
        self.answer(self.co_pilot, "request_changes", "Nous ne pouvons animer qu'un atelier.")
        self.deliver()  # to the social worker; the manager's wait for the digest
        self.move_to(at(2026, 12, 2, 8, 31))
        plan_digests()
        self.deliver()  # the manager's digest

        self.move_to(at(2026, 12, 2))
        response = self.api(self.social_worker).patch(
            f"/api/v1/roles/{self.co_pilot.pk}/",
            {"description": "Anime un atelier par mois avec les habitants."},
            format="json",
        )
        assert response.status_code == 200, response.content
        self.post(
            self.social_worker,
            f"/api/v1/roles/{self.host.pk}/withdraw/",
            {"comment": "Les ateliers auront lieu au centre social."},
        )
        self.deliver()  # invited again; the host told its role is withdrawn

        for day in (11, 17, 21):  # reminders 5 and 1 business days before; the escalation
            self.move_to(at(2026, 12, day, 8, 31))
            self.deliver()

        self.move_to(at(2026, 12, 21, 10))
        self.answer(self.co_pilot, "accept")
        self.answer(self.funder, "accept", "Financement confirmé.")
        self.deliver()  # answers, and the consultation is complete
        assert Action.objects.get(pk=self.action.pk).state == "ready_for_board"

    def changes_of_plan(self) -> None:
        """Two other actions of the winter: one goes back to draft during its consultation,
        the other is abandoned after its partner agreed."""
        self.move_to(at(2026, 12, 22))

        def consulted(title: str, contact, organisation):
            action = factories.ActionFactory(
                project=self.project,
                title=title,
                social_worker=self.social_worker,
                consultation_deadline=datetime.date(2027, 1, 29),
            )
            role = factories.RoleFactory(
                action=action, organisation=organisation, contact=contact, kind="pilot"
            )
            self.post(self.social_worker, f"/api/v1/actions/{action.pk}/transitions/submit/")
            return action, role

        self.revised, self.revised_role = consulted(
            "Izieux : un jardin partagé au pied des immeubles", self.coordinator, self.centre
        )
        self.withdrawn, self.withdrawn_role = consulted(
            "Lorette : un café des parents à l'école", self.mayor, self.city
        )
        self.deliver()  # the invitations
        self.answer(self.withdrawn_role, "accept")
        self.post(
            self.social_worker,
            f"/api/v1/actions/{self.revised.pk}/transitions/revise/",
            {"comment": "Le bailleur doit d'abord confirmer le terrain."},
        )
        self.post(
            self.social_worker,
            f"/api/v1/actions/{self.withdrawn.pk}/transitions/withdraw/",
            {"comment": "L'école a fermé ses portes."},
        )
        self.deliver()  # the consultation suspended, the action abandoned

    def board(self) -> None:
        self.move_to(at(2027, 1, 4))
        titles = [
            "Mulsant : trouver les lieux qui rassemblent les habitants",
            "Roche-la-Molière : des vacances pour les familles",
            "Montreynaud : un groupe de parents",
        ]
        self.others = []
        for title in titles:
            action = factories.ActionFactory(
                project=self.project, title=title, social_worker=self.social_worker
            )
            factories.RoleFactory(
                action=action,
                organisation=factories.OrganisationFactory(territories=[self.territory]),
                state=RoleState.ACCEPTED,
            )
            Action.objects.filter(pk=action.pk).update(state="ready_for_board")
            self.others.append(action)
        self.session = self.post(
            self.secretary,
            "/api/v1/board-sessions/",
            {
                "date": at(2027, 1, 14, 14).isoformat(),
                "title": "Conseil d'administration de janvier",
                "location": "Saint-Étienne, siège de la CAF",
                "members": [self.member.pk, self.silent_member.pk],
            },
            status=201,
        )
        self.january = BoardSession.objects.get(pk=self.session["id"])
        url = f"/api/v1/board-sessions/{self.session['id']}/"
        for action in [self.action, *self.others]:
            self.post(self.manager, url + "agenda/", {"action": action.pk})
        self.post(self.secretary, url + "transitions/publish_agenda/")
        self.deliver()  # the agenda, with its invitation; the members' convocations

        self.move_to(at(2027, 1, 5))
        [link] = [
            url
            for received in self.received
            if received.kind == Kind.CONVOCATION and received.contact == self.member
            for url in received.links()
            if re.search(r"/attendance/[^/]+/$", url)
        ]
        token = link.rstrip("/").rsplit("/", 1)[1]
        response = Client().post(
            f"/api/v1/attendance/{token}/",
            {"attendance": "present"},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        response = self.api(self.secretary).patch(
            url,
            {
                "date": at(2027, 1, 21, 9, 30).isoformat(),
                "location": "Saint-Chamond, hôtel de ville",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        self.deliver()  # the session moved: everyone convened is told

        self.extraordinary = self.post(
            self.secretary,
            "/api/v1/board-sessions/",
            {
                "date": at(2027, 2, 11, 17).isoformat(),
                "title": "Conseil extraordinaire de février",
                "location": "Roanne, antenne de la CAF",
                "members": [self.member.pk, self.silent_member.pk],
            },
            status=201,
        )
        other = f"/api/v1/board-sessions/{self.extraordinary['id']}/"
        self.post(self.manager, other + "agenda/", {"project": self.project.pk})
        self.post(self.secretary, other + "transitions/publish_agenda/")
        self.deliver()  # convened
        self.post(
            self.secretary,
            other + "transitions/cancel/",
            {"comment": "Le quorum ne sera pas atteint."},
        )
        self.deliver()  # and cancelled

        self.move_to(at(2027, 1, 18, 9))
        self.deliver()  # the member who has not answered is reminded

        self.move_to(at(2027, 1, 21, 11))
        self.post(self.secretary, url + "transitions/hold/")
        mulsant, vacances, montreynaud = self.others
        self.mulsant, self.vacances, self.montreynaud = self.others
        self.decisions = [
            {"action": self.action.pk, "outcome": "approved", "reference": "2027-001"},
            {
                "action": mulsant.pk,
                "outcome": "approved_with_conditions",
                "reference": "2027-002",
                "conditions": "Associer le conseil citoyen",
            },
            {
                "action": vacances.pk,
                "outcome": "rejected",
                "reference": "2027-003",
                "conditions": "Hors du champ du projet",
            },
            {"action": montreynaud.pk, "outcome": "deferred", "reference": "2027-004"},
        ]
        self.post(self.secretary, url + "decisions/", self.decisions, status=201)
        self.deliver()  # the decisions

    def evaluation(self) -> None:
        self.move_to(at(2027, 1, 22))
        self.post(self.social_worker, f"/api/v1/actions/{self.action.pk}/transitions/start/")
        self.evaluation_plan = Evaluation.objects.get(action=self.action)
        assert self.evaluation_plan.due_date == datetime.date(2027, 4, 30)
        response = self.api(self.social_worker).patch(
            f"/api/v1/evaluations/{self.evaluation_plan.pk}/",
            {
                "indicators": [
                    {"label": "Habitants venus aux ateliers", "target": "40", "unit": "personnes"},
                    {"label": "Ateliers tenus", "baseline": "0", "target": "6", "unit": "ateliers"},
                ]
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        for moment in (at(2027, 3, 31, 9), at(2027, 4, 23, 9)):  # a month, a week before
            self.move_to(moment)
            self.deliver()
        self.move_to(at(2027, 4, 30, 9))
        mark_due()
        self.deliver()  # the action enters its evaluation
        self.move_to(at(2027, 5, 3, 9))
        self.deliver()  # late

    def webhook(self) -> None:
        """The territory's partner portal stopped receiving the events: after days of
        failures, its webhook is switched off and its administrator told."""
        self.endpoint = Endpoint.objects.create(
            url="https://portail.saint-chamond.example/hooks/caf", events="*", owner=self.admin
        )
        record_failure(self.endpoint, at(2027, 5, 3, 9))
        self.move_to(at(2027, 5, 10, 9))
        assert record_failure(self.endpoint, at(2027, 5, 10, 9))
        self.deliver()
