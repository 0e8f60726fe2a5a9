"""Exports for staff: ``exports/actions.{csv,xlsx,ods}`` and ``exports/indicators.csv``.

Filters: ``?territory=<slug>&year=<yyyy>`` (both optional). An unknown territory or a year
that is not a number is refused (400); a territory the caller does not work in is refused
(403). Without a filter a territory-bound caller gets their territories only.

The XLSX and ODS files have two sheets, « actions » and « indicateurs »; with CSV the
indicators are a separate file. See ``backend.exports.writers`` for the formats.
"""

from django.http import HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from backend.api.board_documents import FileView, attachment, file_responses
from backend.api.fields import SlugRelatedField
from backend.api.permissions import IsStaffMember
from backend.exports import writers
from backend.exports.rows import (
    ACTION_COLUMNS,
    ATTENDANCE_COLUMNS,
    INDICATOR_COLUMNS,
    Selection,
    action_rows,
    attendance_rows,
    indicator_rows,
)
from backend.territories.models import Territory


class ExportFilterSerializer(serializers.Serializer):
    territory = SlugRelatedField(
        slug_field="slug", queryset=Territory.objects.all(), required=False
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)


FILTERS = [
    OpenApiParameter("territory", str, description="Identifiant (slug) du territoire"),
    OpenApiParameter("year", int, description="Année du projet de territoire"),
]
REFUSALS = {
    400: OpenApiResponse(description="Territoire inconnu ou année invalide"),
    403: OpenApiResponse(description="Territoire hors de votre périmètre"),
}


class ExportView(FileView):
    permission_classes = [IsStaffMember]

    def selection(self, request) -> Selection:
        given = {key: value for key, value in request.query_params.items() if value != ""}
        body = ExportFilterSerializer(data=given)
        body.is_valid(raise_exception=True)
        territory = body.validated_data.get("territory")
        if territory is not None and not request.user.works_in(territory.pk):
            raise PermissionDenied(_("Vous ne travaillez pas sur ce territoire."))
        return Selection(
            user=request.user, territory=territory, year=body.validated_data.get("year")
        )

    @staticmethod
    def filename(stem: str, selection: Selection, extension: str) -> str:
        parts = [stem]
        if selection.territory is not None:
            parts.append(selection.territory.slug)
        if selection.year is not None:
            parts.append(str(selection.year))
        return f"{'-'.join(parts)}.{extension}"

    def file(self, content: bytes, extension: str, name: str) -> HttpResponse:
        return attachment(content, writers.CONTENT_TYPES[extension], name)


class ActionExportView(ExportView):
    @extend_schema(
        operation_id="exports_actions",
        parameters=[
            OpenApiParameter(
                "fmt", str, OpenApiParameter.PATH, enum=["csv", "xlsx", "ods"], description="Format"
            ),
            *FILTERS,
        ],
        responses={
            **file_responses(
                [content_type.split(";")[0] for content_type in writers.CONTENT_TYPES.values()],
                "CSV, XLSX ou ODS",
            ),
            **REFUSALS,
        },
    )
    def get(self, request, fmt: str):
        """One row per action: roles, last board decision, evaluation (XLSX and ODS: a second
        sheet « indicateurs », a third « présences »: the attendance per board session)."""
        selection = self.selection(request)
        actions = ("actions", ACTION_COLUMNS, action_rows(selection))
        if fmt == "csv":
            content = writers.write_csv(actions[1], actions[2])
        else:
            indicators = ("indicateurs", INDICATOR_COLUMNS, indicator_rows(selection))
            attendance = ("présences", ATTENDANCE_COLUMNS, attendance_rows(selection))
            write = writers.write_xlsx if fmt == "xlsx" else writers.write_ods
            content = write([actions, indicators, attendance])
        return self.file(content, fmt, self.filename("actions", selection, fmt))


class IndicatorExportView(ExportView):
    @extend_schema(
        operation_id="exports_indicators",
        parameters=FILTERS,
        responses={**file_responses(["text/csv"], "CSV"), **REFUSALS},
    )
    def get(self, request):
        """One row per evaluation indicator (target, baseline, result)."""
        selection = self.selection(request)
        content = writers.write_csv(INDICATOR_COLUMNS, indicator_rows(selection))
        return self.file(content, "csv", self.filename("indicateurs", selection, "csv"))


class AttendanceExportView(ExportView):
    @extend_schema(
        operation_id="exports_attendance",
        summary="Export the attendance at board sessions (CSV)",
        parameters=FILTERS,
        responses={**file_responses(["text/csv"], "CSV"), **REFUSALS},
    )
    def get(self, request):
        """One row per member convened to a board session: the answer and the attendance
        confirmed at the session (``year``: the sessions of that year)."""
        selection = self.selection(request)
        content = writers.write_csv(ATTENDANCE_COLUMNS, attendance_rows(selection))
        return self.file(content, "csv", self.filename("presences", selection, "csv"))


# Wired in backend/api/urls.py before the router: ``*export_views.urlpatterns``.
urlpatterns = [
    re_path(
        r"^exports/actions\.(?P<fmt>csv|xlsx|ods)$",
        ActionExportView.as_view(),
        name="export-actions",
    ),
    path("exports/indicators.csv", IndicatorExportView.as_view(), name="export-indicators"),
    path("exports/attendance.csv", AttendanceExportView.as_view(), name="export-attendance"),
]
