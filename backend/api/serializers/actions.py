"""Actions, roles, available transitions and history."""

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.scoping import (
    actions_for,
    axes_for,
    communes_for,
    contacts_for,
    findings_for,
    neighbourhoods_for,
    organisations_for,
    projects_for,
)
from backend.actions.models import Action, ActionState, RoleAssignment
from backend.actions.summary import consultation_summary
from backend.api.fields import DateField, ScopedPrimaryKeyRelatedField
from backend.core.limits import TEXT_LIMIT
from backend.evaluations.models import Evaluation
from workflows.models import TransitionLog


class RoleSerializer(serializers.ModelSerializer):
    action = ScopedPrimaryKeyRelatedField(scope=actions_for)
    organisation = ScopedPrimaryKeyRelatedField(scope=organisations_for)
    contact = ScopedPrimaryKeyRelatedField(scope=contacts_for, required=False, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    contact_name = serializers.SerializerMethodField()
    description = serializers.CharField(max_length=TEXT_LIMIT)
    financial_commitment = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "action",
            "organisation",
            "organisation_name",
            "contact",
            "contact_name",
            "kind",
            "state",
            "description",
            "time_commitment",
            "financial_commitment",
            "venue",
            "invited_at",
            "responded_at",
            "response_comment",
        ]
        read_only_fields = ["state", "invited_at", "responded_at", "response_comment"]
        validators = []  # duplicates are refused by the service with the field named

    def get_contact_name(self, role) -> str | None:
        return role.contact.full_name if role.contact else None


class ActionRoleSerializer(RoleSerializer):
    """A role as shown inside its action (without repeating the action)."""

    class Meta(RoleSerializer.Meta):
        fields = [f for f in RoleSerializer.Meta.fields if f != "action"]
        read_only_fields = fields


class VisibleRolesSerializer(serializers.ListSerializer):
    """An action's roles as shown (prefetched by the view): withdrawn roles are kept in
    history, not shown here. One child serializer serves every action of a page (a method
    field building a serializer per action cost a third of the list's time)."""

    def get_attribute(self, instance):
        return [role for role in instance.roles.all() if role.state != "withdrawn"]


class ConsultationSummarySerializer(serializers.Serializer):
    total = serializers.IntegerField()
    accepted = serializers.IntegerField()
    pending = serializers.IntegerField()
    declined = serializers.IntegerField()
    changes_requested = serializers.IntegerField()
    deadline = serializers.DateField(allow_null=True)
    days_left = serializers.IntegerField(allow_null=True)
    overdue = serializers.BooleanField()


@extend_schema_field(OpenApiTypes.STR)
class ChoiceLabelField(serializers.ReadOnlyField):
    """The label of a choice, in the request's language, from a table built once (the model's
    ``get_FOO_display`` hashes every choice and its translation on each call: a fifth of the
    time of a list of actions)."""

    def __init__(self, *, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class ActionSerializer(serializers.ModelSerializer):
    project = ScopedPrimaryKeyRelatedField(scope=projects_for)
    territory = serializers.CharField(source="project.territory.slug", read_only=True)
    axis = ScopedPrimaryKeyRelatedField(scope=axes_for, required=False, allow_null=True)
    commune = ScopedPrimaryKeyRelatedField(scope=communes_for, required=False, allow_null=True)
    neighbourhood = ScopedPrimaryKeyRelatedField(
        scope=neighbourhoods_for, required=False, allow_null=True
    )
    findings = ScopedPrimaryKeyRelatedField(scope=findings_for, many=True, required=False)
    summary = serializers.CharField(max_length=TEXT_LIMIT)
    consultation_deadline = DateField(required=False, allow_null=True)
    planned_start = DateField(required=False, allow_null=True)
    planned_end = DateField(required=False, allow_null=True)
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    state_label = ChoiceLabelField(source="state", choices=ActionState.choices)
    roles = VisibleRolesSerializer(child=ActionRoleSerializer(), read_only=True)
    consultation = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "project",
            "territory",
            "axis",
            "title",
            "summary",
            "commune",
            "neighbourhood",
            "findings",
            "consultation_deadline",
            "planned_start",
            "planned_end",
            "budget",
            "social_worker",
            "state",
            "state_label",
            "board_session",
            "roles",
            "consultation",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["state", "board_session", "social_worker", "created_at", "updated_at"]

    @extend_schema_field(ConsultationSummarySerializer)
    def get_consultation(self, action):
        return consultation_summary(action).as_dict()


class TransitionAvailabilitySerializer(serializers.Serializer):
    name = serializers.CharField()
    target = serializers.CharField(allow_null=True)
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)


class TransitionRequestSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    board_session = serializers.IntegerField(required=False, min_value=1)


class HistoryEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label")
    subject = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField(
        help_text="What a row that changes no state records besides: a role amended "
        '(`role_amended`) says who held it before, {"kind"|"organisation"|"contact": '
        "[before, after]} (kind codes, organisation and contact ids); null otherwise."
    )

    class Meta:
        model = TransitionLog
        fields = [
            "transition",
            "source",
            "target",
            "actor",
            "comment",
            "at",
            "automatic",
            "subject",
            "details",
        ]

    def get_details(self, entry) -> dict | None:
        return entry.details

    def get_subject(self, entry) -> str:
        """``action``; ``role:<id>`` for one of its partner roles; ``evaluation:<id>``."""
        if entry.subject_type_id == ContentType.objects.get_for_model(Action).pk:
            return "action"
        if entry.subject_type_id == ContentType.objects.get_for_model(Evaluation).pk:
            return f"evaluation:{entry.subject_id}"
        return f"role:{entry.subject_id}"


class RespondSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "decline", "request_changes"])
    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)


class PersonalLinkSerializer(serializers.Serializer):
    url = serializers.URLField()


class WithdrawRoleSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
