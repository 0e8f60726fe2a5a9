"""Documents of a board session: the calendar invitation (.ics) and the board file (PDF).

Both are for CAF staff; a territory-bound staff member gets only their territories' agenda
points (as in ``board-sessions/``).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from backend.api.permissions import IsStaffMember
from backend.board import board_file, ics
from backend.board.models import BoardSession, BoardSessionState


class FileNegotiation(BaseContentNegotiation):
    """The answer is a file whatever the client accepts (a calendar client asks for
    ``text/calendar``); errors are rendered with the first renderer (JSON). It also keeps
    DRF's ``?format=`` override from turning into a 404."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


OCTET_STREAM = "application/octet-stream"


def file_responses(media_types, description: str) -> dict:
    """The 200 of a file: a binary string (generated clients return bytes), as its own media
    type and as ``application/octet-stream`` (listed first: generators that know no other
    binary type, openapi-python-client among them, read the body as bytes)."""
    file = OpenApiResponse(OpenApiTypes.BINARY, description=description)
    return {(200, media_type): file for media_type in (OCTET_STREAM, *media_types)}


class FileView(APIView):
    """A view that answers a file (errors in JSON). A client that asks for
    ``application/octet-stream`` rather than the file's own type gets that type."""

    content_negotiation_class = FileNegotiation

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.has_header("Content-Disposition") and self.wants_octet_stream(response):
            response["Content-Type"] = OCTET_STREAM
        return response

    def wants_octet_stream(self, response) -> bool:
        accepted = {
            part.split(";")[0].strip().lower()
            for part in self.request.headers.get("Accept", "").split(",")
        }
        own = response["Content-Type"].split(";")[0].strip().lower()
        return OCTET_STREAM in accepted and own not in accepted


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class DocumentView(FileView):
    permission_classes = [IsStaffMember]

    def session(self, pk: int) -> BoardSession:
        return get_object_or_404(
            BoardSession.objects.prefetch_related("members", "staff_invited"), pk=pk
        )


class BoardSessionIcsView(DocumentView):
    @extend_schema(
        operation_id="board_sessions_ics",
        responses=file_responses(["text/calendar"], "Invitation iCalendar (RFC 5545)"),
    )
    def get(self, request, pk: int):
        """The session as an iCalendar invitation (METHOD:REQUEST, Europe/Paris;
        METHOD:CANCEL once the session is cancelled)."""
        session = self.session(pk)
        method = ics.CANCEL if session.state == BoardSessionState.CANCELLED else ics.REQUEST
        return attachment(
            ics.session_ics(session, user=request.user, method=method),
            f"text/calendar; charset=utf-8; method={method}",
            ics.filename(session),
        )


class BoardFileView(DocumentView):
    @extend_schema(
        operation_id="board_sessions_board_file",
        responses=file_responses(["application/pdf"], "Dossier du conseil (PDF)"),
    )
    def get(self, request, pk: int):
        """The board file: the agenda, then one sheet per point the caller may see."""
        session = self.session(pk)
        return attachment(
            board_file.board_file_pdf(session, request.user),
            "application/pdf",
            board_file.filename(session),
        )


# Wired in backend/api/urls.py before the router: ``*board_documents.urlpatterns``.
urlpatterns = [
    path("board-sessions/<int:pk>/ics/", BoardSessionIcsView.as_view(), name="board-session-ics"),
    path(
        "board-sessions/<int:pk>/board-file/",
        BoardFileView.as_view(),
        name="board-session-board-file",
    ),
]
