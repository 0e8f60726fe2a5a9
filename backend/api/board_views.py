"""Board sessions: agenda, transitions and decisions."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.actions import services as action_services
from backend.api.fields import DateTimeField, ScopedPrimaryKeyRelatedField
from backend.api.filtering import ListFiltersOnList
from backend.api.permissions import ReadOnlyOrRoles
from backend.api.versions import LocatedMixin, VersionedUpdateMixin
from backend.board import agenda
from backend.board.attendance import ANSWERS, AttendanceInput
from backend.board.decisions import DecisionInput, record_decisions
from backend.board.models import AgendaItem, BoardDecision, BoardSession, Outcome
from backend.board.sessions import create_board_session, update_board_session
from backend.board.transitions import SESSION_SERVICES
from backend.core.limits import CONDITIONS_LIMIT, REFERENCE_LIMIT, TEXT_LIMIT


class AgendaItemSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    territory = serializers.SerializerMethodField()

    class Meta:
        model = AgendaItem
        fields = ["id", "position", "action", "project", "title", "territory"]

    def get_title(self, item) -> str:
        return item.action.title if item.action_id else str(item.project.title)

    def get_territory(self, item) -> str:
        project = item.action.project if item.action_id else item.project
        return project.territory.slug


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BoardDecision
        fields = [
            "id",
            "action",
            "project",
            "outcome",
            "conditions",
            "reference",
            "year",
            "recorded_at",
        ]


class BoardSessionSerializer(serializers.ModelSerializer):
    agenda = AgendaItemSerializer(source="agenda_items", many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    # Within the years of the projects: a date in year 1 would be written back with the
    # Paris local mean time offset (+00:09:21), which is not an ISO 8601 offset.
    date = DateTimeField()

    class Meta:
        model = BoardSession
        fields = [
            "id",
            "date",
            "title",
            "location",
            "state",
            "members",
            "staff_invited",
            "agenda",
            "decisions",
        ]
        read_only_fields = ["state"]


class AgendaRequestSerializer(serializers.Serializer):
    action = ScopedPrimaryKeyRelatedField(scope=scoping.actions_for, required=False)
    project = ScopedPrimaryKeyRelatedField(scope=scoping.projects_for, required=False)

    def validate(self, attrs):
        if bool(attrs.get("action")) == bool(attrs.get("project")):
            raise serializers.ValidationError({"action": _("Indiquez une action ou un projet.")})
        return attrs


class DecisionRequestSerializer(AgendaRequestSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    conditions = serializers.CharField(
        max_length=CONDITIONS_LIMIT, required=False, allow_blank=True
    )
    reference = serializers.CharField(max_length=REFERENCE_LIMIT)


class AttendanceRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1)
    attendance = serializers.ChoiceField(choices=[(value, value) for value in ANSWERS])
    proxy = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class SessionTransitionSerializer(serializers.Serializer):
    """``comment``: the reason (required for ``cancel``); ``attendance`` (``hold`` only): the
    attendance as confirmed at the start (the members left out keep their own answer; no
    answer: absent)."""

    comment = serializers.CharField(max_length=TEXT_LIMIT, required=False, allow_blank=True)
    attendance = AttendanceRowSerializer(many=True, required=False)


class AgendaOrderSerializer(serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False)


class BoardSessionViewSet(
    ListFiltersOnList,
    LocatedMixin,
    VersionedUpdateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """A session is never deleted (its decisions are the board's record); DELETE serves only
    to take a point off the agenda."""

    serializer_class = BoardSessionSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = (StaffRole.BOARD_SECRETARY,)
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]

    def get_queryset(self):
        return scoping.board_sessions_for(self.request.user)

    def perform_create(self, serializer):
        session = create_board_session(user=self.request.user, data=dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=session.pk)

    def perform_update(self, serializer):
        session = update_board_session(
            serializer.instance,
            user=self.request.user,
            data=dict(serializer.validated_data),
            expected_versions=self.expected_versions(),
        )
        serializer.instance = self.get_queryset().get(pk=session.pk)

    @extend_schema(
        request=SessionTransitionSerializer,
        responses={
            200: BoardSessionSerializer,
            400: OpenApiResponse(description="Commentaire manquant (cancel)"),
            403: OpenApiResponse(description="Transition non autorisée pour ce rôle"),
            404: OpenApiResponse(description="Séance ou transition inconnue"),
            409: OpenApiResponse(description="Transition impossible dans l'état actuel"),
        },
    )
    @route(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def fire(self, request, pk=None, name=None):
        """publish_agenda, hold, close or cancel (``comment``: the reason, required). ``hold``
        may carry the attendance confirmed at the start:
        ``{"attendance": [{"member", "attendance", "proxy"}]}``."""
        session = self.get_object()
        if name not in SESSION_SERVICES:
            raise NotFound()
        body = SessionTransitionSerializer(data=request.data or {})
        body.is_valid(raise_exception=True)
        options = {"comment": body.validated_data.get("comment", "")}
        if name == "hold":
            rows = body.validated_data.get("attendance", [])
            options["attendance"] = [AttendanceInput(**row) for row in rows]
        SESSION_SERVICES[name](session, actor=request.user, **options)
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(
        request=PolymorphicProxySerializer(
            component_name="DecisionsRequest",
            serializers=[DecisionRequestSerializer, DecisionRequestSerializer(many=True)],
            resource_type_field_name=None,
            many=False,
        ),
        responses={
            201: DecisionSerializer(many=True),
            400: OpenApiResponse(description="Décision invalide (rien n'est enregistré)"),
            409: OpenApiResponse(description="Séance non tenue"),
        },
    )
    @route(detail=True, methods=["post"], pagination_class=None)
    def decisions(self, request, pk=None):
        """One decision, or a list of decisions recorded all or nothing."""
        session = self.get_object()
        many = isinstance(request.data, list)
        body = DecisionRequestSerializer(
            data=request.data, many=many, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        rows = body.validated_data if many else [body.validated_data]
        decisions = record_decisions(
            session, [DecisionInput(**row) for row in rows], user=request.user
        )
        # Decisions have no URL of their own: they are read on their session.
        location = request.build_absolute_uri(reverse("board-session-detail", args=[session.pk]))
        return Response(
            DecisionSerializer(decisions, many=True).data,
            status=201,
            headers={"Location": location},
        )

    @extend_schema(
        methods=["POST"],
        summary="Put an action or a project on the agenda",
        request=AgendaRequestSerializer,
        responses=BoardSessionSerializer,
    )
    @extend_schema(
        methods=["PUT"],
        summary="Reorder the agenda",
        request=AgendaOrderSerializer,
        responses=BoardSessionSerializer,
    )
    @route(detail=True, methods=["post", "put"], url_path="agenda")
    def agenda(self, request, pk=None):
        """POST: put an action (scheduled on this session) or a project on the agenda.
        PUT ``{"order": [item ids]}``: reorder it."""
        session = self.get_object()
        if request.method == "PUT":
            body = AgendaOrderSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            agenda.reorder(session, body.validated_data["order"], user=request.user)
        else:
            body = AgendaRequestSerializer(data=request.data, context=self.get_serializer_context())
            body.is_valid(raise_exception=True)
            if body.validated_data.get("action"):
                action_services.fire_action_transition(
                    body.validated_data["action"],
                    "schedule",
                    user=request.user,
                    data={"board_session": session.pk},
                )
            else:
                agenda.put_project_on_agenda(
                    session, body.validated_data["project"], user=request.user
                )
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)

    @extend_schema(request=None, responses={200: BoardSessionSerializer})
    @route(detail=True, methods=["delete"], url_path=r"agenda/(?P<item_id>[0-9]+)")
    def remove_item(self, request, pk=None, item_id=None):
        """Take a point off the agenda (the action goes back to ready_for_board)."""
        session = self.get_object()
        # The item is part of the URL: one not on this agenda, as the caller sees it, is 404.
        if int(item_id) not in {item.pk for item in session.agenda_items.all()}:
            raise NotFound()
        agenda.take_off_agenda(session, int(item_id), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=session.pk)).data)
