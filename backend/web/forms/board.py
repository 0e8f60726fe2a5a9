"""The board pages' forms: planning a session."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.board.models import BoardSession
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
        self.fields["date"].widget.attrs["aria-describedby"] = "id_date-hint"

    def full_clean(self):
        """Each field in error says so and points to its message (aria-describedby)."""
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                described = f"{attrs.get('aria-describedby', '')} id_{name}-error".strip()
                attrs.update({"aria-invalid": "true", "aria-describedby": described})
