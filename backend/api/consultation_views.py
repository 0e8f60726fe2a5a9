"""Partners answering their roles: with an account (roles/{id}/respond/) or a link."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.actions.consultation import answer_by_link, answer_role
from backend.actions.link_throttle import client_address, is_blocked, record_bad_link
from backend.actions.links import LinkError, LinkProblem
from backend.actions.models import RoleAssignment
from backend.api import scoping
from backend.api.errors import Conflict
from backend.api.serializers.actions import RespondSerializer, RoleSerializer

ANSWER_RESPONSES = {
    200: RoleSerializer,
    400: OpenApiResponse(description="Réponse invalide (commentaire manquant…)"),
    403: OpenApiResponse(description="Pas l'interlocuteur de ce rôle"),
    404: OpenApiResponse(description="Rôle ou lien inconnu"),
    409: OpenApiResponse(description="Déjà répondu, ou consultation terminée"),
    429: OpenApiResponse(description="Trop de liens invalides depuis cette adresse"),
}


class TooManyBadLinks(exceptions.Throttled):
    default_detail = _("Trop de liens invalides : réessayez plus tard.")


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


class RespondByLinkView(APIView):
    """The same answer from a personal link, without an account."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(request=RespondSerializer, responses=ANSWER_RESPONSES)
    def post(self, request, token: str):
        address = client_address(request)
        if is_blocked(address):
            raise TooManyBadLinks()
        body = RespondSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            role = answer_by_link(token, **body.validated_data)
        except LinkError as error:
            if error.problem in (LinkProblem.INVALID, LinkProblem.REVOKED):
                record_bad_link(address)
                raise exceptions.NotFound(_("Ce lien n'est pas valide ou a été révoqué.")) from None
            if error.problem is LinkProblem.ANSWERED:
                raise Conflict(_("Ce rôle a déjà reçu une réponse.")) from None
            raise Conflict(_("La consultation de cette action est terminée.")) from None
        return Response(
            {
                "id": role.pk,
                "state": role.state,
                "responded_at": role.responded_at,
                "response_comment": role.response_comment,
            },
            status=status.HTTP_200_OK,
        )
