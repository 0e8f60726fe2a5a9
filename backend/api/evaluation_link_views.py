"""The pilot partner's report from its personal link, without an account:
``POST evaluations/report/<token>/``, the same body as ``POST evaluations/{id}/report/``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.actions.link_throttle import client_address, is_blocked, record_bad_link
from backend.api.consultation_views import TooManyBadLinks
from backend.api.errors import Conflict
from backend.api.evaluation_views import IndicatorSerializer, ReportSerializer
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


class ReportByLinkView(APIView):
    """The results of every indicator, participants, residents involved, lessons."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="evaluations_report_by_link",  # not api_v1_evaluations_report_create
        request=ReportSerializer,
        responses=REPORT_RESPONSES,
    )
    def post(self, request, token: str):
        address = client_address(request)
        if is_blocked(address):
            raise TooManyBadLinks()
        body = ReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            evaluation = submit_by_link(token, **body.validated_data)
        except ReportLinkError as error:
            if error.problem in (ReportLinkProblem.INVALID, ReportLinkProblem.REVOKED):
                record_bad_link(address)
                raise exceptions.NotFound(_("Ce lien n'est pas valide ou a été révoqué.")) from None
            if error.problem is ReportLinkProblem.NOT_STARTED:
                raise Conflict(_("L'action n'a pas encore commencé.")) from None
            if error.evaluation is not None and error.evaluation.report_submitted:
                raise Conflict(_("Le rapport de cette évaluation est déjà remis.")) from None
            raise Conflict(_("Le compte rendu de cette action n'est plus attendu.")) from None
        evaluation = Evaluation.objects.prefetch_related("indicators").get(pk=evaluation.pk)
        return Response(LinkReportSerializer(evaluation).data)
