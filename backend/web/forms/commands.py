"""The small forms behind the pages' buttons: a transition with its comment, withdrawing a
role, putting a point on the agenda or moving it, a board decision, the way back after
marking notifications read. Each reads its fields with the API's limits
(``backend.core.limits``), so that nothing a page sends reaches a service unchecked."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.board.models import Outcome
from backend.core.limits import CONDITIONS_LIMIT, REFERENCE_LIMIT, TEXT_LIMIT
from backend.web.forms.fields import text_field

MAX_ID = 2**63 - 1  # a bigint primary key
URL_LIMIT = 2_000


def id_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class CommentForm(forms.Form):
    """A comment kept in the history (withdrawing a role, an action's transition)."""

    comment = text_field(TEXT_LIMIT, required=False, label=_("Commentaire"))


class TransitionForm(CommentForm):
    """An action's transition; ``board_session`` for ``schedule``."""

    board_session = id_field(
        required=False,
        label=_("Séance du conseil"),
        error_messages={
            "invalid": _("Séance du conseil inconnue."),
            "min_value": _("Séance du conseil inconnue."),
            "max_value": _("Séance du conseil inconnue."),
        },
    )


class AgendaForm(forms.Form):
    """Put an action or a territory project on a session's agenda."""

    action = id_field(required=False)
    project = id_field(required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class SessionChoiceForm(forms.Form):
    """The board session a project is put on the agenda of."""

    session = id_field(required=False)


class NextForm(forms.Form):
    """Where to go back after marking notifications read (checked by the view)."""

    next = forms.CharField(required=False, max_length=URL_LIMIT)


class DecisionForm(forms.Form):
    """The decision on one agenda point (``prefix``: the point's, ``point-<id>``). Every field
    may be empty: a point left blank gets no decision now."""

    outcome = forms.ChoiceField(
        required=False,
        choices=[("", ""), *Outcome.choices],
        error_messages={"invalid_choice": _("Choisissez la décision du conseil.")},
    )
    conditions = text_field(CONDITIONS_LIMIT, required=False)
    reference = text_field(REFERENCE_LIMIT, required=False)

    def typed(self) -> dict:
        """What was typed, stripped, to show again (a value refused shows as typed)."""
        return {name: str(self[name].value() or "").strip() for name in self.fields}

    def clean(self):
        data = super().clean()
        typed = self.typed()
        if not any(typed.values()):
            return data
        if not typed["outcome"]:
            self.add_error("outcome", _("Choisissez la décision du conseil."))
        if not typed["reference"]:
            self.add_error("reference", _("Indiquez le numéro de délibération."))
        return data

    @property
    def blank(self) -> bool:
        return not any(self.typed().values())


class CorrectEmailForm(forms.Form):
    """A contact's address corrected after a permanent failure (the messages go again)."""

    email = forms.EmailField(max_length=254, label=_("Adresse e-mail corrigée"))
