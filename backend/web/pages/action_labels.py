"""What the action page calls the transitions (buttons and timeline)."""

from django.utils.translation import gettext_lazy as _

from backend.actions.link_access import READ_LINK, REVOKE_LINK

# The transitions staff fire from the action page (the API's list, in the same order).
TRANSITIONS = {
    "submit": _("Ouvrir la consultation"),
    "revise": _("Revenir au brouillon"),
    "complete_consultation": _("Clore la consultation"),
    "schedule": _("Inscrire au conseil"),
    "start": _("Démarrer l'action"),
    "evaluate": _("Passer en évaluation"),
    "close": _("Clôturer l'action"),
    "withdraw": _("Retirer l'action"),
}
# Transitions the board fires (decisions) or that are automatic: named in the timeline only.
OTHER_TRANSITIONS = {
    "unschedule": _("Retirée de l'ordre du jour"),
    "approve": _("Approuvée par le conseil"),
    "reject": _("Rejetée par le conseil"),
    "defer": _("Ajournée par le conseil"),
}
ROLE_TRANSITIONS = {
    "invite": _("invité"),
    "accept": _("a accepté"),
    "decline": _("a refusé"),
    "request_changes": _("demande des modifications"),
    "withdraw_invitation": _("invitation retirée"),
    "withdraw": _("retiré"),
    "contact_email_changed": _("adresse e-mail de l'interlocuteur modifiée"),
    READ_LINK: _("lien personnel consulté"),
    REVOKE_LINK: _("lien personnel remplacé"),
}
