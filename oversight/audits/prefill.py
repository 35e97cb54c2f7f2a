"""What the records already show for each audit question: evidence in counts, and a suggested answer.

The auditor sees the suggestion and decides: a suggestion is stored beside the score, never instead of it.
Evidence is counts and dates about the meeting's arrangements, never a person's name, reference, risk or
plan, because the auditor may be an SMB member or a lay adviser (docs/audits.md, "What an auditor sees").

Suggested scores from a share of cases: all of them 4, three quarters or more 3, half or more 2, fewer 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from mappa_workflow.working_days import working_days_between
from meetings.models import (
    ATTENDING,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    CaseMinutes,
    Invitation,
    Meeting,
    MeetingState,
)
from referrals.models import Referral, Registration, RegistrationPeriod

from .questions import Score, TimelinessBand

HELD_STATES = [MeetingState.HELD, MeetingState.MINUTES_DRAFTED, MeetingState.MINUTES_APPROVED]


@dataclass(frozen=True)
class Prefill:
    evidence: str = ""
    score: int | None = None
    band: str = ""


NOT_RECORDED = Prefill("The records do not show this: the auditor judges it.")


def score_for_share(done: int, of: int) -> int | None:
    if of == 0:
        return None
    share = done / of
    if share >= 1:
        return Score.EXCELLENT
    if share >= 0.75:
        return Score.GOOD
    if share >= 0.5:
        return Score.ADEQUATE
    return Score.POOR


def score_for_notice(working_days: int) -> int:
    """Joining instructions: five working days' notice or more is excellent, none is poor."""
    if working_days >= 5:
        return Score.EXCELLENT
    if working_days >= 3:
        return Score.GOOD
    if working_days >= 1:
        return Score.ADEQUATE
    return Score.POOR


def band_for_lateness(days_late: int) -> str:
    """A first meeting held ``days_late`` calendar days after its due date, in the case audit's bands."""
    if days_late <= 0:
        return TimelinessBand.ON_TIME
    if days_late <= 7:
        return TimelinessBand.A_FEW_DAYS
    if days_late <= 30:
        return TimelinessBand.OVER_A_WEEK
    if days_late < 90:
        return TimelinessBand.OVER_A_MONTH
    return TimelinessBand.THREE_MONTHS


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def meeting_prefill(meeting: Meeting) -> dict[str, Prefill]:
    """The MAPPA L questions the meeting's own records answer (four queries)."""
    meeting_day = meeting.meeting_date
    invited = Invitation.objects.filter(meeting=meeting).count()
    earlier_minutes = CaseMinutes.objects.filter(
        agenda_item__registration=OuterRef("registration"),
        agenda_item__meeting__starts_at__lt=meeting.starts_at,
        agenda_item__meeting__state__in=HELD_STATES,
    )
    earlier_referral = Referral.objects.filter(
        registration=OuterRef("registration"), submitted_at__lt=meeting.starts_at
    )
    cases = AgendaItem.objects.filter(meeting=meeting).aggregate(
        total=Count("pk"),
        with_papers=Count("pk", filter=Q(Exists(earlier_minutes)) | Q(Exists(earlier_referral))),
        minuted=Count("minutes"),
        risk_summarised=Count("minutes", filter=~Q(minutes__risk_summary="")),
        victim_planning=Count("minutes", filter=~Q(minutes__rmp_victim_safety_planning="")),
        dissent=Count("minutes", filter=~Q(minutes__differing_views="")),
    )
    people = Attendance.objects.filter(meeting=meeting, status__in=ATTENDING).aggregate(
        total=Count("pk"),
        acknowledged=Count("pk", filter=Q(confidentiality_acknowledged_at__isnull=False)),
        with_role=Count("pk", filter=~Q(role="")),
        reports=Count("pk", filter=Q(status=AttendanceStatus.APOLOGIES_WITH_REPORT)),
    )
    total, minuted = cases["total"], cases["minuted"]
    notice = working_days_between(timezone.localtime(meeting.created_at).date(), meeting_day)
    found: dict[str, Prefill] = {
        "joining_instructions": (
            Prefill(
                f"Invitations with the joining instructions went to {_plural(invited, 'agency')} "
                f"{_plural(notice, 'working day')} before the meeting.",
                score_for_notice(notice),
            )
            if invited
            else Prefill("No invitations are recorded for this meeting.", Score.POOR)
        ),
        "papers_circulated": Prefill(
            f"{cases['with_papers']} of {_plural(total, 'case')} on the agenda had a referral or earlier minutes "
            "on record before the meeting.",
            score_for_share(cases["with_papers"], total),
        ),
        "venue": Prefill(
            "Held at a venue and by video link."
            if meeting.venue and meeting.video_link
            else ("Held by video link." if meeting.video_link else "Held at a venue.")
        ),
        "introductions": Prefill(
            f"{_plural(people['total'], 'attendee')} recorded, {people['with_role']} of them with their role."
        ),
        "confidentiality_statement": Prefill(
            f"The confidentiality statement (MAPPA D) was acknowledged by {people['acknowledged']} of "
            f"{_plural(people['total'], 'attendee')}.",
            score_for_share(people["acknowledged"], people["total"]),
        ),
        "dissent_noted": Prefill(
            f"Differing views are recorded for {cases['dissent']} of {_plural(minuted, 'case')} minuted. "
            "None recorded is not a failing if there were none."
        ),
        "victim_issues": Prefill(
            f"Victim safety planning is recorded for {cases['victim_planning']} of {_plural(minuted, 'case')} minuted.",
            score_for_share(cases["victim_planning"], minuted),
        ),
        "risk_summary": Prefill(
            f"The risk of serious harm is summarised for {cases['risk_summarised']} of "
            f"{_plural(minuted, 'case')} minuted.",
            score_for_share(cases["risk_summarised"], minuted),
        ),
    }
    return found


def case_prefill(registration: Registration) -> dict[str, Prefill]:
    """The case audit questions the case's records answer: timeliness, attendance, category and level."""
    referral = (
        Referral.objects.filter(registration=registration, decided_on__isnull=False).order_by("decided_on").first()
    )
    held = (
        Meeting.objects.filter(
            state__in=HELD_STATES, agenda_items__registration=registration, meeting_type__in=["level_2", "level_3"]
        )
        .order_by("starts_at")
        .distinct()
    )
    first = held.first()
    found: dict[str, Prefill] = {}
    if referral is not None and referral.submitted_at is not None and referral.decided_on is not None:
        received = timezone.localtime(referral.submitted_at).date()
        found["referral"] = Prefill(
            f"Referral received {received:%-d %B %Y}; decision {referral.decided_on:%-d %B %Y}, "
            f"{_plural(working_days_between(received, referral.decided_on), 'working day')} later. "
            "Whether it should have been made earlier is for the auditor."
        )
    due: dt.date | None = referral.first_meeting_due if referral is not None else None
    if first is not None and due is not None:
        late = (first.meeting_date - due).days
        found["first_meeting"] = Prefill(
            f"First meeting due by {due:%-d %B %Y}; held {first.meeting_date:%-d %B %Y}"
            + (f", {_plural(late, 'day')} late." if late > 0 else ", on time."),
            Score.EXCELLENT if late <= 0 else None,
            band_for_lateness(late),
        )
    elif due is not None:
        found["first_meeting"] = Prefill(f"First meeting due by {due:%-d %B %Y}; none held yet.")
    lines = Attendance.objects.filter(meeting__in=held.values("pk"), agency__isnull=False).aggregate(
        total=Count("pk"),
        present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        away=Count("pk", filter=Q(status__in=[AttendanceStatus.APOLOGIES_WITH_REPORT, AttendanceStatus.APOLOGIES])),
        reported=Count("pk", filter=Q(status=AttendanceStatus.APOLOGIES_WITH_REPORT)),
    )
    found["agencies_attended"] = Prefill(
        f"At this case's {_plural(held.count(), 'meeting')}: {lines['present']} of "
        f"{_plural(lines['total'], 'agency place')} attended.",
        score_for_share(lines["present"], lines["total"]),
    )
    found["absent_agencies_reported"] = Prefill(
        f"{lines['reported']} of {lines['away']} agencies sending apologies sent a written report.",
        score_for_share(lines["reported"], lines["away"]),
    )
    periods = RegistrationPeriod.objects.filter(registration=registration)
    recorded = periods.filter(category__isnull=False, level__isnull=False).count()
    found["category_and_level"] = Prefill(
        f"Category and level recorded for {recorded} of {_plural(periods.count(), 'period')} of management.",
        score_for_share(recorded, periods.count()),
    )
    return found
