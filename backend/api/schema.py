"""The OpenAPI document names every error an operation can answer, with the project's body.

``backend.api.errors`` maps each domain error to one status; this schema class documents those
statuses on the operations where they can happen, so clients (and the fuzzing test) can rely on
the document: every error with the one body ``{"detail", "code"}`` (the ``Error`` component),
plus the bad fields for a 400.
Statuses an operation declares itself with ``extend_schema`` keep their description; only a
missing body is filled in.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, get_doc
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework.permissions import AllowAny

from backend.api.versions import VersionedMixin

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


ERROR = ResolvedComponent(
    name="Error",
    type=ResolvedComponent.SCHEMA,
    object="Error",
    schema={
        "type": "object",
        "description": (
            "Le corps de toute erreur de l'API, dans la langue de l'appelant "
            "(Accept-Language). Pour un 400, chaque champ en erreur figure en plus, avec ses "
            "messages (``non_field_errors`` pour le corps dans son ensemble ; les champs "
            "imbriqués et les listes de corps s'imbriquent de même, par indice)."
        ),
        "properties": {
            "detail": {"type": "string", "description": "Pourquoi la requête est refusée."},
            "code": {
                "type": "string",
                "description": (
                    "Code stable de l'erreur : invalid, parse_error, not_authenticated, "
                    "authentication_failed, permission_denied, not_found, method_not_allowed, "
                    "not_acceptable, conflict, concurrent_change, precondition_failed, "
                    "request_too_large, unsupported_media_type, throttled…"
                ),
            },
        },
        "required": ["detail", "code"],
        "additionalProperties": {},
    },
)

IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        "L'ETag lu (GET) : si la ressource a changé depuis, 412 et rien n'est écrit. "
        "Sans cet en-tête, la modification s'applique."
    ),
}
ETAG = {
    "schema": {"type": "string"},
    "description": "La version de la ressource, à renvoyer dans If-Match pour la modifier.",
}
LOCATION = {
    "schema": {"type": "string", "format": "uri"},
    "description": "L'adresse de la ressource créée.",
}

DESCRIPTIONS = {
    "400": _("Données invalides : chaque champ en erreur et pourquoi"),
    "401": _("Identifiants absents ou invalides"),
    "403": _("Non autorisé pour cet utilisateur"),
    "404": _("Inconnu ou non visible pour cet utilisateur"),
    "409": _("Impossible dans l'état actuel, ou une modification concurrente l'a emporté"),
    "412": _("La ressource a changé depuis la lecture nommée par If-Match : rien n'est écrit"),
    "413": _("Corps de la requête trop volumineux"),
    "415": _("Type de contenu du corps non pris en charge : JSON uniquement"),
    "429": _("Trop de tentatives : réessayez plus tard"),
}


SUMMARY_LENGTH = 80


class AutoSchema(openapi.AutoSchema):
    def get_summary(self) -> str:
        """Every operation has one (linters ask for it): the first sentence of the docstring of
        its method, or its operation id in words (``board_sessions_list``: "Board sessions
        list")."""
        method = getattr(self.view, getattr(self.view, "action", None) or self.method.lower())
        doc = get_doc(method) or ("" if hasattr(self.view, "action") else get_doc(type(self.view)))
        summary = re.split(r"(?<=\.)\s", " ".join(doc.replace("``", "").split()), maxsplit=1)[0]
        summary = summary.rstrip(".")
        if not summary or len(summary) > SUMMARY_LENGTH:
            summary = self.get_operation_id().replace("_", " ").capitalize()
        return summary

    def get_filter_backends(self):
        """A viewset's filters are the ``list``'s: its other operations neither document nor
        apply them (``backend.api.filtering``); an action's own lists declare theirs."""
        if getattr(self.view, "action", "list") != "list":
            return []
        return super().get_filter_backends()

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        body = operation.get("requestBody") and self.get_request_serializer()
        if isinstance(body, PolymorphicProxySerializer):
            operation["requestBody"]["required"] = True  # one form or another, never none
        responses = operation["responses"]
        for code in sorted(self.error_statuses(operation)):
            entry = responses.setdefault(code, {"description": str(DESCRIPTIONS[code])})
            if "content" not in entry:
                entry["content"] = {"application/json": {"schema": self._error_schema(code)}}
        self._concurrency(operation)
        return operation

    def _versioned(self) -> bool:
        return isinstance(self.view, VersionedMixin) and self.method in ("PATCH", "PUT")

    def _concurrency(self, operation) -> None:
        """``If-Match``/``ETag`` where a resource is versioned, ``Location`` on a 201."""
        responses = operation["responses"]
        if self._versioned():
            operation.setdefault("parameters", []).append(IF_MATCH)
        single = self.method == "GET" and not self._is_list_view()
        if (
            isinstance(self.view, VersionedMixin)
            and "200" in responses
            and (single or self._versioned())
        ):
            responses["200"].setdefault("headers", {})["ETag"] = ETAG
        if "201" in responses:
            responses["201"].setdefault("headers", {})["Location"] = LOCATION

    def error_statuses(self, operation) -> set[str]:
        """The statuses this operation can answer besides its success."""
        parameters = operation.get("parameters", [])
        in_path = any(p["in"] == "path" for p in parameters)
        in_query = any(p["in"] == "query" for p in parameters)
        guarded = not all(issubclass(p, AllowAny) for p in self.view.permission_classes)
        codes = {code for code in operation["responses"] if code in DESCRIPTIONS}
        if "requestBody" in operation or in_query:
            codes.add("400")
        if "requestBody" in operation:
            codes.update({"413", "415"})
        if self.view.authentication_classes:
            codes.add("401")
        if guarded:
            codes.add("403")
        if in_path or (self.method == "GET" and self._get_paginator() is not None):
            codes.add("404")  # an unknown id, or a page past the end
        if guarded and self.method in UNSAFE_METHODS:
            codes.add("409")
        if self._versioned():
            codes.add("412")
        if self.view.throttle_classes:
            codes.add("429")
        return codes

    def _error_schema(self, code: str) -> dict:
        self.registry.register_on_missing(ERROR)
        return ERROR.ref
