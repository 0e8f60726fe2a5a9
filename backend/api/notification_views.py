"""The action's reminders (for staff) and the caller's own notifications."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from backend.api.filtering import ListFiltersOnList
from notifications.inbox import mark_read
from notifications.models import Notification


class ReminderSerializer(serializers.ModelSerializer):
    recipient = serializers.EmailField(source="email")

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "recipient",
            "due_at",
            "status",
            "attempts",
            "sent_at",
            "last_error",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "action", "due_at", "status", "sent_at", "read_at"]


class NotificationViewSet(ListFiltersOnList, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (sent or waiting for the digest)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator's anonymous request
            return Notification.objects.none()
        return Notification.objects.filter(user=user).order_by("-due_at", "-id")

    @extend_schema(request=None, responses=NotificationSerializer)
    @route(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of the caller's notifications read (idempotent)."""
        return Response(self.get_serializer(mark_read(self.get_object())).data)
