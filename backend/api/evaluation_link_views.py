"""The pilot partner's report from its personal link, without an account:
``POST evaluations/report/<token>/``, the same body as ``POST evaluations/{id}/report/``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from backend.api.evaluation_views import IndicatorSerializer, ReportSerializer
from backend.api.personal_links import PersonalLinkView
from backend.evaluations.links import ReportLinkError, ReportLinkProblem, submit_by_link
from backend.evaluations.models import Evaluation


class LinkReportSerializer(serializers.ModelSerializer):
    """What the partner sent, as stored (no staff ids)."""

    indicators = IndicatorSerializer(many=True, read_only=True)
    # A plain string: a second component with the evaluation's choices would make
    # drf-spectacular rename EvaluationStateEnum (always "submitted" here anyway).
    state = serializers.CharField(read_only=True, help_text="submitted")

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "state",
            "submitted_at",
            "indicators",
            "participants",
            "residents_involved",
            "summary",
            "what_worked",
            "what_to_change",
        ]
        read_only_fields = fields


REPORT_RESPONSES = {
    200: LinkReportSerializer,
    400: OpenApiResponse(description="Compte rendu invalide (résultat manquant…)"),
    404: OpenApiResponse(description="Lien inconnu ou révoqué"),
    409: OpenApiResponse(description="Compte rendu déjà remis, ou pas (plus) attendu"),
    429: OpenApiResponse(description="Trop de liens invalides depuis cette adresse"),
}


@extend_schema_view(
    post=extend_schema(
        operation_id="evaluations_report_by_link",  # not api_v1_evaluations_report_create
        request=ReportSerializer,
        responses=REPORT_RESPONSES,
    )
)
class ReportByLinkView(PersonalLinkView):
    """The results of every indicator, participants, residents involved, lessons."""

    body_class = ReportSerializer
    link_error = ReportLinkError
    bad_problems = (ReportLinkProblem.INVALID, ReportLinkProblem.REVOKED)

    def act(self, token, data):
        return submit_by_link(token, **data)

    def conflict_reason(self, error) -> str:
        if error.problem is ReportLinkProblem.NOT_STARTED:
            return _("L'action n'a pas encore commencé.")
        if error.evaluation is not None and error.evaluation.report_submitted:
            return _("Le rapport de cette évaluation est déjà remis.")
        return _("Le compte rendu de cette action n'est plus attendu.")

    def answer(self, evaluation):
        evaluation = Evaluation.objects.prefetch_related("indicators").get(pk=evaluation.pk)
        return Response(LinkReportSerializer(evaluation).data)
