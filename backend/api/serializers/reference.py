"""Territories, projects, organisations, contacts and staff accounts."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.models import StaffRole
from backend.accounts.scoping import organisations_for
from backend.api.fields import (
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
    SlugRelatedField,
)
from backend.core.limits import ADDRESS_LIMIT, TEXT_LIMIT
from backend.partners.models import Contact, Organisation
from backend.territories.models import (
    Axis,
    Commune,
    Finding,
    Neighbourhood,
    Territory,
    TerritoryProject,
)


def user_territories(user):
    qs = Territory.objects.all()
    if not getattr(user, "is_staff_member", False):
        return qs.none()
    return qs if user.sees_all_territories else qs.filter(pk__in=user.territory_ids())


class NeighbourhoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "priority_area"]


class CommuneSerializer(serializers.ModelSerializer):
    neighbourhoods = NeighbourhoodSerializer(many=True, read_only=True)

    class Meta:
        model = Commune
        fields = ["id", "name", "insee_code", "neighbourhoods"]


class TerritorySerializer(serializers.ModelSerializer):
    communes = CommuneSerializer(many=True, read_only=True)

    class Meta:
        model = Territory
        fields = ["slug", "name", "communes"]


class FindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = ["id", "kind", "title", "description", "commune"]


class AxisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Axis
        fields = ["id", "position", "title", "description"]


class ProjectSerializer(serializers.ModelSerializer):
    territory = ScopedSlugRelatedField(scope=user_territories, slug_field="slug")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    summary = serializers.CharField(max_length=TEXT_LIMIT, allow_blank=True, required=False)
    diagnostic_summary = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()
    axes = AxisSerializer(many=True, read_only=True)

    class Meta:
        model = TerritoryProject
        fields = [
            "id",
            "territory",
            "year",
            "title",
            "summary",
            "diagnostic_summary",
            "findings",
            "axes",
        ]
        validators = []  # one project per territory and year: the service answers 409

    def get_diagnostic_summary(self, project) -> str:
        diagnostic = getattr(project, "diagnostic", None)
        return diagnostic.summary if diagnostic else ""

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, project):
        diagnostic = getattr(project, "diagnostic", None)
        findings = diagnostic.findings.all() if diagnostic else []
        return FindingSerializer(findings, many=True).data


class OrganisationSerializer(serializers.ModelSerializer):
    territories = ScopedSlugRelatedField(
        scope=user_territories, slug_field="slug", many=True, allow_empty=False
    )
    address = serializers.CharField(max_length=ADDRESS_LIMIT, allow_blank=True, required=False)

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "territories", "email", "phone", "address"]


class ContactSerializer(serializers.ModelSerializer):
    organisation = ScopedPrimaryKeyRelatedField(scope=organisations_for)

    class Meta:
        model = Contact
        fields = [
            "id",
            "organisation",
            "first_name",
            "last_name",
            "email",
            "phone",
            "category",
            "position",
            "preferred_language",
        ]
        validators = []  # duplicates per organisation: the unique constraint answers 409


class StaffSerializer(serializers.ModelSerializer):
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=StaffRole.choices)
    email = serializers.EmailField()
    territories = SlugRelatedField(
        slug_field="slug", many=True, queryset=Territory.objects.all(), required=False
    )

    class Meta:
        model = get_user_model()
        fields = [
            "id",
            "username",
            "password",
            "email",
            "first_name",
            "last_name",
            "role",
            "territories",
        ]

    def validate(self, attrs):
        candidate = get_user_model()(
            username=attrs.get("username", ""),
            email=attrs.get("email", ""),
            first_name=attrs.get("first_name", ""),
            last_name=attrs.get("last_name", ""),
        )
        try:
            validate_password(attrs["password"], candidate)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"password": list(error.messages)}) from None
        return attrs


class SignInSerializer(serializers.Serializer):
    """POST auth/token/."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
