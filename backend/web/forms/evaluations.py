"""The forms of an evaluation: its plan (staff) and its report (the pilot partner's page and
the staff page), with the API's limits (``backend.core.limits``).

The pages name their fields ``result-<indicator id>`` and ``indicator-<row>-<field>``; each
form reads exactly those names, so that an error lands next to its field."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.core.limits import MAX_INDICATORS, SHORT_TEXT_LIMIT, TEXT_LIMIT, UNIT_LIMIT
from backend.core.versions import version_of
from backend.web.forms import versions
from backend.web.forms.fields import (
    DateField,
    FrenchCountField,
    FrenchDecimalField,
    first_errors,
    text_field,
)

PARTNER_TEXTS = ("residents_involved", "what_worked", "what_to_change")
PLAN_FIELDS = ("label", "baseline", "target", "unit")
DATE_HINT = _("Indiquez une date, par exemple 30/06/2027.")


class ReportForm(forms.Form):
    """One result per indicator, the participants and the lessons; ``staff`` adds the summary
    (bilan) that staff write."""

    participants = FrenchCountField(required=False)

    def __init__(self, data, *, indicators, staff=False):
        super().__init__(data)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"result-{indicator.pk}"] = FrenchDecimalField(
                error_messages={"required": _("Indiquez le résultat obtenu (un nombre).")}
            )
        for name in (*PARTNER_TEXTS, *(("summary",) if staff else ())):
            self.fields[name] = text_field(TEXT_LIMIT, required=False)

    def read(self) -> tuple[dict, dict, dict]:
        """(what was typed, to show again; the report for ``submit_report``; the first error
        of each field)."""
        valid = self.is_valid()
        values = {"results": {}, "raw_results": {}}
        for indicator in self.indicators:
            name = f"result-{indicator.pk}"
            values["raw_results"][indicator.pk] = self[name].value() or ""
            if name in self.cleaned_data:
                values["results"][indicator.pk] = self.cleaned_data[name]
        report = {}
        for name in self.fields:
            if name.startswith("result-"):
                continue
            values[name] = self[name].value() or ""
            if name in self.cleaned_data and self.cleaned_data[name] is not None:
                report[name] = self.cleaned_data[name]
        return values, report, {} if valid else first_errors(self)


def _row_count(raw) -> int:
    """The number of rows the page sent (at most ``MAX_INDICATORS``)."""
    text = str(raw or "").strip()
    try:
        count = int(text) if len(text) <= 6 else MAX_INDICATORS
    except ValueError:
        return 0
    return max(0, min(count, MAX_INDICATORS))


class PlanForm(forms.Form):
    """The due date and ``rows`` rows of indicators (an empty row adds nothing)."""

    due_date = DateField(
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": DATE_HINT, "invalid": DATE_HINT},
    )

    def __init__(self, data):
        super().__init__(data)
        self.count = _row_count(data.get("rows"))
        for index in range(self.count):
            prefix = f"indicator-{index}-"
            self.fields[prefix + "label"] = text_field(SHORT_TEXT_LIMIT, required=False)
            self.fields[prefix + "baseline"] = FrenchDecimalField(required=False)
            self.fields[prefix + "target"] = FrenchDecimalField(required=False)
            self.fields[prefix + "unit"] = text_field(UNIT_LIMIT, required=False)

    def _typed(self, name: str) -> str:
        value = self[name].value()
        return value.strip() if isinstance(value, str) else ""

    def clean(self):
        data = super().clean()
        for index in range(self.count):
            prefix = f"indicator-{index}-"
            if not any(self._typed(prefix + name) for name in PLAN_FIELDS):
                continue
            if not self._typed(prefix + "label"):
                self.add_error(prefix + "label", _("Donnez l'intitulé de l'indicateur."))
            if not self._typed(prefix + "target"):
                self.add_error(prefix + "target", _("Indiquez la cible visée (un nombre)."))
        return data

    def read(self) -> tuple[dict, dict]:
        """(the plan for ``update_plan`` with what was typed, the first error of each field)."""
        valid = self.is_valid()
        rows, indicators = [], []
        for index in range(self.count):
            prefix = f"indicator-{index}-"
            row = {name: self._typed(prefix + name) for name in PLAN_FIELDS}
            rows.append(row)
            if not any(row.values()):
                continue  # an empty row: nothing to add (or an indicator removed)
            indicators.append({name: self.cleaned_data.get(prefix + name) for name in PLAN_FIELDS})
        plan = {"due_date_raw": self["due_date"].value() or "", "rows": rows}
        if valid:
            plan["due_date"] = self.cleaned_data["due_date"]
            plan["indicators"] = [
                {**indicator, "unit": indicator["unit"] or ""} for indicator in indicators
            ]
        return plan, {} if valid else first_errors(self)


# --- a plan opened before someone else saved it (backend.web.forms.versions) ------------------


def plan_values(evaluation) -> dict:
    """The plan as its page shows it: what is compared when someone saved it meanwhile."""
    return {
        "due_date": evaluation.due_date.isoformat(),
        "indicators": [
            [i.label, str(i.baseline or ""), str(i.target), i.unit]
            for i in evaluation.indicators.all()
        ],
    }


def plan_version_fields(evaluation) -> dict:
    return {
        versions.VERSION: version_of(evaluation),
        versions.SEEN: json.dumps(plan_values(evaluation)),
    }


def plan_changes(data, evaluation) -> str:
    """What someone else changed in the plan since the page sent as ``data`` was opened."""
    seen, now = versions.seen_in(data), plan_values(evaluation)
    changes = []
    if seen.get("due_date") != now["due_date"]:
        changes.append((_("Échéance du rapport"), evaluation.due_date.strftime("%d/%m/%Y")))
    if seen.get("indicators") != now["indicators"]:
        labels = ", ".join(row[0] for row in now["indicators"]) or str(versions.EMPTY)
        changes.append((_("Indicateurs"), labels))
    return versions.what_changed(changes)
