"""REST endpoints. Views shape requests and responses; services do the work."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.accounts import scoping
from backend.accounts.models import StaffRole
from backend.accounts.services import create_staff
from backend.accounts.signin import sign_in
from backend.accounts.tokens import issue_token
from backend.actions import link_access
from backend.actions import services as action_services
from backend.actions.filters import ActionFilter, RoleFilter
from backend.actions.machine import STAFF_TRANSITIONS
from backend.actions.models import RoleAssignment
from backend.api import action_lists
from backend.api.filtering import ListFiltersOnList
from backend.api.notification_views import ReminderSerializer
from backend.api.permissions import IsAdminRole, ReadOnlyOrRoles
from backend.api.serializers.actions import (
    ActionSerializer,
    HistoryEntrySerializer,
    PersonalLinkSerializer,
    RoleSerializer,
    TransitionAvailabilitySerializer,
    TransitionRequestSerializer,
    WithdrawRoleSerializer,
)
from backend.api.serializers.reference import (
    ContactSerializer,
    OrganisationSerializer,
    ProjectSerializer,
    SignInSerializer,
    StaffSerializer,
    TerritorySerializer,
    TokenSerializer,
)
from backend.api.versions import LocatedMixin, VersionedUpdateMixin
from backend.partners.services import save_contact, save_organisation
from backend.territories.models import Commune, Finding, Territory
from backend.territories.services import create_project, update_project
from workflows.engine import explain

EDITORS = (StaffRole.SOCIAL_WORKER, StaffRole.TERRITORY_MANAGER)


class TokenView(APIView):
    """Exchange a username and password for an API token. After repeated failures for a
    username from an address, or from an address, every attempt is refused for a while (429):
    the same lock-out as the web's and the admin's sign-in (``backend.accounts.signin``)."""

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=SignInSerializer, responses={200: TokenSerializer})
    def post(self, request):
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = sign_in(request, **body.validated_data)
        if user is None:
            raise AuthenticationFailed(_("Identifiant ou mot de passe incorrect."))
        return Response({"token": issue_token(user).key})


class StaffViewSet(
    ListFiltersOnList,
    LocatedMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = StaffSerializer
    permission_classes = [IsAdminRole]
    queryset = StaffSerializer.Meta.model.objects.exclude(role="").prefetch_related("territories")

    def perform_create(self, serializer):
        serializer.instance = create_staff(**serializer.validated_data)


class TerritoryViewSet(ListFiltersOnList, viewsets.ReadOnlyModelViewSet):
    serializer_class = TerritorySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = Territory.objects.prefetch_related(
        Prefetch("communes", queryset=Commune.objects.prefetch_related("neighbourhoods"))
    )


class ProjectViewSet(ListFiltersOnList, LocatedMixin, viewsets.ModelViewSet):
    serializer_class = ProjectSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = (StaffRole.TERRITORY_MANAGER,)
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    filterset_fields = ["year"]
    search_fields = ["title", "summary"]

    def get_queryset(self):
        return (
            scoping.projects_for(self.request.user)
            .select_related("territory", "diagnostic")
            .prefetch_related("axes", "diagnostic__findings")
            .order_by("-year", "territory__name")
        )

    def perform_create(self, serializer):
        serializer.instance = create_project(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = update_project(
            serializer.instance, user=self.request.user, data=dict(serializer.validated_data)
        )


class OrganisationViewSet(
    ListFiltersOnList, LocatedMixin, VersionedUpdateMixin, viewsets.ModelViewSet
):
    serializer_class = OrganisationSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = EDITORS
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    filterset_fields = ["kind"]
    search_fields = ["name"]

    def get_queryset(self):
        return scoping.organisations_for(self.request.user).prefetch_related("territories")

    def perform_create(self, serializer):
        serializer.instance = save_organisation(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = save_organisation(
            user=self.request.user,
            data=dict(serializer.validated_data),
            instance=serializer.instance,
            expected_versions=self.expected_versions(),
        )


class ContactViewSet(ListFiltersOnList, LocatedMixin, VersionedUpdateMixin, viewsets.ModelViewSet):
    serializer_class = ContactSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = EDITORS
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    filterset_fields = ["organisation", "category"]
    search_fields = ["first_name", "last_name", "email", "organisation__name"]

    def get_queryset(self):
        return scoping.contacts_for(self.request.user).select_related("organisation")

    def perform_create(self, serializer):
        serializer.instance = save_contact(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = save_contact(
            user=self.request.user,
            data=dict(serializer.validated_data),
            instance=serializer.instance,
            expected_versions=self.expected_versions(),
        )


class ActionViewSet(ListFiltersOnList, LocatedMixin, VersionedUpdateMixin, viewsets.ModelViewSet):
    serializer_class = ActionSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = EDITORS
    http_method_names = ["get", "post", "patch", "put", "head", "options"]
    filterset_class = ActionFilter
    search_fields = ["title", "summary", "commune__name", "neighbourhood__name"]
    ordering_fields = ["created_at", "updated_at", "consultation_deadline", "title", "state"]

    def get_queryset(self):
        roles = RoleAssignment.objects.select_related("organisation", "contact")
        findings = Finding.objects.only("pk")  # the serializer shows their ids only
        return (
            scoping.actions_for(self.request.user)
            .select_related("project__territory")
            .prefetch_related(
                Prefetch("roles", queryset=roles), Prefetch("findings", queryset=findings)
            )
        )

    def perform_create(self, serializer):
        action = action_services.create_action(
            user=self.request.user, data=dict(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=action.pk)

    def perform_update(self, serializer):
        action = action_services.update_action(
            serializer.instance,
            user=self.request.user,
            data=dict(serializer.validated_data),
            expected_versions=self.expected_versions(),
        )
        serializer.instance = self.get_queryset().get(pk=action.pk)

    @extend_schema(
        parameters=[action_lists.TransitionQuerySerializer],
        responses=TransitionAvailabilitySerializer(many=True),
    )
    @route(detail=True, methods=["get"], url_path="transitions", pagination_class=None)
    def transitions(self, request, pk=None):
        """The transitions of this action, whether the caller may fire them now, and why not."""
        filters = action_lists.query(action_lists.TransitionQuerySerializer, request)
        action = self.get_object()
        rows = [explain(action, name, request.user) for name in STAFF_TRANSITIONS]
        data = [
            {"name": r.name, "target": r.target, "allowed": r.allowed, "reason": r.reason}
            for r in rows
        ]
        data = action_lists.transitions_matching(data, filters)
        return Response(TransitionAvailabilitySerializer(data, many=True).data)

    @extend_schema(
        request=TransitionRequestSerializer,
        responses={
            200: ActionSerializer,
            400: OpenApiResponse(description="Données invalides"),
            403: OpenApiResponse(description="Transition non autorisée pour ce rôle"),
            404: OpenApiResponse(description="Action ou transition inconnue"),
            409: OpenApiResponse(description="Transition impossible dans l'état actuel"),
        },
    )
    @route(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def fire(self, request, pk=None, name=None):
        """Fire a transition (``comment`` required for ``withdraw``; ``board_session`` for
        ``schedule``)."""
        action = self.get_object()
        body = TransitionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        action_services.fire_action_transition(
            action, name, user=request.user, data=body.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=action.pk)).data)

    @extend_schema(
        parameters=[action_lists.ReminderQuerySerializer],
        responses=ReminderSerializer(many=True),
    )
    @route(detail=True, methods=["get"], pagination_class=None)
    def reminders(self, request, pk=None):
        """The action's planned and past notifications: planned, sent, cancelled, failed,
        unconfirmed (a send that started but was never confirmed)."""
        filters = action_lists.query(action_lists.ReminderQuerySerializer, request)
        rows = action_lists.reminders_of(self.get_object(), filters)
        return Response(ReminderSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[action_lists.HistoryQuerySerializer],
        responses=HistoryEntrySerializer(many=True),
    )
    @route(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, pk=None):
        """Every state change of the action and of its partner roles, oldest first."""
        filters = action_lists.query(action_lists.HistoryQuerySerializer, request)
        entries = action_lists.history_of(self.get_object(), filters)
        return Response(HistoryEntrySerializer(entries, many=True).data)


class RoleViewSet(ListFiltersOnList, LocatedMixin, VersionedUpdateMixin, viewsets.ModelViewSet):
    serializer_class = RoleSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = EDITORS
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]
    filterset_class = RoleFilter

    def get_queryset(self):
        return scoping.roles_for(self.request.user).select_related(
            "organisation", "contact", "action__project"
        )

    def perform_create(self, serializer):
        serializer.instance = action_services.create_role(
            user=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = action_services.update_role(
            serializer.instance,
            user=self.request.user,
            data=dict(serializer.validated_data),
            expected_versions=self.expected_versions(),
        )

    @extend_schema(description="Withdraw the role (it stays in the action's history).")
    def destroy(self, request, *args, **kwargs):
        action_services.withdraw_role(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={
            200: RoleSerializer,
            403: OpenApiResponse(
                description="Réservé au travailleur social de l'action, au responsable de "
                "territoire et à la direction"
            ),
            409: OpenApiResponse(description="Ce rôle n'attend pas de réponse"),
        },
    )
    @route(detail=True, methods=["post"], url_path="revoke-link")
    def revoke_link(self, request, pk=None):
        """The partner's personal link stops working; a fresh one replaces it (only the
        action's social worker, the territory manager, the director and administrators; the
        action's history records it)."""
        role = link_access.revoke_link(self.get_object(), user=request.user)
        return Response(self.get_serializer(role).data)

    @extend_schema(
        responses={
            200: PersonalLinkSerializer,
            403: OpenApiResponse(
                description="Réservé au travailleur social de l'action, au responsable de "
                "territoire et à la direction"
            ),
            409: OpenApiResponse(description="Ce rôle n'attend pas de réponse"),
        }
    )
    @route(detail=True, methods=["get"])
    def link(self, request, pk=None):
        """The personal link of a role waiting for its answer (to send it another way): only
        for the action's social worker, the territory manager, the director and
        administrators, and every read is written in the action's history."""
        return Response({"url": link_access.read_link(self.get_object(), user=request.user)})

    @extend_schema(request=WithdrawRoleSerializer, responses=RoleSerializer)
    @route(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the role, with an optional comment kept in the history."""
        body = WithdrawRoleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role = action_services.withdraw_role(
            self.get_object(), user=request.user, comment=body.validated_data.get("comment", "")
        )
        return Response(self.get_serializer(role).data)
