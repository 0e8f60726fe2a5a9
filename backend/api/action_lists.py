"""An action's own lists and their filters: ``history/``, ``transitions/``, ``reminders/``.

Each filter is a query parameter read by a serializer (a bad value is a 400 naming it) and
documented on the operation (``extend_schema(parameters=[…QuerySerializer])``).
"""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backend.actions.machine import STAFF_TRANSITIONS, ActionState
from backend.actions.models import Action, RoleAssignment
from backend.actions.role_machine import RoleState
from backend.evaluations.machine import EvaluationState
from backend.evaluations.models import Evaluation
from notifications.models import Kind, Notification, Status
from workflows.models import TransitionLog

SUBJECTS = {"action": Action, "role": RoleAssignment, "evaluation": Evaluation}
STATES = sorted({*ActionState.values, *RoleState.values, *EvaluationState.values})


class HistoryQuerySerializer(serializers.Serializer):
    subject = serializers.ChoiceField(
        choices=list(SUBJECTS),
        required=False,
        help_text=_("Ce qui a changé d'état : l'action, un de ses rôles, son évaluation"),
    )
    state = serializers.MultipleChoiceField(
        choices=STATES, required=False, help_text=_("État d'arrivée (plusieurs possibles)")
    )
    transition = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text=_("Nom de la transition (plusieurs possibles)"),
    )


class TransitionQuerySerializer(serializers.Serializer):
    name = serializers.MultipleChoiceField(
        choices=STAFF_TRANSITIONS,
        required=False,
        help_text=_("Nom de la transition (plusieurs possibles)"),
    )
    allowed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Seulement celles que vous pouvez déclencher maintenant (true) ou non"),
    )


class ReminderQuerySerializer(serializers.Serializer):
    kind = serializers.MultipleChoiceField(
        choices=Kind.choices, required=False, help_text=_("Type (plusieurs possibles)")
    )
    status = serializers.MultipleChoiceField(
        choices=Status.choices, required=False, help_text=_("Statut (plusieurs possibles)")
    )


def query(serializer_class, request) -> dict:
    """The validated filters of the request's query string (a 400 when one is bad)."""
    body = serializer_class(data=request.query_params)
    body.is_valid(raise_exception=True)
    return body.validated_data


def history_of(action, filters: dict):
    entries = TransitionLog.objects.filter(action=action)
    if filters.get("subject"):
        model = SUBJECTS[filters["subject"]]
        entries = entries.filter(subject_type=ContentType.objects.get_for_model(model))
    if filters.get("state"):
        entries = entries.filter(target__in=filters["state"])
    if filters.get("transition"):
        entries = entries.filter(transition__in=filters["transition"])
    return entries.order_by("at", "id")


def transitions_matching(rows: list[dict], filters: dict) -> list[dict]:
    names, allowed = filters.get("name"), filters.get("allowed")
    return [
        row
        for row in rows
        if (not names or row["name"] in names) and (allowed is None or row["allowed"] == allowed)
    ]


def reminders_of(action, filters: dict):
    rows = Notification.objects.filter(action=action)
    if filters.get("kind"):
        rows = rows.filter(kind__in=filters["kind"])
    if filters.get("status"):
        rows = rows.filter(status__in=filters["status"])
    return rows.order_by("due_at", "id")
