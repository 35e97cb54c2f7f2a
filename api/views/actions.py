"""Risk management actions: list mine, read one with its update log, add an update, start, complete, close.

An agency practitioner's list is their own agency's actions; co-ordinators and chairs see every
action of their area. Only the owning agency (or the area's co-ordinators and chairs) may update one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from mappa_workflow.signed_in import signed_in_user
from meetings import selectors
from meetings import services as meeting_services
from meetings.models import RiskAction, RiskActionState, RiskActionUpdate
from need_to_know import permissions

from ..access import require
from ..filters import ActionFilter
from ..serializers import (
    ActionCloseSerializer,
    ActionCompleteSerializer,
    ActionDetailSerializer,
    ActionNoteSerializer,
    ActionSerializer,
    ActionStartSerializer,
    ActionUpdateSerializer,
)
from .base import CaseViewSet, record_view

UPDATES = Prefetch("updates", queryset=RiskActionUpdate.objects.select_related("written_by"))


@extend_schema(tags=["actions"])
class ActionViewSet(mixins.ListModelMixin, CaseViewSet):
    queryset = RiskAction.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = ActionSerializer
    filterset_class = ActionFilter

    def get_queryset(self) -> QuerySet[RiskAction]:
        user = signed_in_user(self.request)
        if user.area is None:
            return RiskAction.objects.none()
        actions = selectors.action_list(area=user.area, states=list(RiskActionState.values))
        if self.action == "list" and not (permissions.is_coordinator(user) or permissions.is_chair(user)):
            return permissions.my_agency_risk_actions(user, actions)
        # One action: any the user may see; updating it is then a question for the rules (403).
        return permissions.visible_risk_actions(user, actions)

    def _detail(self, action_id: Any) -> Response:
        return Response(ActionDetailSerializer(self.get_queryset().prefetch_related(UPDATES).get(pk=action_id)).data)

    @extend_schema(responses={200: ActionDetailSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        risk_action = self.get_object()
        record_view(request, risk_action)
        return self._detail(risk_action.pk)

    @extend_schema(request=ActionNoteSerializer, responses={201: ActionUpdateSerializer})
    @action(detail=True, methods=["post"])
    def updates(self, request: Request, pk: Any = None) -> Response:
        """Add a progress note to the action's update log."""
        risk_action = self.get_object()
        require(request, "meetings.update_risk_action", risk_action)
        serializer = ActionNoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        update = meeting_services.risk_action_add_update(
            actor=signed_in_user(request), action=risk_action, text=serializer.validated_data["text"]
        )
        return Response(ActionUpdateSerializer(update).data, status=status.HTTP_201_CREATED)

    def _change(self, request: Request, serializer_class: type[Serializer], service: Callable[..., Any]) -> Response:
        """Check the owning agency (or the area's co-ordinators and chairs) may change the action, check the
        body, run the service, and answer the action as it now is."""
        risk_action = self.get_object()
        require(request, "meetings.update_risk_action", risk_action)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=signed_in_user(request), action=risk_action, **serializer.validated_data)
        return self._detail(risk_action.pk)

    @extend_schema(request=ActionStartSerializer, responses={200: ActionDetailSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        """The owning agency has started the action."""
        return self._change(request, ActionStartSerializer, meeting_services.risk_action_start)

    @extend_schema(request=ActionCompleteSerializer, responses={200: ActionDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        """The action is done: say what was done (and when, if not today)."""
        return self._change(request, ActionCompleteSerializer, meeting_services.risk_action_complete)

    @extend_schema(request=ActionCloseSerializer, responses={200: ActionDetailSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        """Close an unfinished action that will not be completed: not possible because circumstances
        changed, or not done by the agency. Say why."""
        return self._change(request, ActionCloseSerializer, meeting_services.risk_action_close)
