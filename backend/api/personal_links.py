"""What every personal-link endpoint shares: no account, bad links slowed down (429), and a
link that does not work answered 404 (unknown or revoked) or 409 (no longer possible)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from backend.actions.link_throttle import client_address, is_blocked, record_bad_link
from backend.api.errors import Conflict


class TooManyBadLinks(exceptions.Throttled):
    default_detail = _("Trop de liens invalides : réessayez plus tard.")


class PersonalLinkView(APIView):
    """Subclasses set ``body_class``, ``link_error`` (the exception of their links module) and
    ``bad_problems`` (the problems that count as a bad link), and implement ``act``,
    ``conflict_reason`` and ``answer``."""

    permission_classes = [AllowAny]
    authentication_classes = []
    body_class = None
    link_error: type[Exception] = Exception
    bad_problems: tuple = ()

    def act(self, token: str, data: dict):
        raise NotImplementedError

    def conflict_reason(self, error) -> str:
        raise NotImplementedError

    def answer(self, result):
        raise NotImplementedError

    def post(self, request, token: str):
        address = client_address(request)
        if is_blocked(address):
            raise TooManyBadLinks()
        body = self.body_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = self.act(token, body.validated_data)
        except self.link_error as error:
            if error.problem in self.bad_problems:
                record_bad_link(address)
                raise exceptions.NotFound(_("Ce lien n'est pas valide ou a été révoqué.")) from None
            raise Conflict(self.conflict_reason(error)) from None
        return self.answer(result)
