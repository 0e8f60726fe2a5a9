"""The forms of the action pages: an action, a partner's role.

Each select offers only what the signed-in person may use (``backend.accounts.scoping``). The
dependent choices (axes of a project, neighbourhoods of a commune, contacts of an
organisation) are grouped with <optgroup>, so the forms work without JavaScript; the services
(``backend.actions.services``) check the pairs again and their errors land on the fields."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from backend.accounts import scoping
from backend.actions.models import RoleKind
from backend.core.limits import SHORT_TEXT_LIMIT, TEXT_LIMIT
from backend.partners.models import Contact
from backend.web.forms.fields import DateField


class GroupedChoiceIterator(ModelChoiceIterator):
    """The choices of a model select in <optgroup>s, by ``field.group_label(obj)``."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list] = {}
        for obj in self.queryset:
            groups.setdefault(self.field.group_label(obj), []).append(self.choice(obj))
        if len(groups) == 1 and not self.field.always_group:
            yield from next(iter(groups.values()))
            return
        yield from groups.items()


class GroupedModelChoiceField(forms.ModelChoiceField):
    iterator = GroupedChoiceIterator

    def __init__(self, *args, group_label, always_group=False, **kwargs):
        self.group_label = group_label
        self.always_group = always_group
        super().__init__(*args, **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AccessibleForm(forms.Form):
    """Hints and errors are tied to their field (aria-describedby, aria-invalid)."""

    def describe_fields(self) -> None:
        for name, field in self.fields.items():
            bound = self[name]
            ids = []
            if field.help_text:
                ids.append(f"{bound.auto_id}-hint")
            if self.is_bound and self._errors is not None and bound.errors:
                ids.append(f"{bound.auto_id}-error")
                field.widget.attrs["aria-invalid"] = "true"
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    def error_fields(self) -> list:
        """The bound fields with errors, in the form's order (for the error summary)."""
        return [self[name] for name in self.fields if self[name].errors]


# --- an action -----------------------------------------------------------------------------


class ActionForm(AccessibleForm):
    project = forms.ModelChoiceField(
        queryset=None, label=_("Projet de territoire"), empty_label=_("Choisissez un projet")
    )
    title = forms.CharField(label=_("Intitulé"), max_length=SHORT_TEXT_LIMIT)
    summary = forms.CharField(
        label=_("Résumé"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que fait l'action, pour qui, et ce qu'on en attend."),
    )
    axis = GroupedModelChoiceField(
        queryset=None,
        required=False,
        label=_("Axe d'intervention"),
        empty_label=_("Aucun axe"),
        group_label=lambda axis: str(axis.project),
    )
    commune = GroupedModelChoiceField(
        queryset=None,
        required=False,
        label=_("Commune"),
        empty_label=_("Aucune commune"),
        group_label=lambda commune: commune.territory.name,
    )
    neighbourhood = GroupedModelChoiceField(
        queryset=None,
        required=False,
        label=_("Quartier"),
        empty_label=_("Aucun quartier"),
        group_label=lambda neighbourhood: neighbourhood.commune.name,
        always_group=True,
        help_text=_("Les quartiers sont rangés par commune."),
    )
    findings = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label=_("Constats du diagnostic auxquels l'action répond"),
        widget=forms.CheckboxSelectMultiple,
    )
    consultation_deadline = DateField(
        required=False,
        label=_("Date limite de consultation"),
        widget=DateInput(),
        help_text=_("Laissée vide : dix jours ouvrés après l'ouverture de la consultation."),
    )
    planned_start = DateField(required=False, label=_("Début prévu"), widget=DateInput())
    planned_end = DateField(required=False, label=_("Fin prévue"), widget=DateInput())
    budget = forms.DecimalField(
        required=False,
        label=_("Budget prévisionnel (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
    )

    def __init__(self, *args, user, project=None, action=None, **kwargs):
        """``project``: the project the choices are narrowed to (known from the URL, the
        posted data, the action edited, or because the user has only one)."""
        super().__init__(*args, **kwargs)
        self.action = action
        projects = (
            scoping.projects_for(user)
            .select_related("territory")
            .order_by("-year", "territory__name")
        )
        fields = self.fields
        fields["project"].queryset = projects
        if action is not None:
            project = action.project
            del fields["project"]
        elif project is None:
            only = list(projects[:2])
            project = only[0] if len(only) == 1 else None
        if project is not None and "project" in fields:
            fields["project"].initial = project.pk
        self.project = project

        axes = scoping.axes_for(user).select_related("project__territory")
        findings = scoping.findings_for(user).select_related("diagnostic__project__territory")
        if project is not None:
            axes = axes.filter(project=project)
            findings = findings.filter(diagnostic__project=project)
        fields["axis"].queryset = axes.order_by("-project__year", "project_id", "position", "id")
        fields["findings"].queryset = findings.order_by("diagnostic_id", "kind", "id")
        several = project is None and len({f.diagnostic_id for f in findings}) > 1
        fields["findings"].label_from_instance = lambda finding: (
            (f"{finding.diagnostic.project} - " if several else "")
            + f"{capfirst(finding.get_kind_display())} : {finding.title}"
        )

        territory_ids = None if project is None else [project.territory_id]
        communes = scoping.communes_for(user).select_related("territory")
        neighbourhoods = scoping.neighbourhoods_for(user).select_related("commune")
        if territory_ids:
            communes = communes.filter(territory_id__in=territory_ids)
            neighbourhoods = neighbourhoods.filter(commune__territory_id__in=territory_ids)
        fields["commune"].queryset = communes.order_by("territory__name", "name")
        fields["neighbourhood"].queryset = neighbourhoods.order_by("commune__name", "name")
        fields["neighbourhood"].label_from_instance = lambda n: n.name
        self.describe_fields()

    def clean(self):
        data = super().clean()
        commune, neighbourhood = data.get("commune"), data.get("neighbourhood")
        if neighbourhood is not None and commune is None:
            data["commune"] = neighbourhood.commune  # the neighbourhood tells its commune
        return data

    def service_data(self) -> dict:
        """What the service receives: every field on creation, the changed ones on edition."""
        data = dict(self.cleaned_data)
        if self.action is None:
            return data
        changed = set(self.changed_data)
        if "neighbourhood" in changed:
            changed.add("commune")
        return {name: value for name, value in data.items() if name in changed}


# --- a partner's role ----------------------------------------------------------------------


class RoleForm(AccessibleForm):
    organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Organisation partenaire"),
        empty_label=_("Choisissez une organisation"),
    )
    contact = GroupedModelChoiceField(
        queryset=None,
        required=False,
        label=_("Interlocuteur"),
        empty_label=_("À désigner plus tard"),
        group_label=lambda contact: contact.organisation.name,
        always_group=True,
        help_text=_(
            "La personne qui répondra pour l'organisation (rangées par organisation). "
            "Chaque rôle doit en avoir une avant l'ouverture de la consultation."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Rôle"), choices=[("", _("Choisissez un rôle")), *RoleKind.choices]
    )
    description = forms.CharField(
        label=_("Engagement"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ce que l'organisation s'engage à faire, précisément."),
    )
    time_commitment = forms.CharField(
        required=False, max_length=SHORT_TEXT_LIMIT, label=_("Temps consacré")
    )
    financial_commitment = forms.DecimalField(
        required=False,
        label=_("Apport financier (€)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
    )
    venue = forms.CharField(
        required=False, max_length=SHORT_TEXT_LIMIT, label=_("Lieu mis à disposition")
    )

    def __init__(self, *args, user, action, role=None, only_organisation=None, **kwargs):
        """``only_organisation``: list only that organisation's contacts (the htmx refresh
        of the contact select once an organisation is chosen)."""
        super().__init__(*args, **kwargs)
        self.role = role
        organisations = scoping.organisations_for(user).filter(
            territories=action.project.territory_id
        )
        self.fields["organisation"].queryset = organisations.order_by("name")
        contacts = Contact.objects.filter(organisation__in=organisations.values("pk"))
        if only_organisation is not None:
            contacts = contacts.filter(organisation_id=only_organisation)
        self.fields["contact"].queryset = contacts.select_related("organisation").order_by(
            "organisation__name", "last_name", "first_name"
        )
        self.fields["contact"].label_from_instance = lambda contact: (
            f"{contact.full_name} ({contact.position})" if contact.position else contact.full_name
        )
        self.describe_fields()

    def clean(self):
        data = super().clean()
        organisation, contact = data.get("organisation"), data.get("contact")
        if organisation and contact and contact.organisation_id != organisation.pk:
            self.add_error(
                "contact",
                ValidationError(
                    _("Cet interlocuteur n'appartient pas à %(organisation)s."),
                    params={"organisation": organisation.name},
                ),
            )
        return data

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("time_commitment", "venue"):
            data[name] = data.get(name) or ""
        return data
