"""The pages' side of optimistic concurrency: an edit form carries the version it was opened
on (``backend.core.versions``) and the values it showed, in two hidden fields.

The service compares the version under the row's lock, as for the API's ``If-Match``. When
someone saved meanwhile, nothing is written and the page shows the form again with what the
person typed, tells which fields changed and their new values, and takes the new version:
sending the form again then saves the person's values knowingly."""

import json

from django import forms
from django.db.models import Model
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from backend.core.versions import version_of

VERSION, SEEN = "version", "seen_values"
CHANGED = _(
    "Pendant que vous modifiiez, quelqu'un a enregistré d'autres valeurs : %(changes)s. "
    "Vos saisies sont conservées ci-dessous : vérifiez-les puis enregistrez à nouveau."
)
CHANGED_ELSEWHERE = _(
    "Pendant que vous modifiiez, l'élément a changé (son état ou une donnée hors de ce "
    "formulaire). Vos saisies sont conservées ci-dessous : enregistrez à nouveau pour les "
    "appliquer."
)
CHANGE = _("%(field)s : « %(value)s »")
EMPTY = _("(vide)")


def _plain(value) -> str:
    """A value as compared: ids for objects, sorted for lists, ISO for dates."""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return json.dumps(sorted(_plain(item) for item in items))
    return "" if value is None else str(value)


def _seen(form, initial: dict) -> str:
    return json.dumps({name: _plain(initial.get(name)) for name in form.fields if name in initial})


def track(form, instance, initial: dict) -> None:
    """What the form's hidden ``version`` and ``seen_values`` inputs hold (the template's
    ``web/partials/version_fields.html``): as sent when the form comes back (a form refused
    for a bad field keeps the version it was opened on), else ``instance``'s now, with the
    ``initial`` values the form shows. Not fields of the form: its data stays the service's."""
    if form.is_bound:
        form.version_fields = {VERSION: form.data.get(VERSION, ""), SEEN: form.data.get(SEEN, "")}
    else:
        form.version_fields = {VERSION: version_of(instance), SEEN: _seen(form, initial)}


def expected_versions(form) -> list[str] | None:
    """The version the form was opened on (None: a form sent without it, as before)."""
    return sent_versions(form.data) if form.is_bound else None


def sent_versions(data) -> list[str] | None:
    """The version a form's ``data`` (request.POST) was opened on; None without one."""
    version = data.get(VERSION)
    return [version] if version else None


def sent_fields(data) -> dict:
    """The hidden inputs as sent back (a page that is not a Django form)."""
    return {VERSION: data.get(VERSION, ""), SEEN: data.get(SEEN, "")}


def seen_in(data) -> dict:
    try:
        seen = json.loads(data.get(SEEN) or "{}")
    except ValueError:
        return {}
    return seen if isinstance(seen, dict) else {}


def _shown(field, value) -> str:
    if value in (None, "", [], ()):
        return str(EMPTY)
    if isinstance(field, forms.ModelMultipleChoiceField):
        ids = [item.pk if isinstance(item, Model) else item for item in value]
        return ", ".join(str(item) for item in field.queryset.filter(pk__in=ids)) or str(EMPTY)
    if isinstance(field, forms.ModelChoiceField):
        key = value.pk if isinstance(value, Model) else value
        return str(field.queryset.filter(pk=key).first() or EMPTY)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "isoformat"):
        return formats.localize(value)
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def tell_changes(form, instance, initial: dict) -> None:
    """After a stale version: which of the form's fields someone else changed, with their new
    values (an error of the form); the hidden inputs take ``instance``'s current version, the
    person's typing stays."""
    seen = seen_in(form.data)
    changed = [
        name
        for name in form.fields
        if name in initial and name in seen and seen[name] != _plain(initial[name])
    ]
    form.add_error(
        None,
        what_changed(
            [
                (form.fields[name].label, _shown(form.fields[name], initial[name]))
                for name in changed
            ]
        ),
    )
    form.version_fields = {VERSION: version_of(instance), SEEN: _seen(form, initial)}


def what_changed(changes: list[tuple[str, str]]) -> str:
    """The message for a stale edit: each (field label, new value shown), or that something
    outside the form changed."""
    if not changes:
        return str(CHANGED_ELSEWHERE)
    listed = " ; ".join(str(CHANGE % {"field": label, "value": value}) for label, value in changes)
    return str(CHANGED % {"changes": listed})
