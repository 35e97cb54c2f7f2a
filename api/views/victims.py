"""Victims' views: list those the user may read (the area's co-ordinators and chairs, and the recording
VLO's agency: victims.rules), and record one (a victim liaison officer)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import signed_in_user
from meetings.models import Meeting
from need_to_know import permissions
from referrals.models import Registration
from victims import selectors, services
from victims.models import VictimView

from ..access import require
from ..serializers_transfers import VictimViewCreateSerializer, VictimViewSerializer
from .base import CaseViewSet


@extend_schema(tags=["victim views"])
class VictimViewViewSet(mixins.ListModelMixin, CaseViewSet):
    queryset = VictimView.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = VictimViewSerializer

    def get_queryset(self) -> QuerySet[VictimView]:
        return selectors.visible_victim_views(
            self.request.user, VictimView.objects.select_related("agency", "recorded_by")
        )

    @extend_schema(request=VictimViewCreateSerializer, responses={201: VictimViewSerializer})
    def create(self, request: Request) -> Response:
        """A victim liaison officer records victims' views for a case their agency works with."""
        serializer = VictimViewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = signed_in_user(request)
        registration = (
            permissions.visible_registrations(user, Registration.objects.all()).filter(pk=data["registration"]).first()
        )
        if registration is None:
            raise WorkflowError({"registration": "There is no registration you can see with this id"})
        require(request, "victims.record_victim_view", registration)
        meeting = None
        if data["meeting"] is not None:
            meeting = permissions.visible_meetings(user, Meeting.objects.all()).filter(pk=data["meeting"]).first()
            if meeting is None:
                raise WorkflowError({"meeting": "There is no meeting you can see with this id"})
        view = services.victim_view_record(
            actor=user, registration=registration, views=data["views"], concerns=data["concerns"], meeting=meeting
        )
        return Response(VictimViewSerializer(view).data, status=status.HTTP_201_CREATED)
