"""``board-members/``: the board's current members (contacts of the board organisation), kept
by the board secretary: add one, correct one, and DELETE to record that one has left (the
contact and the sessions they were convened to are kept)."""

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from backend.accounts.models import StaffRole
from backend.api.permissions import ReadOnlyOrRoles
from backend.board.members import add_member, current_members, end_membership, update_member
from backend.partners.models import Contact


class BoardMemberSerializer(serializers.ModelSerializer):
    joined_on = serializers.DateField(source="board_membership.joined_on", read_only=True)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "position",
            "preferred_language",
            "joined_on",
        ]
        validators = []  # the service answers a duplicate address


class BoardMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = BoardMemberSerializer
    permission_classes = [ReadOnlyOrRoles]
    write_roles = (StaffRole.BOARD_SECRETARY,)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return current_members().select_related("board_membership")

    def perform_create(self, serializer):
        contact = add_member(user=self.request.user, data=dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=contact.pk)

    def perform_update(self, serializer):
        contact = update_member(
            serializer.instance, user=self.request.user, data=dict(serializer.validated_data)
        )
        serializer.instance = self.get_queryset().get(pk=contact.pk)

    def destroy(self, request, *args, **kwargs):
        end_membership(self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
