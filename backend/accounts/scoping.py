"""What a staff member may see: their territories (everything for directors and admins).

The API and the pages read these selectors, for the top level and for what is nested in it
(``board_sessions_for`` prefetches only the agenda points and decisions of the caller's
territories): nested data is scoped where it is loaded, never filtered in a serializer.
"""

from django.db.models import Prefetch, Q

from backend.actions.models import Action, RoleAssignment
from backend.board.models import AgendaItem, BoardDecision, BoardSession
from backend.partners.models import Contact, Organisation
from backend.territories.models import Axis, Commune, Finding, Neighbourhood, TerritoryProject


def _territories(user) -> set[int] | None:
    """None: every territory; otherwise the ids the user works in (none for non-staff)."""
    if not getattr(user, "is_staff_member", False):
        return set()
    return None if user.sees_all_territories else user.territory_ids()


def projects_for(user):
    qs = TerritoryProject.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territory_id__in=ids)


def actions_for(user):
    qs = Action.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(project__territory_id__in=ids)


def roles_for(user):
    qs = RoleAssignment.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(action__project__territory_id__in=ids)


def organisations_for(user):
    qs = Organisation.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territories__in=ids).distinct()


def contacts_for(user):
    qs = Contact.objects.all()
    ids = _territories(user)
    if ids is None:
        return qs
    return qs.filter(organisation__in=organisations_for(user).values("pk"))


def axes_for(user):
    return Axis.objects.filter(project__in=projects_for(user).values("pk"))


def findings_for(user):
    return Finding.objects.filter(diagnostic__project__in=projects_for(user).values("pk"))


def communes_for(user):
    qs = Commune.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(territory_id__in=ids)


def neighbourhoods_for(user):
    return Neighbourhood.objects.filter(commune__in=communes_for(user).values("pk"))


def _about_territories(ids) -> Q:
    """An agenda point or a decision is about an action or a territory project."""
    return Q(action__project__territory_id__in=ids) | Q(project__territory_id__in=ids)


def agenda_items_for(user):
    """The agenda points of every session that concern the user's territories."""
    qs = AgendaItem.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(_about_territories(ids))


def decisions_for(user):
    """The board's decisions on the user's territories' actions and projects (their
    conditions and reasons are that territory's business)."""
    qs = BoardDecision.objects.all()
    ids = _territories(user)
    return qs if ids is None else qs.filter(_about_territories(ids))


def board_sessions_for(user):
    """Every session (a session concerns every territory), with only the agenda points and
    decisions the user may see prefetched as ``agenda_items`` and ``decisions``. Its members
    and invited staff are the board's, not a territory's."""
    items = agenda_items_for(user).select_related(
        "action__project__territory", "project__territory"
    )
    return BoardSession.objects.prefetch_related(
        Prefetch("agenda_items", queryset=items),
        Prefetch("decisions", queryset=decisions_for(user)),
        "members",
        "staff_invited",
    )
