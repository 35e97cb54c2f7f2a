"""Synthetic meetings for the demo area: past panels with attendance, minutes and actions, and
upcoming panels holding the cases now due. Every record is made through meetings.services (and so
referrals.services), so the demo obeys the same rules as real use. The same seed and day give the
same meetings.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TypedDict

from django.db import transaction
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area, Role, RoleAssignment, Seniority, User
from referrals.models import Referral, Registration, RegistrationStatus

from . import selectors, services
from .models import AttendanceStatus, CaseDecision, Meeting, MeetingState, MeetingType, PlanHeading, RiskActionState

PAST_WEEKS = 12
UPCOMING_WEEKS = 4
MAX_CASES_PER_MEETING = 10
ATTENDEE_NAMES = [
    "Jordan Ashby", "Priya Natarajan", "Morgan Hale", "Chris Okafor", "Sam Whitlock", "Ellis Brennan",
    "Harriet Cole", "Dev Mistry", "Rowan Pike", "Nadia Rahman", "Owen Tranter", "Lucy Farrow",
]  # fmt: skip


class _Venue(TypedDict):
    """Where every demo meeting is held: meeting_schedule's ``venue`` and ``video_link``."""

    venue: str
    video_link: str


ACTION_TEXT = {
    PlanHeading.SUPERVISION: ["Increase reporting to twice weekly", "Joint home visit by police and probation"],
    PlanHeading.MONITORING_AND_CONTROL: [
        "Apply for an exclusion zone licence condition",
        "Check curfew compliance data",
    ],
    PlanHeading.INTERVENTIONS_AND_TREATMENT: ["Refer to substance misuse service", "Arrange mental health assessment"],
    PlanHeading.VICTIM_SAFETY_PLANNING: [
        "Victim liaison officer to update the victim",
        "Review the victim's safety plan",
    ],
    PlanHeading.CONTINGENCY: ["Agree recall arrangements with the out-of-hours team"],
}


@dataclass
class DemoMeetings:
    meetings: int = 0
    cases_minuted: int = 0
    actions: int = 0


def _user(area: Area, username: str, first: str, last: str, agency_type: str, seniority: int, role: str) -> User:
    agency = Agency.objects.filter(area=area, agency_type=agency_type).order_by("pk").first()
    user, created = User.objects.get_or_create(
        username=f"{username}-{area.slug}",
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}.{area.slug}@example.invalid",
            "area": area,
            "agency": agency,
            "seniority": seniority,
            "job_title": "MAPPA chair" if role == Role.CHAIR else "MAPPA co-ordinator",
            "is_synthetic": True,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=role)
    return User.objects.get(pk=user.pk)  # fresh role cache


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _attendance(rng: random.Random, area: Area, meeting: Meeting) -> list[services.AttendanceEntry]:
    senior = meeting.meeting_type == MeetingType.LEVEL_3
    names = rng.sample(ATTENDEE_NAMES, len(ATTENDEE_NAMES))
    entries = []
    for invitation in meeting.invitations.select_related("agency").order_by("agency__name"):
        agency = invitation.agency
        roll = rng.random()
        if (agency.agency_type in (AgencyType.POLICE, AgencyType.PROBATION) and roll < 0.95) or roll < 0.7:
            seniority = Seniority.SENIOR_MANAGER if senior or rng.random() < 0.3 else Seniority.MANAGER
            entries.append(
                services.AttendanceEntry(
                    status=AttendanceStatus.PRESENT,
                    agency=agency,
                    name=names.pop(),
                    role=f"{agency} representative",
                    seniority=seniority,
                    confidentiality_acknowledged=True,
                )
            )
        else:
            status = AttendanceStatus.APOLOGIES_WITH_REPORT if roll < 0.9 else AttendanceStatus.APOLOGIES
            entries.append(services.AttendanceEntry(status=status, agency=agency))
    if rng.random() < 0.2:
        entries.append(
            services.AttendanceEntry(
                status=AttendanceStatus.OBSERVER, name="Lay adviser (synthetic)", role="Lay adviser",
                confidentiality_acknowledged=True,
            )
        )  # fmt: skip
    return entries


def _minute_panel_case(rng: random.Random, actor: User, meeting: Meeting, item, today: dt.date) -> int:  # type: ignore[no-untyped-def]
    registration = Registration.objects.get(pk=item.registration_id)
    period = registration.periods.filter(end_date__isnull=True).first()
    decision = CaseDecision.SAME_LEVEL
    can_move = period is not None and period.start_date < meeting.meeting_date
    if can_move and registration.level == 3 and rng.random() < 0.25:
        decision = CaseDecision.LEVEL_DOWN
    minutes = services.MinutesInput(
        risk_summary=rng.choice(
            [
                "High risk to known adults; risk increases with alcohol use and loss of accommodation.",
                "Very high risk to children; grooming behaviour online reported by the school.",
                "High risk to a former partner; repeated breaches of a restraining order.",
            ]
        ),
        decision=decision,
        rationale="Risk reviewed with all agencies present; the plan below manages it at this level."
        if decision == CaseDecision.SAME_LEVEL
        else "Protective factors now in place; Level 2 management can deliver the plan.",
        differing_views="Housing considered the address unsuitable; the panel agreed a review in four weeks."
        if rng.random() < 0.15
        else "",
        plan=services.RiskManagementPlan(
            supervision="Fortnightly probation appointments; police home visits.",
            monitoring_and_control="Licence conditions reviewed; curfew with electronic monitoring.",
            interventions_and_treatment="Accredited programme place requested.",
            victim_safety_planning="Victim liaison officer keeps the victim informed.",
            contingency="Any breach: probation to consider recall the same day.",
        ),
    )
    record = services.case_minutes_record(actor=actor, item=item, minutes=minutes)
    agencies = list(meeting.invitations.select_related("agency").order_by("agency__name"))
    created = 0
    for heading in rng.sample(list(ACTION_TEXT), rng.randint(1, 3)):
        agency = rng.choice(agencies).agency
        action = services.risk_action_create(
            actor=actor,
            case_minutes=record,
            heading=heading,
            description=rng.choice(ACTION_TEXT[heading]),
            owning_agency=agency,
            officer_name=rng.choice(ATTENDEE_NAMES),
            due_date=meeting.meeting_date + dt.timedelta(days=rng.choice([7, 14, 28])),
        )
        created += 1
        roll = rng.random()
        if roll < 0.2:
            continue
        action = services.risk_action_start(actor=actor, action=action, note="Work started")
        if roll < 0.75 and action.due_date <= today:
            services.risk_action_complete(
                actor=actor, action=action, note="Done and confirmed to the co-ordinator", completed_on=action.due_date
            )
        elif roll > 0.95:
            services.risk_action_close(
                actor=actor,
                action=action,
                outcome=RiskActionState.CLOSED_NOT_POSSIBLE,
                reason="Circumstances changed: the person moved to approved premises",
            )
    return created


def _hold_meeting(
    rng: random.Random, actor: User, meeting: Meeting, today: dt.date, summary: DemoMeetings, *, approve: bool
) -> None:
    meeting = services.meeting_record_held(actor=actor, meeting=meeting)
    services.meeting_record_attendance(actor=actor, meeting=meeting, entries=_attendance(rng, meeting.area, meeting))
    for item in meeting.agenda_items.order_by("position"):
        if item.referral_id:
            services.case_minutes_record(
                actor=actor,
                item=item,
                minutes=services.MinutesInput(
                    risk_summary="Risk of serious harm assessed as high on the referral.",
                    decision=rng.choice([CaseDecision.ACCEPT_LEVEL_2, CaseDecision.MANAGE_LEVEL_1]),
                    rationale="Decided at the threshold meeting on the information in the referral.",
                ),
            )
        else:
            summary.actions += _minute_panel_case(rng, actor, meeting, item, today)
        summary.cases_minuted += 1
    if approve:
        meeting = services.meeting_draft_minutes(actor=actor, meeting=meeting)
        services.meeting_approve_minutes(actor=actor, meeting=meeting, confirm_attendance_gaps=True)


def generate_demo_meetings(*, area: Area, seed: int, today: dt.date) -> DemoMeetings:
    """Past and upcoming threshold, Level 2 and Level 3 meetings for ``area``'s Level 2/3 cases."""
    rng = random.Random(seed)
    summary = DemoMeetings()
    coordinator = _user(
        area, "meetings-coordinator", "Casey", "Demo", AgencyType.PROBATION, Seniority.MANAGER, Role.COORDINATOR
    )
    chair_2 = _user(
        area, "meetings-chair-l2", "Robin", "Demo", AgencyType.PROBATION, Seniority.SENIOR_MANAGER, Role.CHAIR
    )
    chair_3 = _user(
        area, "meetings-chair-l3", "Taylor", "Demo", AgencyType.POLICE, Seniority.SUPERINTENDENT, Role.CHAIR
    )
    chairs = {MeetingType.LEVEL_2: chair_2, MeetingType.LEVEL_3: chair_3, MeetingType.THRESHOLD: chair_2}
    cases = list(
        Registration.objects.filter(area=area, status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3])
        .select_related("individual")
        .order_by("started_on", "individual__family_name", "individual__given_names", "individual__date_of_birth")
    )
    venue: _Venue = {
        "venue": "Wootton Hall, Northampton (synthetic)",
        "video_link": "https://video.example.invalid/mappa",
    }

    with transaction.atomic():
        # Past panels: Level 2 on Tuesdays, Level 3 on Thursdays, fortnightly, each case minuted once.
        start = _weekday_on_or_before(today - dt.timedelta(days=7), 1) - dt.timedelta(weeks=PAST_WEEKS - 1)
        for week in range(0, PAST_WEEKS, 2):
            for meeting_type, offset, hour in ((MeetingType.LEVEL_2, 0, 10), (MeetingType.LEVEL_3, 2, 14)):
                day = start + dt.timedelta(weeks=week, days=offset)
                if day >= today:
                    continue
                level = MeetingType(meeting_type).level
                fitting = [r for r in cases if r.level == level and r.started_on < day][:MAX_CASES_PER_MEETING]
                if not fitting:
                    continue
                for registration in fitting:
                    cases.remove(registration)
                meeting = services.meeting_schedule(
                    actor=coordinator, area=area, meeting_type=meeting_type, starts_at=_at(day, hour),
                    chair=chairs[meeting_type], registrations=fitting, allow_past=True, **venue,
                )  # fmt: skip
                summary.meetings += 1
                # The most recent meetings still await their minutes, as a co-ordinator's week looks.
                _hold_meeting(rng, coordinator, meeting, today, summary, approve=(today - day).days > 14)

        # A past threshold meeting screens referrals that were waiting before it.
        threshold_day = _weekday_on_or_before(today - dt.timedelta(days=3), 0)
        waiting = [
            r
            for r in Referral.objects.for_area(area).awaiting_screening().select_related("individual").order_by("submitted_at", "reference")
            if r.submitted_at and timezone.localtime(r.submitted_at).date() <= threshold_day
            and r.category in (1, 2) and not r.individual.registrations.active().exists()
        ][:4]  # fmt: skip
        if waiting and threshold_day < today:
            meeting = services.meeting_schedule(
                actor=coordinator, area=area, meeting_type=MeetingType.THRESHOLD, starts_at=_at(threshold_day, 9),
                duration_minutes=60, chair=chair_2, referrals=waiting, allow_past=True, **venue,
            )  # fmt: skip
            summary.meetings += 1
            _hold_meeting(rng, coordinator, meeting, today, summary, approve=False)

        # Upcoming: a threshold meeting for what still waits, and panels holding the cases now due.
        # (Both strictly after today: on a Monday afternoon this morning's 9:00 has passed.)
        first = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
        next_monday = today + dt.timedelta(days=(0 - today.weekday()) % 7 or 7)
        services.meeting_schedule(
            actor=coordinator, area=area, meeting_type=MeetingType.THRESHOLD, starts_at=_at(next_monday, 9),
            duration_minutes=60, chair=chair_2, **venue,
        )  # fmt: skip
        summary.meetings += 1
        due = selectors.cases_due(area=area, today=today, until=today + dt.timedelta(weeks=UPCOMING_WEEKS))
        for week in range(0, UPCOMING_WEEKS, 2):
            for meeting_type, offset, hour in ((MeetingType.LEVEL_2, 0, 10), (MeetingType.LEVEL_3, 2, 14)):
                level = MeetingType(meeting_type).level
                these = [c.registration for c in due if c.level == level and c.booked_on is None][
                    :MAX_CASES_PER_MEETING
                ]
                due = [c for c in due if c.registration not in these]
                services.meeting_schedule(
                    actor=coordinator, area=area, meeting_type=meeting_type,
                    starts_at=_at(first + dt.timedelta(weeks=week, days=offset), hour),
                    chair=chairs[meeting_type], registrations=these, **venue,
                )  # fmt: skip
                summary.meetings += 1
    return summary


def demo_summary(area: Area) -> dict[str, int]:
    meetings = Meeting.objects.for_area(area)
    return {
        "scheduled": meetings.filter(state=MeetingState.SCHEDULED).count(),
        "approved": meetings.filter(state=MeetingState.MINUTES_APPROVED).count(),
        "awaiting_minutes": meetings.filter(state__in=[MeetingState.HELD, MeetingState.MINUTES_DRAFTED]).count(),
    }
