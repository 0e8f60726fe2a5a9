"""The filters of the lists, read from the query string: a value that is not one (a year
that is not a number, a slug with a null character) is ignored, never sent to the database."""

from django import forms


class ProjectFilterForm(forms.Form):
    annee = forms.IntegerField(required=False, min_value=0, max_value=9999)
    territoire = forms.SlugField(required=False, max_length=100)

    def chosen(self) -> tuple[int | None, str]:
        """(the year, the territory's slug) that are valid; None and "" otherwise."""
        self.is_valid()
        data = self.cleaned_data
        return data.get("annee"), data.get("territoire") or ""


def id_or_none(raw) -> int | None:
    """A filter's id (``?project=12``) if it is one: not « ² », not 5,000 digits."""
    field = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    try:
        return field.clean(raw)
    except forms.ValidationError:
        return None
