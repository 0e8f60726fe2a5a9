"""Webhooks (administrators only): the endpoints, their secret's rotation, their delivery log.

The services are ``webhooks.endpoints``; the deliveries themselves are written by the
transitions (``webhooks.outbox``) and sent by the worker (``webhooks.delivery``)."""

from django.core.validators import URLValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from backend.api.permissions import IsAdminRole
from webhooks.endpoints import register_endpoint, rotate_secret, update_endpoint
from webhooks.models import ALL_EVENTS, Attempt, Endpoint, EventType

TAGS = ["webhooks"]
EVENT_CHOICES = [*EventType.choices, (ALL_EVENTS, _("tous les événements"))]


class EventsField(serializers.ListField):
    """The event types as a list (stored joined: ``Endpoint.events``)."""

    child = serializers.ChoiceField(choices=EVENT_CHOICES)

    def get_attribute(self, instance):
        return instance.event_list


class WebhookEndpointSerializer(serializers.ModelSerializer):
    url = serializers.CharField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("L'adresse qui reçoit les événements (http ou https)."),
    )
    events = EventsField(
        min_length=1,
        help_text=_(
            "Les types d'événements : action.transition, role.transition, "
            "board_session.transition, evaluation.transition, ou * pour tous."
        ),
    )

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "owner",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
        ]
        read_only_fields = [
            "owner",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "previous_secret_expires_at",
            "created_at",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_("Le secret de signature (whsec_…) : donné une seule fois, à la création."),
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookRotateSecretSerializer(serializers.Serializer):
    overlap_hours = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=168,
        help_text=_(
            "Pendant combien d'heures l'ancien secret signe encore (une seconde signature) ; "
            "0 l'abandonne tout de suite. Par défaut : 24."
        ),
    )


class WebhookSecretSerializer(serializers.ModelSerializer):
    class Meta:
        model = Endpoint
        fields = ["id", "secret", "previous_secret_expires_at"]
        read_only_fields = fields


class WebhookAttemptSerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="delivery.webhook_id", read_only=True)
    type = serializers.CharField(source="delivery.event_type", read_only=True)
    transition_log = serializers.IntegerField(source="delivery.log_id", read_only=True)
    attempt = serializers.IntegerField(source="number", read_only=True)
    delivery_status = serializers.CharField(source="delivery.status", read_only=True)
    next_attempt_at = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = [
            "id",
            "webhook_id",
            "type",
            "transition_log",
            "attempt",
            "at",
            "status_code",
            "succeeded",
            "error",
            "duration_ms",
            "delivery_status",
            "next_attempt_at",
        ]

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, attempt):
        delivery = attempt.delivery
        if delivery.status != "pending":
            return None
        return serializers.DateTimeField().to_representation(delivery.next_attempt_at)


def _summary(text):
    return extend_schema(summary=text, tags=TAGS)


@extend_schema_view(
    list=_summary("Liste des webhooks"),
    retrieve=_summary("Un webhook"),
    create=extend_schema(
        summary="Enregistrer un webhook",
        tags=TAGS,
        responses={201: WebhookEndpointCreatedSerializer},
    ),
    update=_summary("Modifier un webhook"),
    partial_update=_summary("Modifier une partie d'un webhook"),
    destroy=_summary("Supprimer un webhook et son journal"),
)
class WebhookViewSet(viewsets.ModelViewSet):
    """Endpoints that receive every transition (Standard Webhooks), for administrators."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAdminRole]
    queryset = Endpoint.objects.order_by("id")
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = register_endpoint(owner=request.user, **body.validated_data)
        location = reverse("webhook-detail", args=[endpoint.pk])
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": request.build_absolute_uri(location)},
        )

    def perform_update(self, serializer):
        serializer.instance = update_endpoint(serializer.instance, **serializer.validated_data)

    @extend_schema(
        summary="Renouveler le secret d'un webhook",
        tags=TAGS,
        request=WebhookRotateSecretSerializer,
        responses=WebhookSecretSerializer,
    )
    @route(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new secret, returned once; the old one keeps signing (a second
        ``webhook-signature``) for ``overlap_hours``."""
        body = WebhookRotateSecretSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = rotate_secret(self.get_object(), body.validated_data.get("overlap_hours"))
        return Response(WebhookSecretSerializer(endpoint).data)

    @extend_schema(
        summary="Journal des livraisons d'un webhook",
        tags=TAGS,
        request=None,
        responses=WebhookAttemptSerializer(many=True),
    )
    @route(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        """The attempts, newest first: HTTP status, error, time; with each delivery's state
        and its next attempt while it waits."""
        attempts = (
            Attempt.objects.filter(endpoint=self.get_object())
            .select_related("delivery")
            .order_by("-at", "-id")
        )
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(WebhookAttemptSerializer(page, many=True).data)
