"""Meeting audits (MAPPA L) and case audits: drawing the quarter's sample, starting, answering, submitting.

Who may: a co-ordinator of the area draws samples and audits meetings and cases; an SMB member or a lay
adviser of the area audits meetings only (a lay adviser as an observer), never a case, because a case audit
reads a person's record. Each function is one transaction with its audit row.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import Area, AuditAction, Role, User
from mappa_workflow.services_base import apply_transition, lock_for_change
from meetings.models import Meeting
from referrals.models import Registration

from ..audits.models import AuditAnswer, AuditorCapacity, AuditSample, AuditState, QualityAudit
from ..audits.prefill import NOT_RECORDED as NOTHING_RECORDED
from ..audits.prefill import case_prefill, meeting_prefill
from ..audits.questions import QUESTIONS, AuditKind, Score, TimelinessBand
from ..audits.sampling import case_candidates, draw, meeting_candidates, quarter_of

MAX_SAMPLE = 50


def _in_area(actor: User, area_id: int) -> None:
    if actor.area_id != area_id:
        raise NotPermitted("You can only audit your own area's meetings and cases")


def capacity_of(actor: User, kind: str) -> str:
    """The capacity ``actor`` audits in, or NotPermitted. A co-ordinator audits both kinds; SMB members and
    lay advisers only meetings."""
    if actor.has_role(Role.COORDINATOR):
        return AuditorCapacity.COORDINATOR
    if kind == AuditKind.MEETING and actor.has_role(Role.LAY_ADVISER):
        return AuditorCapacity.LAY_ADVISER
    if kind == AuditKind.MEETING and actor.has_role(Role.SMB_MEMBER):
        return AuditorCapacity.SMB_MEMBER
    if kind == AuditKind.CASE:
        raise NotPermitted("Only MAPPA co-ordinators audit cases")
    raise NotPermitted("Only co-ordinators, SMB members and lay advisers audit meetings")


@transaction.atomic
def audit_sample_draw(
    *, actor: User, area: Area, kind: str, year: int, quarter: int, size: int, seed: int | None = None
) -> AuditSample:
    """Draw and record a quarter's random sample of meetings or cases. A co-ordinator of the area only;
    once per area, kind and quarter (the record of what was offered for audit)."""
    if not actor.has_role(Role.COORDINATOR):
        raise NotPermitted("Only MAPPA co-ordinators draw audit samples")
    _in_area(actor, area.pk)
    if kind not in AuditKind.values:
        raise WorkflowError({"kind": "Choose a meeting audit or a case audit"})
    if quarter not in (1, 2, 3, 4):
        raise WorkflowError({"quarter": "Choose a quarter from 1 to 4"})
    if not 1 <= size <= MAX_SAMPLE:
        raise WorkflowError({"size": f"The sample size must be from 1 to {MAX_SAMPLE}"})
    if (year, quarter) > quarter_of(timezone.localdate()):
        raise WorkflowError({"quarter": "The quarter has not started yet"})
    if AuditSample.objects.filter(area=area, kind=kind, year=year, quarter=quarter).exists():
        raise WorkflowError({"quarter": "A sample has already been drawn for this quarter"})
    seed = secrets.randbits(48) if seed is None else seed
    meetings = list(meeting_candidates(area, year, quarter)) if kind == AuditKind.MEETING else []
    cases = list(case_candidates(area, year, quarter)) if kind == AuditKind.CASE else []
    candidates: list[Any] = meetings or cases
    if not candidates:
        raise WorkflowError({"quarter": "There is nothing to sample: no Level 2 or 3 meeting was held that quarter"})
    chosen = draw(candidates, size=size, seed=seed)
    try:
        with transaction.atomic():
            sample = AuditSample.objects.create(
                area=area,
                kind=kind,
                year=year,
                quarter=quarter,
                seed=seed,
                size_asked=size,
                candidates=len(candidates),
                drawn_by=actor,
            )
    except IntegrityError as exc:  # drawn by someone else a moment ago
        raise WorkflowError({"quarter": "A sample has already been drawn for this quarter"}) from exc
    (sample.meetings if kind == AuditKind.MEETING else sample.registrations).set(chosen)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=sample,
        details={"kind": kind, "year": year, "quarter": quarter, "seed": seed, "size": size, "drawn": len(chosen)},
    )
    return sample


def _sample_holding(kind: str, record: Meeting | Registration, area: Area, day: dt.date) -> AuditSample | None:
    year, quarter = quarter_of(day)
    sample = AuditSample.objects.filter(area=area, kind=kind, year=year, quarter=quarter).first()
    if sample is None:
        return None
    members = sample.meetings if kind == AuditKind.MEETING else sample.registrations
    return sample if members.filter(pk=record.pk).exists() else None


def _period_date(registration: Registration) -> dt.date:
    """A case audit counts in the quarter of the case's latest Level 2 or 3 meeting held (its sampling quarter)."""
    latest = (
        Meeting.objects.filter(agenda_items__registration=registration, meeting_type__in=["level_2", "level_3"])
        .filter(state__in=["held", "minutes_drafted", "minutes_approved"])
        .order_by("-starts_at")
        .first()
    )
    return latest.meeting_date if latest is not None else registration.started_on


@transaction.atomic
def quality_audit_start(
    *, actor: User, meeting: Meeting | None = None, registration: Registration | None = None
) -> QualityAudit:
    """Start ``actor``'s audit of a held Level 2 or 3 meeting, or of a case, prefilled from the records.
    Starting again returns the audit already started."""
    if (meeting is None) == (registration is None):
        raise WorkflowError("Choose a meeting or a case to audit")
    kind = AuditKind.MEETING if meeting is not None else AuditKind.CASE
    record: Meeting | Registration = meeting if meeting is not None else registration  # type: ignore[assignment]
    capacity = capacity_of(actor, kind)
    _in_area(actor, record.area_id)
    existing = QualityAudit.objects.filter(auditor=actor, meeting=meeting, registration=registration).first()
    if existing is not None:
        return existing
    if meeting is not None:
        if meeting.level is None or meeting.state not in ("held", "minutes_drafted", "minutes_approved"):
            raise WorkflowError({"meeting": "Only a Level 2 or 3 meeting that has been held can be audited"})
        prefill = meeting_prefill(meeting)
        period_date = meeting.meeting_date
    else:
        assert registration is not None
        sampled_from = case_candidates(registration.area, *quarter_of(_period_date(registration)))
        if not sampled_from.filter(pk=registration.pk).exists():
            raise WorkflowError({"case": "Only a case discussed at a Level 2 or 3 meeting can be audited"})
        prefill = case_prefill(registration)
        period_date = _period_date(registration)
    audit = QualityAudit.objects.create(
        area_id=record.area_id,
        kind=kind,
        meeting=meeting,
        registration=registration,
        sample=_sample_holding(kind, record, record.area, period_date),
        auditor=actor,
        capacity=capacity,
        period_date=period_date,
    )
    rows = []
    for position, q in enumerate(QUESTIONS[kind], 1):
        found = prefill.get(q.key, NOTHING_RECORDED)
        rows.append(
            AuditAnswer(
                audit=audit,
                item=q.key,
                position=position,
                evidence=found.evidence,
                suggested_score=found.score,
                suggested_band=found.band,
                score=found.score,  # the auditor confirms or changes it
                band=found.band,
            )
        )
    AuditAnswer.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=audit,
        details={"kind": kind, "capacity": capacity, "sampled": audit.sample_id is not None},
    )
    return audit


def _own_draft(actor: User, audit: QualityAudit) -> QualityAudit:
    if audit.auditor_id != actor.pk:
        raise NotPermitted("Only the auditor can change this audit")
    fresh = lock_for_change(audit, state_field="state", what="This audit")
    if fresh.state != AuditState.DRAFT:
        raise WorkflowError({"state": "This audit has been submitted and can no longer be changed"})
    return fresh


@transaction.atomic
def quality_audit_answer(
    *, actor: User, audit: QualityAudit, answers: Mapping[str, Mapping[str, Any]], comment: str = ""
) -> QualityAudit:
    """Save the auditor's scores (1-4), timeliness bands and notes; unanswered questions stay blank."""
    audit = _own_draft(actor, audit)
    rows = {row.item: row for row in audit.answers.all()}
    errors: dict[str, str] = {}
    for key, given in answers.items():
        if key not in rows:
            errors[key] = "This question is not on the form"
            continue
        score = given.get("score")
        if score in ("", None):
            score = None
        else:
            try:
                score = int(score)
            except (TypeError, ValueError):
                score = 0
            if score not in Score.values:
                errors[f"{key}-score"] = "Choose a score from 1 (poor) to 4 (excellent)"
        band = given.get("band") or ""
        if band and band not in TimelinessBand.values:
            errors[f"{key}-band"] = "Choose a timeliness band from the list"
        row = rows[key]
        row.score, row.band, row.note = score, band, str(given.get("note") or "").strip()
    if errors:
        raise WorkflowError(errors)
    AuditAnswer.objects.bulk_update(rows.values(), ["score", "band", "note"])
    audit.comment = comment.strip()
    audit.save(update_fields=["comment"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=audit,
        details={"scored": sum(1 for row in rows.values() if row.score is not None)},
    )
    return audit


@transaction.atomic
def quality_audit_submit(*, actor: User, audit: QualityAudit) -> QualityAudit:
    """Submit a draft with every question scored: from then on it counts in the SMB's results."""
    audit = _own_draft(actor, audit)
    missing = [row.item for row in audit.answers.all() if row.score is None]
    if missing:
        raise WorkflowError({f"{key}-score": "Score this question before submitting" for key in missing})
    return apply_transition(
        audit, "submit", actor=actor, what="This audit", action_label="submit it", update_fields=["submitted_at"]
    )
