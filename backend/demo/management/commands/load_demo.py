from django.core.management.base import BaseCommand

from backend.accounts.models import StaffRole
from backend.actions.links import personal_link
from backend.actions.models import ActionState, RoleAssignment, RoleState
from backend.demo import data
from backend.demo.loader import load_demo, staff_email


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration de la CAF de la Loire : territoires, projets 2026, "
        "partenaires, actions et comptes du personnel. Sans effet sur ce qui existe déjà."
    )

    def handle(self, *args, **options):
        demo = load_demo()
        if demo.created:
            created = ", ".join(f"{count} {label}" for label, count in demo.created.items())
            self.stdout.write(self.style.SUCCESS(f"Données de démonstration chargées : {created}."))
        else:
            self.stdout.write("Données de démonstration déjà présentes : rien de nouveau.")
        self.stdout.write("")
        self.stdout.write(accounts_table(demo))
        self.stdout.write("")
        self.stdout.write(pending_links())


def pending_links() -> str:
    """The personal links of the partners who have not answered yet (they would get them by
    e-mail): open one to answer as that partner."""
    roles = (
        RoleAssignment.objects.filter(
            state=RoleState.INVITED, action__state=ActionState.CONSULTATION
        )
        .exclude(link_nonce="")
        .select_related("action", "organisation")
        .order_by("action__title", "organisation__name")
    )
    lines = [
        f"- {role.organisation.name} ({role.get_kind_display()}), « {role.action.title} » :\n"
        f"  {personal_link(role)}"
        for role in roles
    ]
    return "Liens personnels des partenaires qui n'ont pas encore répondu :\n" + "\n".join(lines)


def accounts_table(demo) -> str:
    names = {slug: territory.name for slug, territory in demo.territories.items()}
    rows = [("Identifiant", "Rôle", "Territoires", "E-mail", "Mot de passe")]
    for spec in data.STAFF:
        territories = _territories_label(spec["territories"], names)
        role = str(StaffRole(spec["role"]).label)
        rows.append((spec["username"], role, territories, staff_email(spec), data.DEMO_PASSWORD))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "Comptes de démonstration :\n" + "\n".join(line.rstrip() for line in lines)


def _territories_label(slugs, names) -> str:
    if not slugs or set(slugs) == set(data.ALL_TERRITORIES):
        return "tous"
    return ", ".join(names[slug] for slug in slugs)
