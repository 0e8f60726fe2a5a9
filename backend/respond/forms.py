"""The partner's answer on the response page: a decision and a comment within the API's
limits (``backend.core.limits``; a null character is refused as on every text field)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.actions.consultation import DECISIONS
from backend.core.limits import TEXT_LIMIT
from backend.web.forms.fields import text_field

DECISION_MISSING = _("Choisissez l'une des trois réponses proposées.")


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[(decision, decision) for decision in DECISIONS],
        error_messages={"required": DECISION_MISSING, "invalid_choice": DECISION_MISSING},
    )
    comment = text_field(TEXT_LIMIT, required=False)

    def typed(self) -> tuple[str, str]:
        """(decision, comment) as sent, to show again."""
        return str(self["decision"].value() or ""), str(self["comment"].value() or "")
