"""REST API v1 (docs/api.md). Every address under /api/v1/ answers JSON, a miss included."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from .errors import JsonErrorsMixin, not_found
from .views.actions import ActionViewSet
from .views.agencies import AgencyViewSet
from .views.between_meetings import (
    LevelOneReviewViewSet,
    ReleasePlanViewSet,
    SharingRequestViewSet,
    ThirdPartyNotificationViewSet,
)
from .views.individuals import IndividualViewSet
from .views.meetings import MeetingViewSet
from .views.oversight import AuditResultsView, IndicatorsView
from .views.referrals import ReferralViewSet
from .views.statistics import AnnualStatisticsView
from .views.transfers import TransferViewSet
from .views.victims import VictimViewViewSet

app_name = "api"


class SchemaView(JsonErrorsMixin, SpectacularAPIView):
    pass


class DocsView(JsonErrorsMixin, SpectacularSwaggerSplitView):
    pass


router = SimpleRouter(use_regex_path=False)
router.register("referrals", ReferralViewSet, basename="referral")
router.register("individuals", IndividualViewSet, basename="individual")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("actions", ActionViewSet, basename="action")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("transfers", TransferViewSet, basename="transfer")
router.register("victim-views", VictimViewViewSet, basename="victim-view")
router.register("release-plans", ReleasePlanViewSet, basename="release-plan")
router.register("third-party-notifications", ThirdPartyNotificationViewSet, basename="third-party-notification")
router.register("sharing-requests", SharingRequestViewSet, basename="sharing-request")
router.register("level-one-reviews", LevelOneReviewViewSet, basename="level-one-review")

urlpatterns = [
    path("", include(router.urls)),
    path("statistics/<slug:area>/<int:year>/", AnnualStatisticsView.as_view(), name="statistics-annual"),
    path("indicators/<slug:area>/<int:year>/", IndicatorsView.as_view(), name="indicators-annual"),
    path("audits/results/<slug:area>/<int:year>/", AuditResultsView.as_view(), name="audit-results-annual"),
    path("schema/", SchemaView.as_view(api_version="v1"), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path(
        "docs/",
        DocsView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    re_path(r"^.*$", not_found),
]
