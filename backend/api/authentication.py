"""DRF's session authentication (the pages' own calls to the API), with its CSRF refusal said
in the caller's language: DRF's reads "CSRF Failed: CSRF token missing." whatever the
language."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication as openapi_authentication
from rest_framework import authentication, exceptions


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise exceptions.PermissionDenied(
                _("Jeton CSRF absent ou invalide : rechargez la page et recommencez."),
                code="csrf_failed",
            ) from None


class SessionScheme(openapi_authentication.SessionScheme):
    """The OpenAPI document names it as DRF's session scheme (``cookieAuth``)."""

    target_class = SessionAuthentication
