"""Board members' attendance: the answer from the personal link (no account), what the
secretary sees of the answers, and the minutes of a held session."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.board_documents import DocumentView, attachment, file_responses
from backend.api.errors import Conflict
from backend.api.permissions import IsStaffMember
from backend.api.personal_links import PersonalLinkView
from backend.board import minutes
from backend.board.attendance import ANSWERS, AttendanceLinkError, answer_attendance
from backend.board.convening import convocation_rows
from backend.board.minutes import MINUTES_STATES
from backend.board.models import BoardSession


class AttendanceSerializer(serializers.Serializer):
    attendance = serializers.ChoiceField(choices=[(value, value) for value in ANSWERS])
    proxy = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ConvocationSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    attendance = serializers.CharField()
    proxy = serializers.IntegerField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


@extend_schema(
    request=AttendanceSerializer,
    responses={
        200: ConvocationSerializer,
        400: OpenApiResponse(description="Réponse invalide (pouvoir refusé…)"),
        404: OpenApiResponse(description="Lien invalide"),
        409: OpenApiResponse(description="La séance a eu lieu"),
        429: OpenApiResponse(description="Trop de liens invalides"),
    },
)
class AttendanceByLinkView(PersonalLinkView):
    """A board member says whether they attend (present, remote, absent with or without a
    proxy), from the personal link of their convocation."""

    body_class = AttendanceSerializer
    link_error = AttendanceLinkError
    bad_problems = ("invalid",)

    def act(self, token, data):
        return answer_attendance(
            token, attendance=data["attendance"], proxy=data.get("proxy") or None
        )

    def conflict_reason(self, error) -> str:
        return _("Ce lien ne fonctionne plus.")

    def answer(self, convocation):
        row = {
            "member": convocation.member_id,
            "name": convocation.member.full_name,
            "attendance": convocation.attendance,
            "proxy": convocation.proxy_id,
            "answered_at": convocation.answered_at,
        }
        return Response(ConvocationSerializer(row).data)


class ConvocationsView(APIView):
    permission_classes = [IsStaffMember]

    @extend_schema(
        operation_id="board_sessions_convocations", responses=ConvocationSerializer(many=True)
    )
    def get(self, request, pk: int):
        """Who is convened and what they answered (``pending`` until they do)."""
        session = get_object_or_404(BoardSession, pk=pk)
        return Response(ConvocationSerializer(convocation_rows(session), many=True).data)


class MinutesView(DocumentView):
    @extend_schema(
        operation_id="board_sessions_minutes",
        responses={
            **file_responses(["application/pdf"], "Procès-verbal de la séance (PDF)"),
            409: OpenApiResponse(description="La séance n'a pas encore eu lieu"),
        },
    )
    def get(self, request, pk: int):
        """The minutes of a held or closed session: attendance and proxies, quorum, each
        point with its decision."""
        session = get_object_or_404(BoardSession, pk=pk)
        if session.state not in MINUTES_STATES:
            raise Conflict(_("Le procès-verbal est établi quand la séance a eu lieu."))
        return attachment(
            minutes.minutes_pdf(session, request.user), "application/pdf", minutes.filename(session)
        )


# Wired in backend/api/urls.py before the router: ``*attendance_views.urlpatterns``.
urlpatterns = [
    path("attendance/<str:token>/", AttendanceByLinkView.as_view(), name="attendance-by-link"),
    path(
        "board-sessions/<int:pk>/convocations/",
        ConvocationsView.as_view(),
        name="board-session-convocations",
    ),
    path("board-sessions/<int:pk>/minutes/", MinutesView.as_view(), name="board-session-minutes"),
]
