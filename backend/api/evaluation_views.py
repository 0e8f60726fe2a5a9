"""Evaluations: the plan (indicators, due date), the report, validation."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from backend.actions.filters import IdFilter
from backend.api.fields import DateField
from backend.api.filtering import ListFiltersOnList
from backend.api.permissions import IsStaffMember
from backend.api.versions import VersionedMixin
from backend.core.limits import TEXT_LIMIT
from backend.evaluations.models import Evaluation, Indicator
from backend.evaluations.reports import submit_report, update_plan
from backend.evaluations.transitions import EVALUATION_SERVICES

TEXT = {"max_length": TEXT_LIMIT, "required": False, "allow_blank": True}


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "label", "baseline", "target", "unit", "result"]
        read_only_fields = ["id", "result"]


class EvaluationSerializer(serializers.ModelSerializer):
    indicators = IndicatorSerializer(many=True, read_only=True)
    territory = serializers.CharField(source="action.project.territory.slug", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "action",
            "territory",
            "state",
            "due_date",
            "indicators",
            "participants",
            "residents_involved",
            "summary",
            "what_worked",
            "what_to_change",
            "reporting_role",
            "reporting_staff",
            "submitted_at",
            "validated_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.Serializer):
    due_date = DateField(required=False)
    indicators = IndicatorSerializer(many=True, required=False)


class ResultSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1)
    result = serializers.DecimalField(max_digits=12, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    results = ResultSerializer(many=True)
    participants = serializers.IntegerField(min_value=0, required=False)
    residents_involved = serializers.CharField(**TEXT)
    summary = serializers.CharField(**TEXT)
    what_worked = serializers.CharField(**TEXT)
    what_to_change = serializers.CharField(**TEXT)


class EvaluationFilter(filters.FilterSet):
    action = IdFilter(field_name="action__id")
    territory = filters.CharFilter(field_name="action__project__territory__slug")
    state = filters.CharFilter()

    class Meta:
        model = Evaluation
        fields = ["action", "territory", "state"]


class EvaluationViewSet(
    ListFiltersOnList,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EvaluationSerializer
    permission_classes = [IsStaffMember]
    filterset_class = EvaluationFilter

    def get_queryset(self):
        user = self.request.user
        rows = Evaluation.objects.select_related("action__project__territory").prefetch_related(
            "indicators"
        )
        if not getattr(user, "is_staff_member", False):
            return rows.none()
        if user.sees_all_territories:
            return rows.order_by("due_date", "id")
        return rows.filter(action__project__territory_id__in=user.territory_ids()).order_by(
            "due_date", "id"
        )

    def _fresh(self, evaluation):
        return Response(self.get_serializer(self.get_queryset().get(pk=evaluation.pk)).data)

    @extend_schema(request=PlanSerializer, responses=EvaluationSerializer)
    def partial_update(self, request, pk=None):
        """The plan: due date and indicators (replaced as a whole)."""
        body = PlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = update_plan(
            self.get_object(),
            user=request.user,
            expected_versions=self.expected_versions(),
            **body.validated_data,
        )
        return self.with_etag(self._fresh(evaluation))

    @extend_schema(request=ReportSerializer, responses=EvaluationSerializer)
    @route(detail=True, methods=["post"])
    def report(self, request, pk=None):
        """The results of every indicator, participants, residents involved, lessons."""
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = submit_report(self.get_object(), actor=request.user, **body.validated_data)
        return self._fresh(evaluation)

    @extend_schema(request=None, responses=EvaluationSerializer)
    @route(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def fire(self, request, pk=None, name=None):
        """validate (the territory manager)."""
        if name not in EVALUATION_SERVICES:
            raise NotFound()
        return self._fresh(EVALUATION_SERVICES[name](self.get_object(), actor=request.user))
