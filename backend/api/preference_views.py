"""The signed-in staff member's notification preferences, one per kind of message.

``GET notifications/preferences/`` lists every kind with how it is delivered (immediate, daily
digest, none) and whether it can be changed; ``PUT`` changes one ``{"kind", "delivery"}`` and
returns the whole list. Kinds that carry a deadline or a decision always go out immediately:
asking for anything else is a 400. The digest itself is how messages arrive, not a kind one
chooses, so it is not listed.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications.delivery.unsubscribe import set_delivery
from notifications.models import Delivery
from notifications.planning.preferences import LISTED_KINDS, OPTIONAL_KINDS, preferences_of


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in LISTED_KINDS])
    label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    can_change = serializers.BooleanField(read_only=True)
    choices = serializers.ListField(child=serializers.CharField(), read_only=True)


class PreferenceView(APIView):
    serializer_class = PreferenceSerializer

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        """How each kind of message reaches the caller."""
        return Response(PreferenceSerializer(preferences_of(request.user), many=True).data)

    @extend_schema(request=PreferenceSerializer, responses=PreferenceSerializer(many=True))
    def put(self, request):
        """Change how one kind of message reaches the caller."""
        serializer = PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind, delivery = serializer.validated_data["kind"], serializer.validated_data["delivery"]
        if kind in OPTIONAL_KINDS or delivery != Delivery.IMMEDIATE:
            set_delivery(request.user, kind, delivery)  # a 400 for a kind that must go out
        return Response(PreferenceSerializer(preferences_of(request.user), many=True).data)
