"""Meetings: list, one meeting with its agenda and attendance, schedule, reschedule, cancel, and record attendance."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Role, User
from mappa_workflow.signed_in import signed_in_user
from meetings import selectors
from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting
from need_to_know import permissions

from ..access import require
from ..filters import MeetingFilter
from ..serializers import (
    AttendanceRecordSerializer,
    AttendanceSerializer,
    MeetingCancelSerializer,
    MeetingDetailSerializer,
    MeetingRescheduleSerializer,
    MeetingScheduleSerializer,
    MeetingSerializer,
)
from .base import CaseViewSet, record_view


def _found(model_qs: QuerySet, ids: list[uuid.UUID], field: str, what: str) -> list[Any]:
    """The records with ``ids`` in order, or a 400 naming the first id the user cannot see."""
    found = model_qs.in_bulk(ids)
    for number, pk in enumerate(ids, start=1):
        if pk not in found:
            raise WorkflowError({f"{field}-{number}": f"There is no {what} you can see with the id {pk}"})
    return [found[pk] for pk in dict.fromkeys(ids)]


@extend_schema(tags=["meetings"])
class MeetingViewSet(mixins.ListModelMixin, CaseViewSet):
    """Meetings of the user's area (co-ordinators and chairs), or those their agency was invited to."""

    queryset = Meeting.objects.none()  # for the schema; get_queryset applies the rules
    serializer_class = MeetingSerializer
    lists_people = False  # the list names no one: dates, chairs and numbers of cases
    filterset_class = MeetingFilter

    def get_queryset(self) -> QuerySet[Meeting]:
        user = signed_in_user(self.request)
        if user.area is None:
            return Meeting.objects.none()
        # Counting cases groups the rows, so the model's ordering must be asked for again.
        return permissions.visible_meetings(user, selectors.meeting_list(area=user.area)).order_by("-starts_at", "pk")

    def _detail(self, request: Request, meeting_id: Any, code: int = status.HTTP_200_OK) -> Response:
        meeting = selectors.meeting_detail(meeting_id)
        # Cases on the agenda the user may not see (Category 4 without clearance) are left out.
        visible = set(
            permissions.visible_agenda_items(request.user, AgendaItem.objects.filter(meeting=meeting)).values_list(
                "pk", flat=True
            )
        )
        all_items = list(meeting.agenda_items.all())
        meeting.case_count = len(all_items)  # type: ignore[attr-defined]  # as the list's Count annotation counts them
        items = [item for item in all_items if item.pk in visible]
        return Response(
            MeetingDetailSerializer(meeting, context={"agenda_items": items, "request": request}).data, status=code
        )

    @extend_schema(responses={200: MeetingDetailSerializer})
    def retrieve(self, request: Request, pk: Any = None) -> Response:
        meeting = self.get_object()
        record_view(request, meeting)
        return self._detail(request, meeting.pk)

    @extend_schema(request=MeetingScheduleSerializer, responses={201: MeetingDetailSerializer})
    def create(self, request: Request) -> Response:
        """Schedule a meeting in your area, put cases on its agenda and invite the panel."""
        user = signed_in_user(request)
        if user.area is None:
            raise Http404("Your account has no MAPPA area")
        require(request, "meetings.manage_meeting", Meeting(area=user.area))
        serializer = MeetingScheduleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        chair = User.objects.filter(uuid=data["chair"], area=user.area, role_assignments__role=Role.CHAIR).first()
        if chair is None:
            raise WorkflowError({"chair": "There is no chair of your area with this id"})
        registrations = _found(
            permissions.visible_registrations(user), data["registrations"], "registrations", "MAPPA registration"
        )
        referrals = None
        if data["referrals"] is not None:
            referrals = _found(permissions.visible_referrals(user), data["referrals"], "referrals", "referral")
        meeting = meeting_services.meeting_schedule(
            actor=user,
            area=user.area,
            meeting_type=data["meeting_type"],
            starts_at=data["starts_at"],
            chair=chair,
            duration_minutes=data["duration_minutes"],
            venue=data["venue"],
            video_link=data["video_link"],
            registrations=registrations,
            referrals=referrals,
        )
        return self._detail(request, meeting.pk, status.HTTP_201_CREATED)

    def _change(self, request: Request, serializer_class: type[Serializer], service: Callable[..., Any]) -> Response:
        """Check the user manages the meeting, check the body, run the service, and answer the meeting as it now is."""
        meeting = self.get_object()
        require(request, "meetings.manage_meeting", meeting)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(actor=signed_in_user(request), meeting=meeting, **serializer.validated_data)
        return self._detail(request, meeting.pk)

    @extend_schema(request=MeetingRescheduleSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, pk: Any = None) -> Response:
        """Move a scheduled meeting to a new time (and length), with the reason; the chair and every case
        must be free then. The invited agencies get the updated invitation."""
        return self._change(request, MeetingRescheduleSerializer, meeting_services.meeting_reschedule)

    @extend_schema(request=MeetingCancelSerializer, responses={200: MeetingDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel a scheduled meeting, with the reason; its cases are free to be booked again."""
        return self._change(request, MeetingCancelSerializer, meeting_services.meeting_cancel)

    @extend_schema(
        request=AttendanceRecordSerializer,
        responses={200: inline_serializer("AttendanceRecorded", {"attendance": AttendanceSerializer(many=True)})},
    )
    @action(detail=True, methods=["put"])
    def attendance(self, request: Request, pk: Any = None) -> Response:
        """Record who attended a held meeting, replacing any earlier record, until the minutes are approved."""
        meeting = self.get_object()
        require(request, "meetings.manage_meeting", meeting)
        serializer = AttendanceRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = serializer.validated_data["attendance"]
        agencies = Agency.objects.in_bulk({line["agency"] for line in lines if line["agency"] is not None})
        entries = []
        for number, line in enumerate(lines, start=1):
            agency = None
            if line["agency"] is not None:
                agency = agencies.get(line["agency"])
                if agency is None:
                    raise WorkflowError(
                        {f"attendance-{number}-agency": f"Line {number}: there is no agency with this id"}
                    )
            entries.append(
                meeting_services.AttendanceEntry(
                    status=line["status"],
                    agency=agency,
                    name=line["name"],
                    role=line["role"],
                    seniority=line["seniority"],
                    confidentiality_acknowledged=line["confidentiality_acknowledged"],
                )
            )
        rows = meeting_services.meeting_record_attendance(
            actor=signed_in_user(request), meeting=meeting, entries=entries
        )
        return Response({"attendance": AttendanceSerializer(rows, many=True).data})
