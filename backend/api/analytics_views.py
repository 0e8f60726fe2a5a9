"""Analytics: where the actions of the caller's territories wait.

``analytics/time-in-state/``, ``analytics/flagged/``, ``analytics/partners/``,
``analytics/partner-categories/``, ``analytics/board/``; each takes ``?territory=<slug>``,
``?year=``, ``?project=<id>`` and ``?axis=<id>`` (all optional). As for the exports, an
unknown territory, a year that is not one, or a project or an axis the caller cannot see is
refused (400), and a territory the caller does not work in too (403); without a territory, a
territory-bound caller gets their territories only. The figures are computed by
``backend.analytics``; the page ``/pilotage/`` reads the same functions.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import scoping
from backend.analytics import board, partners, time_in_state
from backend.analytics.scope import Scope
from backend.api.fields import SlugRelatedField
from backend.api.permissions import IsStaffMember
from backend.partners.models import ContactCategory
from backend.territories.models import Territory

TAG = "analytics"
FLAGGED = 50


class ScopeSerializer(serializers.Serializer):
    territory = SlugRelatedField(
        slug_field="slug", queryset=Territory.objects.all(), required=False
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    project = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)
    axis = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False)

    def _visible(self, queryset, pk, message):
        found = queryset.filter(pk=pk).first()
        if found is None:
            raise serializers.ValidationError(message)
        return found

    def validate_project(self, pk):
        user = self.context["user"]
        return self._visible(scoping.projects_for(user), pk, _("Projet inconnu."))

    def validate_axis(self, pk):
        user = self.context["user"]
        return self._visible(scoping.axes_for(user), pk, _("Axe inconnu."))


class CategorySerializer(ScopeSerializer):
    category = serializers.ChoiceField(choices=ContactCategory.choices, required=False)


FILTERS = [
    OpenApiParameter("territory", str, description="Identifiant (slug) du territoire"),
    OpenApiParameter("year", int, description="Année du projet de territoire"),
    OpenApiParameter("project", int, description="Projet de territoire (id)"),
    OpenApiParameter("axis", int, description="Axe d'intervention (id)"),
]
# The filters that are options of one answer, not a narrowing of the scope.
OPTIONS = ("category",)
REFUSALS = {
    400: OpenApiResponse(description="Territoire, projet ou axe inconnu, ou année invalide"),
    403: OpenApiResponse(description="Territoire hors de votre périmètre"),
}


class AnalyticsView(APIView):
    """One answer of the analytics: the filters read (``filters_serializer``), the figures
    computed over the scope (``figures``), written by ``answer_serializer``. Each subclass
    says what it answers in its docstring (the operation's description) and is documented
    by ``documented``."""

    permission_classes = [IsStaffMember]
    filters_serializer = ScopeSerializer
    answer_serializer: type[serializers.Serializer]
    many = True  # a list of rows (the board: one object)

    def read_filters(self, request) -> dict:
        given = {key: value for key, value in request.query_params.items() if value != ""}
        body = self.filters_serializer(data=given, context={"user": request.user})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        territory = data.get("territory")
        if territory is not None and not request.user.works_in(territory.pk):
            raise PermissionDenied(_("Vous ne travaillez pas sur ce territoire."))
        return data

    def figures(self, scope: Scope, **options):
        raise NotImplementedError

    def get(self, request):
        filters = self.read_filters(request)
        options = {name: filters.pop(name) for name in OPTIONS if name in filters}
        figures = self.figures(Scope(user=request.user, **filters), **options)
        return Response(self.answer_serializer(figures, many=self.many).data)


def documented(operation_id: str, summary: str, response, parameters=FILTERS):
    """The OpenAPI description of an analytics view (its docstring: the operation's)."""
    return extend_schema_view(
        get=extend_schema(
            operation_id=operation_id,
            summary=summary,
            tags=[TAG],
            parameters=parameters,
            responses={200: response, **REFUSALS},
        )
    )


# --- time in state ---------------------------------------------------------------------------


class StateFiguresSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()
    actions = serializers.IntegerField(help_text="Actions sorties au moins une fois de l'état")
    median_days = serializers.FloatField(allow_null=True, help_text="Médiane des jours")
    p90_days = serializers.FloatField(allow_null=True, help_text="90e centile des jours")
    now = serializers.IntegerField(help_text="Actions dans l'état aujourd'hui")
    over_p90 = serializers.IntegerField(
        help_text="Actions dans l'état depuis plus longtemps que le 90e centile"
    )


@documented("analytics_time_in_state", "Time in each state", StateFiguresSerializer(many=True))
class TimeInStateView(AnalyticsView):
    """Per waiting state (consultation, ready for the board, scheduled, in progress,
    evaluation): the actions that went through it, the median and 90th percentile of
    their days there, the actions in it now and how many of them sit there longer than
    the 90th percentile."""

    answer_serializer = StateFiguresSerializer

    def figures(self, scope):
        return time_in_state.time_in_state(scope).states


class FlaggedSerializer(serializers.Serializer):
    action = serializers.IntegerField(source="action.pk")
    title = serializers.CharField(source="action.title")
    territory = serializers.CharField(source="action.project.territory.slug")
    state = serializers.CharField()
    since = serializers.DateTimeField()
    days = serializers.FloatField()
    p90_days = serializers.FloatField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["days"], data["p90_days"] = round(data["days"], 1), round(data["p90_days"], 1)
        return data


@documented("analytics_flagged", "Actions waiting longer than usual", FlaggedSerializer(many=True))
class FlaggedView(AnalyticsView):
    """The actions sitting in a waiting state for longer than that state's 90th
    percentile, the longest (against the percentile) first; at most 50."""

    answer_serializer = FlaggedSerializer

    def figures(self, scope):
        return time_in_state.time_in_state(scope, flagged=FLAGGED).flagged


# --- partners --------------------------------------------------------------------------------


class AnswersSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text="Rôles auxquels le partenaire a été invité")
    answered = serializers.IntegerField()
    median_days_to_answer = serializers.FloatField(allow_null=True)
    p90_days_to_answer = serializers.FloatField(allow_null=True)
    declined = serializers.IntegerField()
    changes_requested = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="Rôles qui attendent une réponse")
    reminders_before_answer = serializers.IntegerField(
        help_text="Relances envoyées avant les réponses"
    )


class PartnerSerializer(AnswersSerializer):
    organisation = serializers.IntegerField()
    name = serializers.CharField()


class CategoryRowSerializer(AnswersSerializer):
    category = serializers.CharField()
    label = serializers.CharField()


@documented(
    "analytics_partners",
    "Partners' answers per organisation",
    PartnerSerializer(many=True),
    parameters=[
        *FILTERS,
        OpenApiParameter(
            "category",
            str,
            enum=list(ContactCategory.values),
            description="Catégorie de l'interlocuteur",
        ),
    ],
)
class PartnersView(AnalyticsView):
    """Per organisation: roles invited, answered, median days to answer, declined or
    changes asked, pending now, reminders sent before the answers."""

    filters_serializer = CategorySerializer
    answer_serializer = PartnerSerializer

    def figures(self, scope, category=""):
        return partners.by_organisation(scope, category)


@documented(
    "analytics_partner_categories",
    "Partners' answers per category of contact",
    CategoryRowSerializer(many=True),
)
class PartnerCategoriesView(AnalyticsView):
    """The same figures per category of contact (elected officials, technicians,
    associations…)."""

    answer_serializer = CategoryRowSerializer

    def figures(self, scope):
        return partners.by_category(scope)


# --- the board -------------------------------------------------------------------------------


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    label = serializers.CharField()
    decisions = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
    p90_days = serializers.FloatField(allow_null=True)


class DeferralsSerializer(serializers.Serializer):
    decided_actions = serializers.IntegerField()
    deferred_actions = serializers.IntegerField()
    deferrals = serializers.IntegerField()
    deferral_rate = serializers.FloatField(allow_null=True)


class BoardFiguresSerializer(serializers.Serializer):
    outcomes = OutcomeSerializer(many=True)
    deferrals = DeferralsSerializer()


@documented("analytics_board", "Board decisions and delays", BoardFiguresSerializer)
class BoardView(AnalyticsView):
    """Per outcome: the decisions and the days from the action being ready for the board
    to the decision; how often actions are deferred."""

    answer_serializer = BoardFiguresSerializer
    many = False

    def figures(self, scope):
        return board.board(scope)


# Wired in backend/api/urls.py before the router: ``*analytics_views.urlpatterns``.
urlpatterns = [
    path("analytics/time-in-state/", TimeInStateView.as_view(), name="analytics-time-in-state"),
    path("analytics/flagged/", FlaggedView.as_view(), name="analytics-flagged"),
    path("analytics/partners/", PartnersView.as_view(), name="analytics-partners"),
    path(
        "analytics/partner-categories/",
        PartnerCategoriesView.as_view(),
        name="analytics-partner-categories",
    ),
    path("analytics/board/", BoardView.as_view(), name="analytics-board"),
]
