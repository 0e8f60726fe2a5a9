"""The filters of the lists of actions and roles (django-filter): read by the API's lists
(``?state=&territory=&project=&axis=&commune=&overdue=``) and the dashboard alike."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.actions.models import Action, ActionState, RoleAssignment, RoleKind, RoleState

# ``distinct=False`` on the choice filters: each is a plain column of the filtered table (no
# join that could repeat a row), and django-filter's default DISTINCT would make PostgreSQL
# sort and compare every column of every matching row (seven times slower on 100,000 actions).


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number (``?axis=1.5`` is refused), filtered through the relation's
    primary key (``axis__id``, which Django reads as ``axis_id`` without a join), so that the
    OpenAPI document types it as an integer."""

    field_class = forms.IntegerField


class ActionFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=ActionState.choices, distinct=False)
    territory = django_filters.CharFilter(field_name="project__territory__slug")
    project = IdFilter(field_name="project__id")
    axis = IdFilter(field_name="axis__id")
    commune = IdFilter(field_name="commune__id")
    overdue = django_filters.BooleanFilter(
        method="filter_overdue",
        label=_("consultation dont la date limite est dépassée"),
    )

    class Meta:
        model = Action
        fields = ["state", "territory", "project", "axis", "commune", "overdue"]

    def filter_overdue(self, queryset, name, value):
        overdue = Q(state=ActionState.CONSULTATION, consultation_deadline__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)


class RoleFilter(django_filters.FilterSet):
    action = IdFilter(field_name="action__id")
    organisation = IdFilter(field_name="organisation__id")
    state = django_filters.MultipleChoiceFilter(choices=RoleState.choices, distinct=False)
    kind = django_filters.MultipleChoiceFilter(choices=RoleKind.choices, distinct=False)

    class Meta:
        model = RoleAssignment
        fields = ["action", "organisation", "state", "kind"]
