"""Partners answering their roles: with an account (roles/{id}/respond/) or a link."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import scoping
from backend.actions.consultation import answer_by_link, answer_role
from backend.actions.links import LinkError, LinkProblem
from backend.actions.models import RoleAssignment
from backend.api.personal_links import PersonalLinkView
from backend.api.serializers.actions import RespondSerializer, RoleSerializer

ANSWER_RESPONSES = {
    200: RoleSerializer,
    400: OpenApiResponse(description="Réponse invalide (commentaire manquant…)"),
    403: OpenApiResponse(description="Pas l'interlocuteur de ce rôle"),
    404: OpenApiResponse(description="Rôle ou lien inconnu"),
    409: OpenApiResponse(description="Déjà répondu, ou consultation terminée"),
    429: OpenApiResponse(description="Trop de liens invalides depuis cette adresse"),
}


def _visible_roles(user):
    if getattr(user, "is_staff_member", False):
        return scoping.roles_for(user)
    return RoleAssignment.objects.filter(contact_id=user.contact_id or -1)


class RoleRespondView(APIView):
    """The role's contact, signed in, accepts, declines or asks for changes."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=RespondSerializer, responses=ANSWER_RESPONSES)
    def post(self, request, pk: int):
        role = _visible_roles(request.user).filter(pk=pk).first()
        if role is None:
            raise exceptions.NotFound()
        body = RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        role = answer_role(role.pk, responder=request.user, **body.validated_data)
        return Response(RoleSerializer(role, context={"request": request}).data)


class LinkAnswerSerializer(serializers.Serializer):
    """What a partner without an account sees of its answered role (no staff ids)."""

    id = serializers.IntegerField()
    state = serializers.CharField(help_text="accepted, declined or changes_requested")
    responded_at = serializers.DateTimeField()
    response_comment = serializers.CharField(allow_blank=True)


@extend_schema_view(
    post=extend_schema(
        request=RespondSerializer,
        responses={
            **{code: ANSWER_RESPONSES[code] for code in (400, 404, 409, 429)},
            200: LinkAnswerSerializer,
        },
    )
)
class RespondByLinkView(PersonalLinkView):
    """The same answer from a personal link, without an account."""

    body_class = RespondSerializer
    link_error = LinkError
    bad_problems = (LinkProblem.INVALID, LinkProblem.REVOKED)

    def act(self, token, data):
        return answer_by_link(token, **data)

    def conflict_reason(self, error) -> str:
        if error.problem is LinkProblem.ANSWERED:
            return _("Ce rôle a déjà reçu une réponse.")
        return _("La consultation de cette action est terminée.")

    def answer(self, role):
        return Response(LinkAnswerSerializer(role).data)
