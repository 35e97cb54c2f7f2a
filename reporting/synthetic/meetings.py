"""Level 2 and 3 panels for a generated area, written in bulk: the meetings of five years of history.

``meetings.demo`` makes a demo area's few weeks of meetings through ``meetings.services``; that takes
seconds per meeting, too slow for the thousands of panels of 42 areas. This module reads the area's
Level 2/3 periods (already written by the generator) and writes, with ``bulk_create``, what the
services would have left behind for them:

* a Level 2 panel every other Tuesday and a Level 3 panel every other Thursday, from the start of the
  history to four weeks ahead of ``today``, each holding the cases due then: a first meeting soon after
  a case reaches Level 2 or 3 (the area's working days, as calendar days), then a review at the area's
  interval (16 weeks at Level 2, 8 at Level 3 by default) while the case stays there;
* panels more than two weeks old are held with their minutes approved; the last two weeks' are held with
  minutes recorded but not yet approved; those ahead are scheduled, with the case's unfinished actions
  carried to them for review;
* each held panel has its core panel invited, attendance (present with MAPPA D acknowledged, or
  apologies), minutes for every case (MAPPA C: risk summary, decision, risk management plan) and one
  to three actions per case, mostly done by now, the recent ones open or in progress, a few overdue;
* each case still at Level 2/3 gets the next review (or first meeting) date the services would set.

Every row keeps the models' constraints (agenda item is a registration, named and acknowledged
attendees, closed actions with a reason, completed actions with a date, approved minutes with a date).
The same seed and day give the same meetings.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.db import transaction
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area, AreaSettings, Role, Seniority, User
from mappa_workflow.working_days import add_working_days
from meetings.demo import ACTION_TEXT, ATTENDEE_NAMES
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    CaseDecision,
    CaseMinutes,
    Invitation,
    Meeting,
    MeetingState,
    MeetingType,
    PanelCondition,
    PanelMembership,
    RiskAction,
    RiskActionState,
    RiskActionUpdate,
)
from referrals.models import Registration, RegistrationPeriod, RegistrationStatus

from .generator import synthetic_user

PANEL_EVERY = dt.timedelta(weeks=2)
AHEAD = dt.timedelta(weeks=4)
AWAITING_MINUTES = dt.timedelta(weeks=2)
BATCH = 5000
NAMES = ATTENDEE_NAMES
ACTIONS = ACTION_TEXT
RISK_SUMMARIES = [
    "High risk to known adults; risk increases with alcohol use and loss of accommodation (synthetic).",
    "Very high risk to children; grooming behaviour online reported by the school (synthetic).",
    "High risk to a former partner; repeated breaches of a restraining order (synthetic).",
]


@dataclass
class MeetingCounts:
    meetings: int = 0
    agenda_items: int = 0
    attendance: int = 0
    actions: int = 0

    def __iadd__(self, other: MeetingCounts) -> MeetingCounts:
        for name in ("meetings", "agenda_items", "attendance", "actions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self


@dataclass
class _Spell:
    """A run of contiguous Level 2/3 periods of one registration: [start, end), levels by date."""

    registration_id: uuid.UUID
    start: dt.date
    end: dt.date
    levels: list[tuple[dt.date, dt.date, int]]

    def level_on(self, day: dt.date) -> int | None:
        for start, end, level in self.levels:
            if start <= day < end:
                return level
        return None


def _staff(area: Area) -> dict[str, User]:
    """The synthetic co-ordinator and the Level 2 and Level 3 chairs of an area."""
    people = {
        "coordinator": (Role.COORDINATOR, AgencyType.PROBATION, Seniority.MANAGER, "Co-ordinator"),
        "chair_2": (Role.CHAIR, AgencyType.PROBATION, Seniority.SENIOR_MANAGER, "Chair Level 2"),
        "chair_3": (Role.CHAIR, AgencyType.POLICE, Seniority.SUPERINTENDENT, "Chair Level 3"),
    }
    return {
        key: synthetic_user(
            area,
            f"synthetic-panel-{key}-{area.slug}",
            role=role,
            agency_type=agency_type,
            last_name=last_name,
            seniority=seniority,
        )
        for key, (role, agency_type, seniority, last_name) in people.items()
    }


def _core_panel(area: Area, meeting_type: str, agencies: list[Agency]) -> list[Agency]:
    """The area's core panel for a meeting type, or (no panel rows) every agency of the area."""
    rows = PanelMembership.objects.filter(area=area, meeting_type=meeting_type, condition=PanelCondition.ALWAYS)
    chosen = [m.agency for m in rows.select_related("agency").order_by("agency__name")]
    return chosen or agencies


def _spells(area: Area, today: dt.date) -> list[_Spell]:
    """Level 2/3 spells of the area's registrations, in a stable order (one query)."""
    rows = (
        RegistrationPeriod.objects.filter(area=area, level__in=(2, 3))
        .order_by("registration_id", "start_date")
        .values_list("registration_id", "start_date", "end_date", "level")
    )
    spells: list[_Spell] = []
    for registration_id, start, end, level in rows.iterator(chunk_size=5000):
        end = end or today + AHEAD + dt.timedelta(days=1)
        last = spells[-1] if spells else None
        if last is not None and last.registration_id == registration_id and last.end == start:
            last.end = end
            last.levels.append((start, end, level))
        else:
            spells.append(_Spell(registration_id, start, end, [(start, end, level)]))
    return spells


def _panel_day(first_panel: dt.date, due: dt.date) -> dt.date:
    """The first panel (every other week from ``first_panel``) on or after ``due``."""
    if due <= first_panel:
        return first_panel
    weeks = -(-(due - first_panel).days // PANEL_EVERY.days)
    return first_panel + weeks * PANEL_EVERY


def generate_meetings(
    *,
    area: Area,
    seed: int,
    today: dt.date,
    history_start: dt.date,
    progress: Callable[[int], None] | None = None,
) -> MeetingCounts:
    """Write the area's Level 2/3 panels from ``history_start`` to four weeks after ``today``."""
    if Meeting.objects.filter(area=area).exists():
        return MeetingCounts()
    rng = random.Random(f"{seed}:{area.slug}:meetings")
    settings = AreaSettings.for_area(area)
    staff = _staff(area)
    agencies = list(Agency.objects.filter(area=area).order_by("name"))
    panels = {level: _core_panel(area, MeetingType.for_level(level), agencies) for level in (2, 3)}
    first_meeting_working_days = {
        2: settings.first_meeting_working_days_level_2,
        3: settings.first_meeting_working_days_level_3,
    }
    review = {
        2: dt.timedelta(weeks=settings.review_weeks_level_2),
        3: dt.timedelta(weeks=settings.review_weeks_level_3),
    }
    # Level 2 on Tuesdays, Level 3 on Thursdays, from the first such day of the history
    first_panel = {
        2: history_start + dt.timedelta(days=(1 - history_start.weekday()) % 7),
        3: history_start + dt.timedelta(days=(3 - history_start.weekday()) % 7),
    }
    horizon = today + AHEAD

    # Which case goes to which panel: (level, day) -> [(registration, kind, next due)]
    agendas: dict[tuple[int, dt.date], list[tuple[uuid.UUID, str, dt.date]]] = {}
    kind: str
    next_due: dict[uuid.UUID, tuple[str, dt.date]] = {}
    for spell in _spells(area, today):
        level = spell.levels[0][2]
        due = add_working_days(spell.start, first_meeting_working_days[level])  # as the referral workflow sets it
        kind = AgendaItemKind.FIRST_MEETING
        while due < history_start:  # met before the history began: the next review within it
            kind, due = AgendaItemKind.REVIEW, due + review[spell.level_on(due) or level]
        while due < spell.end and due <= horizon:
            level = spell.level_on(due) or level
            day = _panel_day(first_panel[level], due)
            if day >= spell.end or day > horizon:
                next_due[spell.registration_id] = (kind, due)
                break
            following = day + review[level]
            agendas.setdefault((level, day), []).append((spell.registration_id, kind, following))
            next_due[spell.registration_id] = (AgendaItemKind.REVIEW, following)
            kind, due = AgendaItemKind.REVIEW, following

    counts = MeetingCounts()
    with transaction.atomic():
        rows = _Rows()
        carried: dict[uuid.UUID, list[RiskAction]] = {}  # a case's actions from its last meeting
        for (level, day), cases in sorted(agendas.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            meeting = _meeting(rng, area, level, day, today, staff)
            rows.meetings.append(meeting)
            held = meeting.state != MeetingState.SCHEDULED
            panel = panels[level]
            for agency in panel:
                rows.invitations.append(Invitation(meeting=meeting, agency=agency, reason="Core panel"))
            if held:
                rows.attendance += _attendance(rng, meeting, panel, level)
            for position, (registration_id, kind, following) in enumerate(cases, start=1):
                item = AgendaItem(
                    meeting=meeting,
                    position=position,
                    kind=kind,
                    registration_id=registration_id,
                    added_at=meeting.starts_at - dt.timedelta(days=7),
                )
                rows.items.append((item, carried.get(registration_id, [])))
                if held:
                    minutes, actions, updates = _minutes(rng, item, meeting, panel, staff, following, today)
                    rows.minutes.append(minutes)
                    rows.actions += actions
                    rows.updates += updates
                    carried[registration_id] = [a for a in actions if a.state != RiskActionState.COMPLETED]
            if rows.pending() >= BATCH:
                counts += rows.flush(progress)
        counts += rows.flush(progress)
        _set_next_due(area, next_due)
    return counts


def _meeting(rng: random.Random, area: Area, level: int, day: dt.date, today: dt.date, staff: dict) -> Meeting:
    starts_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10 if level == 2 else 14)))
    meeting_id = uuid.UUID(int=rng.getrandbits(128), version=4)
    domain = getattr(django_settings, "MEETINGS_ICS_DOMAIN", "mappa-workflow.invalid")
    values: dict = {}
    if day < today:
        values = {"state": MeetingState.HELD, "held_at": starts_at + dt.timedelta(hours=2)}
        if day < today - AWAITING_MINUTES:
            values.update(
                state=MeetingState.MINUTES_APPROVED,
                minutes_approved_at=starts_at + dt.timedelta(days=rng.randint(3, 12)),
                minutes_approved_by=staff[f"chair_{level}"],
            )
    return Meeting(
        id=meeting_id,
        area=area,
        meeting_type=MeetingType.for_level(level),
        starts_at=starts_at,
        duration_minutes=120,
        ends_at=starts_at + dt.timedelta(minutes=120),
        venue=f"{area.name} MAPPA office (synthetic)",
        video_link="https://video.example.invalid/mappa",
        chair=staff[f"chair_{level}"],
        ics_uid=f"meeting-{meeting_id}@{domain}",
        created_by=staff["coordinator"],
        created_at=starts_at - dt.timedelta(days=14),
        **values,
    )


def _attendance(rng: random.Random, meeting: Meeting, panel: list[Agency], level: int) -> list[Attendance]:
    names = rng.sample(NAMES, len(NAMES))
    rows = []
    for agency in panel:
        roll = rng.random()
        if (agency.agency_type in (AgencyType.POLICE, AgencyType.PROBATION) and roll < 0.95) or roll < 0.7:
            senior = level == 3 or rng.random() < 0.3
            rows.append(
                Attendance(
                    meeting=meeting,
                    agency=agency,
                    status=AttendanceStatus.PRESENT,
                    name=names.pop() if names else "Synthetic attendee",
                    role=f"{agency} representative",
                    seniority=Seniority.SENIOR_MANAGER if senior else Seniority.MANAGER,
                    confidentiality_acknowledged_at=meeting.starts_at,
                )
            )
        else:
            status = AttendanceStatus.APOLOGIES_WITH_REPORT if roll < 0.9 else AttendanceStatus.APOLOGIES
            rows.append(Attendance(meeting=meeting, agency=agency, status=status))
    if rng.random() < 0.2:
        rows.append(
            Attendance(
                meeting=meeting,
                status=AttendanceStatus.OBSERVER,
                name="Lay adviser (synthetic)",
                role="Lay adviser",
                confidentiality_acknowledged_at=meeting.starts_at,
            )
        )
    return rows


def _minutes(
    rng: random.Random,
    item: AgendaItem,
    meeting: Meeting,
    panel: list[Agency],
    staff: dict,
    following: dt.date,
    today: dt.date,
) -> tuple[CaseMinutes, list[RiskAction], list[RiskActionUpdate]]:
    day = meeting.meeting_date
    minutes = CaseMinutes(
        agenda_item=item,
        risk_summary=rng.choice(RISK_SUMMARIES),
        decision=CaseDecision.SAME_LEVEL,
        rationale="Risk reviewed with all agencies present; the plan below manages it at this level.",
        differing_views="Housing considered the address unsuitable; a review in four weeks was agreed."
        if rng.random() < 0.1
        else "",
        rmp_supervision="Fortnightly probation appointments; police home visits.",
        rmp_monitoring_and_control="Licence conditions reviewed; curfew with electronic monitoring.",
        rmp_interventions_and_treatment="Accredited programme place requested.",
        rmp_victim_safety_planning="Victim liaison officer keeps the victim informed.",
        contingency="Any breach: probation to consider recall the same day.",
        next_review_date=following,
        recorded_by=staff["coordinator"],
        recorded_at=meeting.starts_at + dt.timedelta(days=1),
    )
    actions, updates = [], []
    for heading in rng.sample(list(ACTIONS), rng.randint(1, 3)):
        due = day + dt.timedelta(days=rng.choice([7, 14, 28]))
        action = {
            "id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "area_id": meeting.area_id,
            "registration_id": item.registration_id,
            "case_minutes": minutes,
            "heading": heading,
            "description": rng.choice(ACTIONS[heading]),
            "owning_agency": rng.choice(panel),
            "officer_name": rng.choice(NAMES),
            "due_date": due,
            "created_at": meeting.starts_at + dt.timedelta(days=1),
        }
        roll = rng.random()
        age = (today - due).days
        extra: dict[str, Any]
        # long past: nearly all finished; due lately: most done, some overdue; not yet due: open
        done = 0.0 if age <= 0 else 0.6 if age <= 28 else 0.88 if age <= 180 else 0.93
        if roll < done:
            state, extra = RiskActionState.COMPLETED, {"completed_on": due - dt.timedelta(days=rng.randint(0, 6))}
        elif age > 0 and roll < done + 0.03:
            state, extra = RiskActionState.CLOSED_NOT_POSSIBLE, {"closed_reason": "Circumstances changed (synthetic)"}
        elif age > 180 and roll < done + 0.05:
            state, extra = RiskActionState.CLOSED_NOT_DONE, {"closed_reason": "Not done by the agency (synthetic)"}
        else:
            state, extra = (RiskActionState.IN_PROGRESS if rng.random() < 0.5 else RiskActionState.OPEN), {}
        risk_action = RiskAction(state=state, **action, **extra)
        actions.append(risk_action)
        if state != RiskActionState.OPEN:
            when = min(meeting.starts_at + dt.timedelta(days=3), timezone.now())
            updates.append(
                RiskActionUpdate(
                    action=risk_action,
                    written_at=when,
                    text="Work started (synthetic)",
                    state_after=RiskActionState.IN_PROGRESS,
                )
            )
            if state != RiskActionState.IN_PROGRESS:
                updates.append(
                    RiskActionUpdate(
                        action=risk_action,
                        written_at=when + dt.timedelta(hours=1),
                        text=str(extra.get("closed_reason", "Done and confirmed to the co-ordinator (synthetic)")),
                        state_after=state,
                    )
                )
    return minutes, actions, updates


class _Rows:
    """Rows waiting for ``bulk_create``, written parents first."""

    def __init__(self) -> None:
        self.meetings: list[Meeting] = []
        self.invitations: list[Invitation] = []
        self.attendance: list[Attendance] = []
        self.items: list[tuple[AgendaItem, list[RiskAction]]] = []
        self.minutes: list[CaseMinutes] = []
        self.actions: list[RiskAction] = []
        self.updates: list[RiskActionUpdate] = []

    def pending(self) -> int:
        return len(self.meetings) + len(self.invitations) + len(self.attendance) + len(self.items) + len(self.actions)

    def flush(self, progress: Callable[[int], None] | None) -> MeetingCounts:
        written = MeetingCounts(len(self.meetings), len(self.items), len(self.attendance), len(self.actions))
        Meeting.objects.bulk_create(self.meetings, batch_size=BATCH)
        Invitation.objects.bulk_create(self.invitations, batch_size=BATCH)
        Attendance.objects.bulk_create(self.attendance, batch_size=BATCH)
        AgendaItem.objects.bulk_create([item for item, _ in self.items], batch_size=BATCH)
        for minutes in self.minutes:
            minutes.agenda_item_id = minutes.agenda_item.pk
        CaseMinutes.objects.bulk_create(self.minutes, batch_size=BATCH)
        for action in self.actions:
            action.case_minutes_id = action.case_minutes.pk
        RiskAction.objects.bulk_create(self.actions, batch_size=BATCH)
        for update in self.updates:
            update.action_id = update.action.pk
        RiskActionUpdate.objects.bulk_create(self.updates, batch_size=BATCH)
        through = AgendaItem.actions_to_review.through
        through.objects.bulk_create(
            [
                through(agendaitem_id=item.pk, riskaction_id=action.pk)
                for item, carried in self.items
                for action in carried
            ],
            batch_size=BATCH,
        )
        if progress:
            progress(len(self.meetings))
        self.__init__()  # type: ignore[misc]
        return written


def _set_next_due(area: Area, next_due: dict[uuid.UUID, tuple[str, dt.date]]) -> None:
    """What the services leave on a case still at Level 2/3: its next review, or its first meeting."""
    active = Registration.objects.filter(
        area=area, pk__in=list(next_due), status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3]
    ).only("pk")
    changed = []
    for registration in active:
        kind, due = next_due[registration.pk]
        if kind == AgendaItemKind.REVIEW:
            registration.next_review_due = due
        else:
            registration.first_meeting_due = due
        changed.append(registration)
    Registration.objects.bulk_update(changed, ["next_review_due", "first_meeting_due"], batch_size=BATCH)
