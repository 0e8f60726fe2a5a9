"""The board pages' forms: planning a session, recording its decisions."""

from functools import cached_property

from django import forms
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.utils.translation import gettext_lazy as _

from backend.board.decisions import DecisionInput, validate_decisions
from backend.board.models import BoardSession, Outcome
from backend.web.forms.commands import DecisionForm
from backend.web.forms.fields import DateTimeField


class SessionForm(forms.ModelForm):
    date = DateTimeField(
        label=_("Date et heure"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Heure de Paris, par exemple 14/01/2027 14:00."),
    )

    class Meta:
        model = BoardSession
        fields = ["date", "title", "location"]
        labels = {"title": _("Intitulé"), "location": _("Lieu")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].widget.attrs["aria-describedby"] = f"{self['date'].auto_id}-hint"

    def full_clean(self):
        """Each field in error says so and points to its message (aria-describedby)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                error_id = f"{self[name].auto_id}-error"
                described = f"{attrs.get('aria-describedby', '')} {error_id}".strip()
                attrs.update({"aria-invalid": "true", "aria-describedby": described})


class BaseDecisionFormSet(forms.BaseFormSet):
    """The decisions on a held session's undecided agenda points, one ``DecisionForm`` per
    point (prefix ``point-<item id>``; the points, not a management form, say how many). A
    point left blank gets no decision now. Besides each form's own checks, the service's
    (``validate_decisions``: reference used, conditions or reason missing…) run on the filled
    forms, so that every error shows at once, next to its field."""

    def __init__(self, data, *, session, points):
        self.session, self.points = session, points
        super().__init__(data, prefix="point")

    def total_form_count(self) -> int:
        return len(self.points)

    def initial_form_count(self) -> int:
        return 0

    @cached_property
    def management_form(self):
        counts = {TOTAL_FORM_COUNT: len(self.points), INITIAL_FORM_COUNT: 0}
        return ManagementForm(
            {f"{self.prefix}-{name}": value for name, value in counts.items()},
            prefix=self.prefix,
        )

    def add_prefix(self, index) -> str:
        if isinstance(index, int):
            return self.points[index].prefix
        return super().add_prefix(index)

    def filled(self) -> list:
        """(point, form) of the points the secretary filled in."""
        return [
            (point, form)
            for point, form in zip(self.points, self.forms, strict=True)
            if not form.blank
        ]

    @staticmethod
    def inputs(rows) -> list[DecisionInput]:
        return [
            DecisionInput(
                outcome=form.cleaned_data.get("outcome") or "",
                reference=form.cleaned_data.get("reference") or "",
                conditions=form.cleaned_data.get("conditions") or "",
                action=point.item.action if point.is_action else None,
                project=None if point.is_action else point.item.project,
            )
            for point, form in rows
        ]

    def decisions(self) -> list[DecisionInput]:
        return self.inputs(self.filled())

    def clean(self):
        checkable = [
            (point, form)
            for point, form in self.filled()
            if form.cleaned_data.get("outcome") in Outcome.values
        ]
        for index, problems in validate_decisions(self.session, self.inputs(checkable)).items():
            form = checkable[index][1]
            for field, message in problems.items():
                name = FIELD_OF.get(field, field)
                if name not in form.errors:  # the form's own message first
                    form.add_error(name, message)


# The service names the subject of a decision (action, project): the page, its outcome field.
FIELD_OF = {"action": "outcome", "project": "outcome", "item": "outcome"}

DecisionFormSet = forms.formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=0)
