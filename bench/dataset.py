"""The large data set of the API and transition benchmarks: 100,000 actions and 500,000 roles.

    .venv/bin/python -m bench.dataset --actions 100000      # into DATABASE_URL (migrated)

The reference data is the Loire demo (``backend.demo.loader``: 4 territories, their communes,
neighbourhoods, projects, axes, findings, staff and board sessions), plus generated partner
organisations and contacts in every territory. Actions, their findings and their roles are
then written with PostgreSQL ``COPY`` (psycopg 3), in realistic states: an action's roles
agree with its state (proposed in a draft, invited or answered in consultation, accepted from
``ready_for_board`` on), every action has a pilot, and no organisation holds the same kind of
role twice on one action. Deterministic (a seeded random generator); about half a minute.
"""

import argparse
import datetime
import random
import time
from decimal import Decimal

from bench import progress, say

# The states of the generated actions, with their weights (a year in the life of the four
# projects: many drafts and consultations, fewer decided and closed actions).
ACTION_STATES = {
    "draft": 22,
    "consultation": 20,
    "ready_for_board": 8,
    "scheduled": 5,
    "approved": 8,
    "in_progress": 17,
    "evaluation": 6,
    "closed": 7,
    "rejected": 3,
    "withdrawn": 4,
}
ROLE_KINDS = ("pilot", "co_pilot", "funder", "contributor", "host", "consulted")
ORG_KINDS = ("municipality", "association", "social_centre", "housing_provider", "school", "other")
CATEGORIES = ("elected_official", "technician", "association", "resident", "other")
WORDS = [
    "accompagnement",
    "parentalité",
    "jeunesse",
    "insertion",
    "numérique",
    "mobilité",
    "logement",
    "santé",
    "culture",
    "sport",
    "alimentation",
    "solidarité",
    "accueil",
    "petite",
    "enfance",
    "loisirs",
    "quartier",
    "habitants",
    "atelier",
    "médiation",
    "vacances",
    "familles",
    "séniors",
    "emploi",
    "lien",
    "social",
    "école",
    "soutien",
    "scolaire",
]
FIRST = [
    "Camille",
    "Louise",
    "Hugo",
    "Léa",
    "Nathan",
    "Inès",
    "Jules",
    "Chloé",
    "Lucas",
    "Manon",
    "Paul",
    "Zoé",
    "Karim",
    "Sofia",
]
LAST = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
]


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _roles_of(rng: random.Random, state: str, count: int) -> list[str]:
    """The states of an action's roles, consistent with the action's state."""
    if state == "draft":
        return ["proposed"] * count
    if state == "consultation":
        return [
            rng.choices(("invited", "accepted", "declined", "changes_requested"), (5, 4, 1, 1))[0]
            for _ in range(count)
        ]
    if state == "withdrawn":
        return ["withdrawn"] * count
    return ["accepted"] * count


class Copier:
    """COPY rows into one table, in chunks, with a progress line."""

    def __init__(self, cursor, table: str, columns: tuple[str, ...], total: int, label: str):
        self.cursor, self.total, self.label = cursor, total, label
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.rows: list[tuple] = []
        self.done = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with self.cursor.copy(self.sql) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.done += len(self.rows)
        self.rows = []
        progress(self.label, self.done, max(self.total, self.done))


def _reference(rng: random.Random, organisations_per_territory: int) -> dict:
    """The demo's reference rows, plus generated organisations and contacts."""
    from backend.accounts.models import StaffRole, User
    from backend.board.models import BoardSession
    from backend.demo import data
    from backend.demo.loader import load_demo
    from backend.partners.models import Contact, Organisation
    from backend.territories.models import Axis, Commune, Finding, Neighbourhood, TerritoryProject

    say("  reference data: the Loire demo (load_demo)")
    load_demo()
    # The demo's four projects only: an earlier benchmark may have added a bare one.
    projects = list(
        TerritoryProject.objects.filter(
            territory__slug__in=data.ALL_TERRITORIES, year=data.PROJECT_YEAR
        ).select_related("territory")
    )
    new_orgs = []
    for project in projects:
        for index in range(organisations_per_territory):
            kind = rng.choice(ORG_KINDS)
            new_orgs.append(
                Organisation(
                    name=f"{kind.replace('_', ' ').title()} {project.territory.name} {index + 1}",
                    kind=kind,
                    email=f"org{project.territory_id}-{index}@partenaires.example",
                )
            )
    if not Organisation.objects.filter(email__endswith="@partenaires.example").exists():
        say(f"  reference data: {len(new_orgs):,} organisations and their contacts")
        created = Organisation.objects.bulk_create(new_orgs)
        through = Organisation.territories.through
        territory_of = {
            org.email: project.territory_id
            for project in projects
            for org in new_orgs
            if org.email.startswith(f"org{project.territory_id}-")
        }
        through.objects.bulk_create(
            [through(organisation_id=o.pk, territory_id=territory_of[o.email]) for o in created]
        )
        Contact.objects.bulk_create(
            [
                Contact(
                    organisation=org,
                    first_name=rng.choice(FIRST),
                    last_name=rng.choice(LAST),
                    email=f"contact{org.pk}-{n}@partenaires.example",
                    category=rng.choice(CATEGORIES),
                )
                for org in created
                for n in range(3)
            ]
        )
    ref = {"projects": {}}
    sessions = dict(BoardSession.objects.values_list("state", "id"))
    ref["session"] = sessions.get("planned") or next(iter(sessions.values()), None)
    ref["past_session"] = sessions.get("closed") or sessions.get("held") or ref["session"]
    for project in projects:
        territory = project.territory_id
        communes = list(Commune.objects.filter(territory_id=territory).values_list("id", flat=True))
        neighbourhoods = {
            c: list(Neighbourhood.objects.filter(commune_id=c).values_list("id", flat=True))
            for c in communes
        }
        organisations = list(
            Organisation.objects.filter(territories=territory, contacts__isnull=False)
            .distinct()
            .values_list("id", flat=True)
        )
        contacts: dict[int, list[int]] = {}
        for org_id, contact_id in Contact.objects.filter(
            organisation_id__in=organisations
        ).values_list("organisation_id", "id"):
            contacts.setdefault(org_id, []).append(contact_id)
        ref["projects"][project.pk] = {
            "axes": list(Axis.objects.filter(project=project).values_list("id", flat=True)),
            "findings": list(
                Finding.objects.filter(diagnostic__project=project).values_list("id", flat=True)
            ),
            "communes": communes,
            "neighbourhoods": neighbourhoods,
            "organisations": organisations,
            "contacts": contacts,
            "social_workers": list(
                User.objects.filter(
                    role=StaffRole.SOCIAL_WORKER, territories=territory
                ).values_list("id", flat=True)
            ),
        }
    return ref


def _max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
        f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
    )


def generate(*, actions: int = 100_000, roles_per_action: float = 5.0, seed: int = 42) -> dict:
    """Write ``actions`` actions and about ``roles_per_action`` roles each; return counts."""
    from django.db import connection, transaction

    from backend.actions.models import Action, RoleAssignment

    rng = random.Random(seed)
    started = time.monotonic()
    say(f"data set: {actions:,} actions, about {int(actions * roles_per_action):,} roles")
    ref = _reference(rng, organisations_per_territory=100)
    action_table = Action._meta.db_table
    role_table = RoleAssignment._meta.db_table
    findings_table = Action.findings.through._meta.db_table
    today = datetime.date.today()
    now = datetime.datetime.now(datetime.UTC)
    states, weights = zip(*ACTION_STATES.items(), strict=True)
    counts = {"actions": 0, "roles": 0, "findings": 0}
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are consistent by construction: no foreign-key triggers (a superuser's
        # session setting, for this transaction only), which makes COPY several times faster.
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        action_id = _max_id(cursor, action_table)
        role_id = _max_id(cursor, role_table)
        link_id = _max_id(cursor, findings_table)
        action_rows = Copier(
            cursor,
            action_table,
            (
                "id",
                "state",
                "title",
                "summary",
                "consultation_deadline",
                "planned_start",
                "planned_end",
                "budget",
                "created_at",
                "updated_at",
                "axis_id",
                "board_session_id",
                "commune_id",
                "neighbourhood_id",
                "project_id",
                "social_worker_id",
            ),
            actions,
            "actions",
        )
        role_rows = Copier(
            cursor,
            role_table,
            (
                "id",
                "state",
                "kind",
                "description",
                "time_commitment",
                "financial_commitment",
                "venue",
                "invited_at",
                "responded_at",
                "response_comment",
                "created_at",
                "updated_at",
                "action_id",
                "contact_id",
                "organisation_id",
                "link_nonce",
            ),
            int(actions * roles_per_action),
            "roles",
        )
        finding_rows = Copier(
            cursor, findings_table, ("id", "action_id", "finding_id"), actions * 2, "findings"
        )
        projects = list(ref["projects"])
        for index in range(actions):
            project_id = projects[index % len(projects)]
            project = ref["projects"][project_id]
            state = rng.choices(states, weights)[0]
            action_id += 1
            created = now - datetime.timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            commune = rng.choice(project["communes"])
            neighbourhoods = project["neighbourhoods"][commune]
            start = today + datetime.timedelta(days=rng.randint(-300, 200))
            deadline = None
            if state == "consultation":
                deadline = today + datetime.timedelta(days=rng.randint(-5, 25))
            elif state != "draft":
                deadline = created.date() + datetime.timedelta(days=14)
            session = {"scheduled": ref["session"]}.get(state)
            if state in ("approved", "in_progress", "evaluation", "closed", "rejected"):
                session = ref["past_session"]
            action_rows.add(
                (
                    action_id,
                    state,
                    f"Action {action_id} : {_sentence(rng, 4)}",
                    _sentence(rng, 30),
                    deadline,
                    start,
                    start + datetime.timedelta(days=rng.randint(30, 365)),
                    Decimal(rng.randint(5, 500) * 100),
                    created,
                    created,
                    rng.choice(project["axes"]),
                    session,
                    commune,
                    rng.choice(neighbourhoods) if neighbourhoods and rng.random() < 0.5 else None,
                    project_id,
                    rng.choice(project["social_workers"]),
                )
            )
            for finding in rng.sample(project["findings"], min(2, len(project["findings"]))):
                link_id += 1
                finding_rows.add((link_id, action_id, finding))
            # 2 to 8 roles (5 on average): the pilot first, then other (organisation, kind).
            count = max(2, min(8, round(rng.gauss(roles_per_action, 1.5))))
            organisations = rng.sample(project["organisations"], count)
            role_states = _roles_of(rng, state, count)
            for number, (organisation, role_state) in enumerate(
                zip(organisations, role_states, strict=True)
            ):
                role_id += 1
                invited = role_state != "proposed"
                answered = role_state in ("accepted", "declined", "changes_requested")
                role_rows.add(
                    (
                        role_id,
                        role_state,
                        "pilot" if number == 0 else rng.choice(ROLE_KINDS[1:]),
                        _sentence(rng, 12),
                        "",
                        None,
                        "",
                        created + datetime.timedelta(days=1) if invited else None,
                        created + datetime.timedelta(days=3) if answered else None,
                        "",
                        created,
                        created,
                        action_id,
                        rng.choice(project["contacts"][organisation]),
                        organisation,
                        f"bench{role_id:012d}" if role_state == "invited" else "",
                    )
                )
        for copier in (action_rows, role_rows, finding_rows):
            copier.flush()
        counts = {
            "actions": action_rows.done,
            "roles": role_rows.done,
            "findings": finding_rows.done,
        }
        for table in (action_table, role_table, findings_table):
            _reset_sequence(cursor, table)
    say("  ANALYZE")
    with connection.cursor() as cursor:
        for table in (action_table, role_table, findings_table):
            cursor.execute(f"ANALYZE {table}")
    counts["seconds"] = time.monotonic() - started
    say(
        f"  {counts['actions']:,} actions, {counts['roles']:,} roles, "
        f"{counts['findings']:,} findings links in {counts['seconds']:.1f} s"
    )
    return counts


def main(argv=None) -> int:
    import os

    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--roles-per-action", type=float, default=5.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    django.setup()
    generate(actions=args.actions, roles_per_action=args.roles_per_action)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
