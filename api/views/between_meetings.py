"""The work between meetings: release plans, third-party notifications, requests to share minutes and
Level 1 reviews. Each list shows only the records of people the user may see; each change calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from level_one import selectors as level_one_selectors
from level_one import services as level_one_services
from level_one.models import LevelOneReview
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import signed_in_user
from need_to_know import permissions
from release_planning import selectors, services
from release_planning.models import ReleasePlan, SharingRequest, ThirdPartyNotification

from ..access import require
from ..serializers_between_meetings import (
    AcknowledgeSerializer,
    ChecklistItemCompleteSerializer,
    LevelOneReviewCreateSerializer,
    LevelOneReviewSerializer,
    ReleaseDateSerializer,
    ReleaseLevelSerializer,
    ReleasePlanCloseSerializer,
    ReleasePlanCreateSerializer,
    ReleasePlanSerializer,
    SharingDecisionSerializer,
    SharingRequestCreateSerializer,
    SharingRequestSerializer,
    ThirdPartyNotificationCreateSerializer,
    ThirdPartyNotificationSerializer,
)
from .base import CaseViewSet, record_view


def _person(request: Request, individual_id: Any) -> Any:
    individual = permissions.visible_individuals(signed_in_user(request)).filter(pk=individual_id).first()
    if individual is None:
        raise WorkflowError({"individual": "There is no person you can see with this id"})
    return individual


class _Retrieve:
    """retrieve: one record the user may see, its view audited."""

    serializer_class: type[Serializer]

    def retrieve(self, request: Request, pk: Any = None) -> Response:
        record = self.get_object()  # type: ignore[attr-defined]
        record_view(request, record)
        return Response(self.serializer_class(record).data)


@extend_schema(tags=["release plans"])
class ReleasePlanViewSet(_Retrieve, mixins.ListModelMixin, CaseViewSet):
    """Plans for the release from custody or discharge from hospital of the people the user may see."""

    queryset = ReleasePlan.objects.none()
    serializer_class = ReleasePlanSerializer

    def get_queryset(self) -> QuerySet[ReleasePlan]:
        plans = (selectors.plan_detail_queryset()).order_by("expected_date", "pk")
        return selectors.visible_release_plans(signed_in_user(self.request), plans)

    @extend_schema(responses={200: ReleasePlanSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=ReleasePlanCreateSerializer, responses={201: ReleasePlanSerializer})
    def create(self, request: Request) -> Response:
        """Start planning the release or discharge of a person in custody or hospital."""
        serializer = ReleasePlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        individual = _person(request, serializer.validated_data["individual"])
        plan = services.release_plan_create(
            actor=signed_in_user(request),
            individual=individual,
            expected_date=serializer.validated_data["expected_date"],
        )
        return Response(self._answer(plan.pk), status=status.HTTP_201_CREATED)

    def _answer(self, pk: Any) -> Any:
        return ReleasePlanSerializer(selectors.plan_detail_queryset().get(pk=pk)).data

    def _change(self, request: Request, serializer_class: type[Serializer], service: Callable[..., Any]) -> Response:
        plan = self.get_object()
        require(request, "release_planning.manage_release_plan", plan)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=signed_in_user(request), plan=plan, **serializer.validated_data)
        return Response(self._answer(plan.pk))

    @extend_schema(request=ReleaseDateSerializer, responses={200: ReleasePlanSerializer})
    @action(detail=True, methods=["post"], url_path="change-date")
    def change_date(self, request: Request, pk: Any = None) -> Response:
        """A new expected date, with why: the history keeps the old one and unfinished items move with it."""
        return self._change(request, ReleaseDateSerializer, services.release_plan_change_date)

    @extend_schema(request=ReleaseLevelSerializer, responses={200: ReleasePlanSerializer})
    @action(detail=True, methods=["post"], url_path="decide-level")
    def decide_level(self, request: Request, pk: Any = None) -> Response:
        """The MAPPA level decided for release."""
        return self._change(request, ReleaseLevelSerializer, services.release_plan_decide_level)

    @extend_schema(request=ChecklistItemCompleteSerializer, responses={200: ReleasePlanSerializer})
    @action(detail=True, methods=["post"], url_path="complete-item")
    def complete_item(self, request: Request, pk: Any = None) -> Response:
        """One checklist item done: what was done, and when."""
        return self._change(request, ChecklistItemCompleteSerializer, services.checklist_item_complete)

    @extend_schema(request=ReleasePlanCloseSerializer, responses={200: ReleasePlanSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Released (or discharged), or no longer expected."""
        return self._change(request, ReleasePlanCloseSerializer, services.release_plan_close)


@extend_schema(tags=["third-party notifications"])
class ThirdPartyNotificationViewSet(_Retrieve, mixins.ListModelMixin, CaseViewSet):
    """What was shared with DWP / Jobcentre Plus, children's services, housing or others, and why."""

    queryset = ThirdPartyNotification.objects.none()
    serializer_class = ThirdPartyNotificationSerializer

    def get_queryset(self) -> QuerySet[ThirdPartyNotification]:
        records = (ThirdPartyNotification.objects.select_related("individual", "sent_by_agency")).order_by(
            "-sent_on", "pk"
        )
        return selectors.visible_notifications(signed_in_user(self.request), records)

    @extend_schema(responses={200: ThirdPartyNotificationSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=ThirdPartyNotificationCreateSerializer, responses={201: ThirdPartyNotificationSerializer})
    def create(self, request: Request) -> Response:
        """Record a notification sent by the user's agency (optionally completing a release checklist item)."""
        serializer = ThirdPartyNotificationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = signed_in_user(request)
        individual = _person(request, data.pop("individual"))
        plan = None
        if (plan_id := data.pop("release_plan", None)) is not None:
            plan = selectors.visible_release_plans(user).filter(pk=plan_id).first()
            if plan is None:
                raise WorkflowError({"release_plan": "There is no release plan you can see with this id"})
        notification = services.third_party_notification_record(
            actor=user, individual=individual, release_plan=plan, **data
        )
        return Response(ThirdPartyNotificationSerializer(notification).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AcknowledgeSerializer, responses={200: ThirdPartyNotificationSerializer})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        """The recipient confirmed receipt."""
        notification = self.get_object()
        require(request, "release_planning.acknowledge_notification", notification)
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.third_party_notification_acknowledge(
            actor=signed_in_user(request), notification=notification, **serializer.validated_data
        )
        return Response(ThirdPartyNotificationSerializer(self.get_queryset().get(pk=notification.pk)).data)


@extend_schema(tags=["sharing requests"])
class SharingRequestViewSet(_Retrieve, mixins.ListModelMixin, CaseViewSet):
    """Requests to share a case's minutes beyond the meeting, and the chair's decisions."""

    queryset = SharingRequest.objects.none()
    serializer_class = SharingRequestSerializer

    def get_queryset(self) -> QuerySet[SharingRequest]:
        records = (SharingRequest.objects.select_related("individual", "agenda_item")).order_by("-requested_on", "pk")
        return selectors.visible_sharing_requests(signed_in_user(self.request), records)

    @extend_schema(responses={200: SharingRequestSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=SharingRequestCreateSerializer, responses={201: SharingRequestSerializer})
    def create(self, request: Request) -> Response:
        """Log a request to share one case's minutes (an agenda item of a meeting); the chairs are told."""
        serializer = SharingRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        user = signed_in_user(request)
        item = (
            permissions.visible_agenda_items(user)
            .select_related("registration__individual", "referral__individual")
            .filter(pk=data.pop("agenda_item"))
            .first()
        )
        if item is None:
            raise WorkflowError({"agenda_item": "There are no minutes you can see with this id"})
        record = services.sharing_request_record(actor=user, agenda_item=item, **data)
        return Response(SharingRequestSerializer(record).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SharingDecisionSerializer, responses={200: SharingRequestSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        """The chair's decision: the minutes in full, an executive summary only, or refused."""
        record = self.get_object()
        require(request, "release_planning.decide_sharing_request", record)
        serializer = SharingDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.sharing_request_decide(actor=signed_in_user(request), request=record, **serializer.validated_data)
        return Response(SharingRequestSerializer(self.get_queryset().get(pk=record.pk)).data)


@extend_schema(tags=["level 1 reviews"])
class LevelOneReviewViewSet(_Retrieve, mixins.ListModelMixin, CaseViewSet):
    """Reviews of Level 1 cases by their lead agency; one may refer the case to Level 2."""

    queryset = LevelOneReview.objects.none()
    serializer_class = LevelOneReviewSerializer

    def get_queryset(self) -> QuerySet[LevelOneReview]:
        records = (LevelOneReview.objects.select_related("individual", "lead_agency", "referral")).order_by(
            "-reviewed_on", "pk"
        )
        return level_one_selectors.visible_reviews(signed_in_user(self.request), records)

    @extend_schema(responses={200: LevelOneReviewSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        return super().retrieve(request, pk)

    @extend_schema(request=LevelOneReviewCreateSerializer, responses={201: LevelOneReviewSerializer})
    def create(self, request: Request) -> Response:
        """Record a Level 1 review of a person's case; ``refer_to_level_2`` sends a referral to the co-ordinator."""
        serializer = LevelOneReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        individual = _person(request, data.pop("individual"))
        registration = individual.registrations.active().first()
        if registration is None:
            raise WorkflowError({"individual": "This person has no active MAPPA registration"})
        require(request, "level_one.review_case", registration)
        review = level_one_services.level_one_review_record(
            actor=signed_in_user(request), registration=registration, **data
        )
        return Response(LevelOneReviewSerializer(review).data, status=status.HTTP_201_CREATED)
