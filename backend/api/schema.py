"""The OpenAPI document names every error an operation can answer, with the project's body.

``backend.api.errors`` maps each domain error to one status; this schema class documents those
statuses on the operations where they can happen, so clients (and the fuzzing test) can rely on
the document: 400 with the bad fields, 401/403/404/409/413/415/429 with ``{"detail", "code"}``.
Statuses an operation declares itself with ``extend_schema`` keep their description; only a
missing body is filled in.
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, get_doc
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class ErrorSerializer(serializers.Serializer):
    """Every refusal other than invalid input."""

    detail = serializers.CharField(help_text="Pourquoi la requête est refusée (fr ou en).")
    code = serializers.CharField(
        required=False, help_text="Code stable de l'erreur (par exemple ``conflict``)."
    )


# The two shapes are components of their own: inline, generators name them ``…Type0``.
VALIDATION_ERROR_SHAPES = [
    ResolvedComponent(
        name="FieldErrors",
        type=ResolvedComponent.SCHEMA,
        object="FieldErrors",
        schema={
            "type": "object",
            "description": "Each bad field with its messages, or ``detail``.",
            "additionalProperties": {},
        },
    ),
    ResolvedComponent(
        name="ErrorList",
        type=ResolvedComponent.SCHEMA,
        object="ErrorList",
        schema={
            "type": "array",
            "description": "One entry per body of a list, or the messages of a parameter.",
            "items": {},
        },
    ),
]
VALIDATION_ERROR = ResolvedComponent(
    name="ValidationError",
    type=ResolvedComponent.SCHEMA,
    object="ValidationError",
    schema={
        "description": (
            "Each bad field with its messages (``non_field_errors`` for the body as a whole; "
            "nested fields nest the same way; a list of bodies answers a list), a list of "
            "messages for a bad query parameter, or ``detail`` when the body could not be read."
        ),
        "oneOf": [shape.ref for shape in VALIDATION_ERROR_SHAPES],
    },
)

DESCRIPTIONS = {
    "400": _("Données invalides : chaque champ en erreur et pourquoi"),
    "401": _("Identifiants absents ou invalides"),
    "403": _("Non autorisé pour cet utilisateur"),
    "404": _("Inconnu ou non visible pour cet utilisateur"),
    "409": _("Impossible dans l'état actuel, ou une modification concurrente l'a emporté"),
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
        return operation

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
        if self.view.throttle_classes:
            codes.add("429")
        return codes

    def _error_schema(self, code: str) -> dict:
        if code == "400":
            for component in (*VALIDATION_ERROR_SHAPES, VALIDATION_ERROR):
                self.registry.register_on_missing(component)
            return VALIDATION_ERROR.ref
        return self.resolve_serializer(ErrorSerializer, "response").ref
