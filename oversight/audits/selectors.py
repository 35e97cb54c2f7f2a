"""Reads for the audit pages: a quarter's sample with each record's audits, and one audit with its answers."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from mappa_workflow.models import Area, User
from meetings.models import Attendance, Meeting
from referrals.models import Registration

from .models import AuditSample, AuditState, QualityAudit
from .questions import AuditKind


def sample_for(area: Area, kind: str, year: int, quarter: int) -> AuditSample | None:
    return (
        AuditSample.objects.filter(area=area, kind=kind, year=year, quarter=quarter).select_related("drawn_by").first()
    )


def _submitted(field: str) -> QuerySet[QualityAudit]:
    return QualityAudit.objects.filter(**{field: OuterRef("pk")}, state=AuditState.SUBMITTED)


def sampled_meetings(sample: AuditSample, auditor: User) -> QuerySet[Meeting]:
    """The sample's meetings with their number of cases, submitted audits, and ``auditor``'s own audit."""
    return (
        sample.meetings.order_by("starts_at", "pk")
        .annotate(
            cases=Count("agenda_items", distinct=True),
            audits_submitted=Count(
                "quality_audits", filter=Q(quality_audits__state=AuditState.SUBMITTED), distinct=True
            ),
        )
        .prefetch_related(Prefetch("quality_audits", QualityAudit.objects.filter(auditor=auditor), to_attr="mine"))
    )


def sampled_cases(sample: AuditSample, visible: QuerySet[Registration], auditor: User) -> QuerySet[Registration]:
    return (
        visible.filter(pk__in=sample.registrations.values("pk"))
        .select_related("individual")
        .annotate(audited=Exists(_submitted("registration")))
        .prefetch_related(Prefetch("quality_audits", QualityAudit.objects.filter(auditor=auditor), to_attr="mine"))
        .order_by("started_on", "pk")
    )


def audit_page(pk: object) -> QualityAudit:
    """An audit with its answers and, for a meeting audit, the meeting's arrangements: chair and attendance by
    agency (no attendee's case details). Raises DoesNotExist."""
    return (
        QualityAudit.objects.select_related("meeting__chair__agency", "registration__individual", "auditor", "sample")
        .prefetch_related(
            "answers",
            Prefetch(
                "meeting__attendance",
                Attendance.objects.filter(agency__isnull=False).select_related("agency").order_by("agency__name"),
            ),
        )
        .annotate(cases=Count("meeting__agenda_items", distinct=True))
        .get(pk=pk)
    )


def my_audits(auditor: User) -> QuerySet[QualityAudit]:
    return QualityAudit.objects.filter(auditor=auditor, kind=AuditKind.MEETING).select_related("meeting")[:20]
