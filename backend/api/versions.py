"""HTTP's side of optimistic concurrency (API.md "Edits, creations, errors").

A single resource is served with its version as a strong ``ETag``; ``PATCH``/``PUT`` with an
``If-Match`` that names it no longer is refused with 412 and nothing is written. The check
itself is the services' (``backend.core.versions.check_version``, under the row's lock):
the views only read the header and pass its versions on. A 201 carries ``Location``.
"""

from django.urls import NoReverseMatch, reverse
from rest_framework.response import Response

from backend.core.versions import ANY, version_of


def quoted(version: str) -> str:
    return f'"{version}"'


def if_match(request) -> list[str] | None:
    """The versions an ``If-Match`` header accepts; None without the header. Weak tags
    (``W/"…"``) never match (RFC 9110 compares strongly for If-Match), nor does anything
    that is not a tag."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    versions = []
    for tag in (part.strip() for part in header.split(",")):
        if tag == ANY:
            versions.append(ANY)
        elif len(tag) >= 2 and tag[0] == tag[-1] == '"':
            versions.append(tag[1:-1])
    return versions


class VersionedMixin:
    """For the viewsets of resources edited concurrently: ``ETag`` on a single resource
    (GET, and the answer to PATCH/PUT); ``self.expected_versions()`` for the services."""

    def expected_versions(self) -> list[str] | None:
        return if_match(self.request)

    def with_etag(self, response: Response) -> Response:
        """``response`` (to a write) with the resource's version as stored now."""
        if response.status_code == 200:
            response["ETag"] = quoted(version_of(self.get_object()))
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        response = Response(self.get_serializer(instance).data)
        response["ETag"] = quoted(version_of(instance))
        return response


class LocatedMixin:
    """A 201 carries ``Location``: the new resource's URL (its ``<basename>-detail``)."""

    def get_success_headers(self, data):
        try:
            path = reverse(f"{self.basename}-detail", args=[data["id"]])
        except (KeyError, TypeError, NoReverseMatch):
            return {}
        return {"Location": self.request.build_absolute_uri(path)}


class VersionedUpdateMixin(VersionedMixin):
    """For the viewsets that take ``PUT``/``PATCH`` through DRF's ``UpdateModelMixin``: the
    answer carries the new ``ETag``. Kept apart so that a viewset without ``update`` (the
    evaluations: their plan is a ``PATCH`` of its own) gets no ``PUT`` route from the router."""

    def update(self, request, *args, **kwargs):
        return self.with_etag(super().update(request, *args, **kwargs))
