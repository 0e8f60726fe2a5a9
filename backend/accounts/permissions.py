"""Who may fire a transition, as the machines declare it (``permission=`` of a transition).

The engine (``workflows.engine``) knows only that a permission answers ``refusal(instance,
user)`` (why not, or None) and ``who()`` (in words, for the help page's diagrams): these two
say it for the CAF's staff roles and for a partner's contact.
"""

from django.utils.translation import gettext_lazy as _

from backend.accounts.models import StaffRole


class StaffPermission:
    """Who may fire a transition: staff roles, and only in the territory of the instance.

    Directors and administrators may fire everything everywhere. ``None`` as the user means
    the system itself (automatic transitions), which is allowed only for transitions declared
    with ``automatic=True``.
    """

    def __init__(self, *roles: str, automatic: bool = False):
        self.roles = roles
        self.automatic = automatic

    def refusal(self, instance, user) -> str | None:
        if user is None:
            return None if self.automatic else str(_("Cette transition demande un utilisateur."))
        if not getattr(user, "is_staff_member", False):
            return str(_("Réservé au personnel de la CAF."))
        if not user.has_role(*self.roles):
            allowed = ", ".join(str(StaffRole(r).label) for r in self.roles)
            return str(
                _("Votre rôle ne permet pas cette transition (réservée à : %(roles)s).")
                % {"roles": allowed}
            )
        territory_id = instance.workflow_territory_id  # None: not tied to one territory
        if territory_id is not None and not user.works_in(territory_id):
            return str(_("Cet élément n'appartient pas à l'un de vos territoires."))
        return None

    def who(self) -> str:
        roles = ", ".join(str(StaffRole(role).label) for role in self.roles)
        if self.automatic:
            return str(_("%(roles)s ; ou l'application, automatiquement") % {"roles": roles})
        return roles

    def __call__(self, instance, user) -> bool:
        return self.refusal(instance, user) is None


class ContactPermission:
    """Only the contact who answers for a role may answer it: in person (the ``Contact`` proven
    by a personal link) or through a user account linked to that contact."""

    def refusal(self, instance, user) -> str | None:
        contact_id = (
            getattr(user, "contact_id", None)
            if hasattr(user, "is_staff_member")
            else (getattr(user, "pk", None))
        )
        if contact_id is None or contact_id != instance.contact_id:
            return str(_("Seul l'interlocuteur désigné pour ce rôle peut y répondre."))
        return None

    def who(self) -> str:
        return str(_("l'interlocuteur désigné du partenaire (par son lien personnel)"))

    def __call__(self, instance, user) -> bool:
        return self.refusal(instance, user) is None
