from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.limits import validate_date_range


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be visible to the caller (its territories), else 400."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope(request.user)


class SlugRelatedField(serializers.SlugRelatedField):
    """DRF's, refusing a null character (400) before it reaches PostgreSQL, which cannot
    compare text with one (DRF's CharField does the same)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError(ProhibitNullCharactersValidator.message)
        return super().to_internal_value(data)


class ScopedSlugRelatedField(SlugRelatedField):
    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.scope(request.user)


class DateField(serializers.DateField):
    """A date within the years of the projects (``backend.core.limits``), else 400 naming
    the field: beyond them the business-day arithmetic of deadlines and reminders overflows."""

    default_validators = [validate_date_range]


class DateTimeField(serializers.DateTimeField):
    """A date and time within the same years (a board session)."""

    default_validators = [validate_date_range]
