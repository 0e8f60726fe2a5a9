"""The action's reminders (for staff) and the caller's own notifications."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from backend.api.filtering import ListFiltersOnList
from notifications.inbox import mark_read
from notifications.models import Notification
from notifications.sentences import describe


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
    text = serializers.SerializerMethodField(
        help_text="Who did what, on what (in French or English)."
    )

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "action", "due_at", "status", "sent_at", "read_at"]

    def get_text(self, notification) -> str:
        texts = self.context.get("texts")  # the page's, read at once by the view
        if texts is None or notification.pk not in texts:
            texts = describe([notification])
        return texts[notification.pk]


class NotificationViewSet(ListFiltersOnList, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications (sent or waiting for the digest)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator's anonymous request
            return Notification.objects.none()
        return (
            Notification.objects.filter(user=user)
            .select_related("action")
            .order_by("-due_at", "-id")
        )

    def list(self, request, *args, **kwargs):
        """The caller's notifications, each saying who did what (read for the whole page)."""
        rows = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(rows)
        shown = list(page if page is not None else rows)
        context = {**self.get_serializer_context(), "texts": describe(shown)}
        data = self.get_serializer(shown, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=None, responses=NotificationSerializer)
    @route(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of the caller's notifications read (idempotent)."""
        return Response(self.get_serializer(mark_read(self.get_object())).data)
