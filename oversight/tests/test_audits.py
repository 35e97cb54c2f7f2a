"""Meeting audits (MAPPA L) and case audits: the story of a quarter's sample, audited and summed for the SMB.

Each history is built through the services with the clock on each step's day (oversight/tests/scenario.py).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from meetings import services as meeting_services
from oversight.audits.models import AuditorCapacity, AuditSample, AuditState, QualityAudit
from oversight.audits.questions import CASE_QUESTIONS, MEETING_QUESTIONS, AuditKind, TimelinessBand
from oversight.audits.results import audit_results
from oversight.audits.sampling import draw, meeting_candidates
from oversight.services import audit_sample_draw, quality_audit_answer, quality_audit_start, quality_audit_submit
from tests import factories

from .scenario import LONDON, YEAR, accepted, minutes_recorded, on, panel_held

pytestmark = pytest.mark.django_db

Q2_START, Q2_END = dt.date(2025, 7, 1), dt.date(2025, 9, 30)


def panel_booked_ahead(day: dt.date, *, booked: dt.date, registrations=(), level: int = 2):
    """A panel scheduled on ``booked`` (its invitations go then) and held on ``day``, with its minutes."""
    area = factories.northamptonshire()
    with on(booked):
        coordinator = factories.coordinator(area)
        meeting = meeting_services.meeting_schedule(
            actor=coordinator,
            area=area,
            meeting_type=f"level_{level}",
            starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)), LONDON),
            chair=factories.chair(area),
            video_link="https://video.example.invalid/mappa-panel",
            registrations=list(registrations),
        )
    with on(day):
        meeting = meeting_services.meeting_record_held(actor=coordinator, meeting=meeting)
    return minutes_recorded(meeting)


def all_scored(score: int, kind: str = AuditKind.MEETING) -> dict:
    questions = MEETING_QUESTIONS if kind == AuditKind.MEETING else CASE_QUESTIONS
    return {q.key: {"score": score} for q in questions}


def test_a_lay_adviser_observing_finds_the_audit_prefilled_with_what_the_records_show():
    registration = accepted(dt.date(2025, 7, 1)).registration
    meeting = panel_booked_ahead(dt.date(2025, 7, 15), booked=dt.date(2025, 7, 7), registrations=[registration])
    lay = factories.lay_adviser()
    with on(dt.date(2025, 7, 15), hour=17):
        audit = quality_audit_start(actor=lay, meeting=meeting)
    answers = {a.item: a for a in audit.answers.all()}
    assert audit.capacity == AuditorCapacity.LAY_ADVISER and audit.state == AuditState.DRAFT
    assert [a.item for a in audit.answers.all()] == [q.key for q in MEETING_QUESTIONS]
    # Booked on Monday 7 July for Tuesday 15 July: six working days' notice.
    assert "6 working days before" in answers["joining_instructions"].evidence
    assert answers["joining_instructions"].suggested_score == 4
    # Police, probation and the lay adviser observing acknowledged MAPPA D; housing sent apologies.
    assert "acknowledged by 3 of 3 attendees" in answers["confidentiality_statement"].evidence
    assert answers["confidentiality_statement"].suggested_score == 4
    assert answers["risk_summary"].suggested_score == 4 and answers["victim_issues"].suggested_score == 4
    assert answers["papers_circulated"].suggested_score == 4  # the referral was on record
    # What no record shows is left for the auditor, not guessed.
    assert answers["started_on_time"].score is None and "auditor judges" in answers["started_on_time"].evidence
    assert answers["diversity_issues"].score is None
    # The prefill is a suggestion the auditor's score starts from.
    assert answers["risk_summary"].score == 4
    assert AuditEvent.objects.filter(object_id=str(audit.pk), action="create").exists()


def test_evidence_counts_a_meeting_booked_the_same_day_as_poor_notice_and_never_names_the_person():
    person = factories.unmistakable_individual(area=factories.northamptonshire())
    registration = accepted(dt.date(2025, 7, 1), individual=person).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[registration]))
    with on(dt.date(2025, 7, 16)):
        audit = quality_audit_start(actor=factories.smb_member(), meeting=meeting)
    evidence = " ".join(audit.answers.values_list("evidence", flat=True))
    assert person.family_name not in evidence and person.given_names not in evidence
    assert "alcohol" not in evidence  # nothing of the risk summary itself
    assert audit.answers.get(item="joining_instructions").suggested_score == 1
    assert audit.capacity == AuditorCapacity.SMB_MEMBER


def test_who_may_audit_what():
    registration = accepted(dt.date(2025, 7, 1)).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[registration]))
    with on(dt.date(2025, 7, 16)):
        with pytest.raises(NotPermitted):
            quality_audit_start(actor=factories.practitioner(AgencyType.POLICE), meeting=meeting)
        with pytest.raises(NotPermitted):  # a case audit reads a person's record
            quality_audit_start(actor=factories.lay_adviser(), registration=registration)
        with pytest.raises(NotPermitted):
            quality_audit_start(actor=factories.smb_member(), registration=registration)
        kent = factories.coordinator(area=factories.Area.objects.get(slug="kent"))
        with pytest.raises(NotPermitted):
            quality_audit_start(actor=kent, meeting=meeting)
        assert quality_audit_start(actor=factories.coordinator(), registration=registration).kind == AuditKind.CASE


def test_a_meeting_not_yet_held_cannot_be_audited():
    upcoming = factories.scheduled_meeting("level_2", registrations=[factories.registration_at_level(2)])
    with pytest.raises(WorkflowError) as refused:
        quality_audit_start(actor=factories.lay_adviser(), meeting=upcoming)
    assert "meeting" in refused.value.errors
    assert not QualityAudit.objects.exists()


def test_an_audit_is_submitted_only_when_every_question_is_scored_and_then_cannot_change():
    meeting = minutes_recorded(
        panel_held(dt.date(2025, 7, 15), registrations=[accepted(dt.date(2025, 7, 1)).registration])
    )
    lay = factories.lay_adviser()
    with on(dt.date(2025, 7, 16)):
        audit = quality_audit_start(actor=lay, meeting=meeting)
        with pytest.raises(WorkflowError) as refused:
            quality_audit_submit(actor=lay, audit=audit)
        assert "started_on_time-score" in refused.value.errors
        with pytest.raises(WorkflowError) as bad:
            quality_audit_answer(actor=lay, audit=audit, answers={"venue": {"score": "5"}})
        assert "venue-score" in bad.value.errors
        assert audit.answers.get(item="venue").score is None  # nothing half-written
        with pytest.raises(NotPermitted):
            quality_audit_answer(actor=factories.lay_adviser(), audit=audit, answers=all_scored(3))
        audit = quality_audit_answer(actor=lay, audit=audit, answers=all_scored(3), comment="Well chaired.")
        audit = quality_audit_submit(actor=lay, audit=audit)
        assert audit.state == AuditState.SUBMITTED and audit.submitted_at is not None
        with pytest.raises(WorkflowError):
            quality_audit_answer(actor=lay, audit=audit, answers=all_scored(1))
    assert AuditEvent.objects.filter(object_id=str(audit.pk), transition="submit").exists()


def test_the_smb_results_average_submitted_audits_by_question_and_quarter():
    q1_meeting = minutes_recorded(
        panel_held(dt.date(2025, 6, 30), registrations=[accepted(dt.date(2025, 6, 2)).registration])
    )
    q2_meeting = minutes_recorded(
        panel_held(dt.date(2025, 7, 1), registrations=[accepted(dt.date(2025, 6, 2)).registration])
    )
    with on(dt.date(2025, 7, 2)):
        for meeting, scores in ((q1_meeting, (4, 2)), (q2_meeting, (3,))):
            for score in scores:
                lay = factories.lay_adviser()
                audit = quality_audit_answer(
                    actor=lay, audit=quality_audit_start(actor=lay, meeting=meeting), answers=all_scored(score)
                )
                quality_audit_submit(actor=lay, audit=audit)
        quality_audit_start(actor=factories.smb_member(), meeting=q2_meeting)  # a draft: not counted
    results = audit_results(area=factories.northamptonshire(), kind=AuditKind.MEETING, year=YEAR)
    q1, q2, q3, q4, year = results.overall
    assert (q1.audits, q1.text) == (2, "3.0")  # a meeting on 30 June is Q1, on 1 July Q2
    assert (q2.audits, q2.text) == (1, "3.0")
    assert q3.text == "-" and q4.audits == 0
    assert (year.audits, year.text) == (3, "3.0")
    venue = next(row for row in results.rows if row.key == "venue")
    assert venue.cells[0].mean == 3.0 and venue.cells[1].mean == 3.0


def test_a_quarter_sample_is_drawn_from_its_held_panels_recorded_and_repeatable_from_its_seed():
    held = [
        minutes_recorded(panel_held(day, registrations=[accepted(dt.date(2025, 6, 2)).registration]))
        for day in (dt.date(2025, 7, 1), dt.date(2025, 8, 26), dt.date(2025, 9, 30), dt.date(2025, 9, 15))
    ]
    minutes_recorded(panel_held(dt.date(2025, 10, 1), registrations=[accepted(dt.date(2025, 6, 2)).registration]))
    area = factories.northamptonshire()
    coordinator = factories.coordinator(area)
    with on(dt.date(2025, 10, 2)):
        sample = audit_sample_draw(
            actor=coordinator, area=area, kind=AuditKind.MEETING, year=YEAR, quarter=2, size=2, seed=20251002
        )
        candidates = list(meeting_candidates(area, YEAR, 2))
        assert set(candidates) == set(held)  # 1 July to 30 September, London dates; 1 October is Q3
        assert set(sample.meetings.all()) == set(draw(candidates, size=2, seed=20251002))
        assert (sample.candidates, sample.size_asked, sample.seed) == (4, 2, 20251002)
        with pytest.raises(WorkflowError):  # drawn once a quarter
            audit_sample_draw(actor=coordinator, area=area, kind=AuditKind.MEETING, year=YEAR, quarter=2, size=2)
        with pytest.raises(NotPermitted):
            audit_sample_draw(actor=factories.smb_member(), area=area, kind="case", year=YEAR, quarter=2, size=2)
        big = audit_sample_draw(actor=coordinator, area=area, kind=AuditKind.CASE, year=YEAR, quarter=2, size=10)
        assert big.registrations.count() == 4  # no more than there are
        with pytest.raises(WorkflowError) as future:
            audit_sample_draw(actor=coordinator, area=area, kind=AuditKind.MEETING, year=YEAR, quarter=4, size=2)
        assert "quarter" in future.value.errors
        chosen = sample.meetings.first()
        lay = factories.lay_adviser()
        assert quality_audit_start(actor=lay, meeting=chosen).sample == sample
    assert AuditSample.objects.count() == 2
    assert AuditEvent.objects.filter(object_id=str(sample.pk), action="create").get().details["seed"] == 20251002


@pytest.mark.parametrize(
    ("held_days_after_due", "band", "score"),
    [(0, TimelinessBand.ON_TIME, 4), (1, TimelinessBand.A_FEW_DAYS, None), (8, TimelinessBand.OVER_A_WEEK, None)],
)
def test_the_case_audit_bands_the_first_meeting_against_its_due_date(held_days_after_due, band, score):
    # Accepted at Level 3 on Friday 22 August 2025: five working days skip the bank holiday on Monday 25th,
    # so the first meeting is due on Monday 1 September, not Friday 29 August.
    referral = accepted(dt.date(2025, 8, 22), level=3)
    assert referral.first_meeting_due == dt.date(2025, 9, 1)
    held_on = referral.first_meeting_due + dt.timedelta(days=held_days_after_due)
    minutes_recorded(panel_held(held_on, level=3, registrations=[referral.registration]))
    with on(held_on + dt.timedelta(days=1)):
        audit = quality_audit_start(actor=factories.coordinator(), registration=referral.registration)
    first = audit.answers.get(item="first_meeting")
    assert (first.suggested_band, first.suggested_score) == (band, score)
    reports = audit.answers.get(item="absent_agencies_reported")
    assert "1 of 1 agencies sending apologies sent a written report" in reports.evidence  # housing's report
    assert reports.suggested_score == 4
    assert audit.answers.get(item="agencies_attended").suggested_score == 2  # 2 of 3 agency places present
