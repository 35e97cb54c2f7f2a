"""What the governance page shows of an area's SMB: the reporting year's meetings against "at least three a
year", who is on the board today, lay adviser vacancies, and tenures ending in the next three months.

Three queries whatever the size of the board: the year's meetings, today's tenures (with their agencies), and
the area's seats.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from mappa_workflow.models import Area

from .dates import months_after
from .models import DEFAULT_LAY_ADVISER_SEATS, BoardMeeting, BoardMeetingStatus, BoardRole, BoardSeats, BoardTenure

MEETINGS_A_YEAR = 3  # MAPPA Guidance: the SMB meets at least three times a year
ENDING_SOON_MONTHS = 3


class MeetingsStatus:
    MET = "met"  # three or more held
    ON_COURSE = "on_course"  # fewer so far, and the year still has time
    SHORT = "short"  # the year ended, or can no longer reach three


@dataclass(frozen=True)
class BoardGovernance:
    area: Area
    year: int  # the reporting year: 2025 is 1 April 2025 to 31 March 2026
    today: dt.date
    year_starts: dt.date
    year_ends: dt.date
    meetings: list[BoardMeeting]
    held: int
    status: str
    members: list[BoardTenure]  # in tenure today: chair, members, then lay advisers
    lay_adviser_seats: int
    ending_soon: list[BoardTenure]  # in tenure today, ending within the next three months

    @property
    def year_ended(self) -> bool:
        return self.today > self.year_ends

    @property
    def still_needed(self) -> int:
        return max(0, MEETINGS_A_YEAR - self.held)

    @property
    def lay_advisers(self) -> int:
        return sum(1 for tenure in self.members if tenure.role == BoardRole.LAY_ADVISER)

    @property
    def chair(self) -> BoardTenure | None:
        """The chair in tenure today, if any: the one who records the SMB's decision on a serious case review."""
        return next((tenure for tenure in self.members if tenure.role == BoardRole.CHAIR), None)

    @property
    def vacancies(self) -> int:
        return max(0, self.lay_adviser_seats - self.lay_advisers)

    @property
    def warning(self) -> str:
        """What the SMB must be told when it is short of three meetings; empty otherwise."""
        if self.status != MeetingsStatus.SHORT:
            return ""
        times = f"{self.held} time{'s' if self.held != 1 else ''}" if self.held else "no times"
        if self.year_ended:
            return (
                f"The board met {times} in this reporting year: the Guidance asks for at least {MEETINGS_A_YEAR} a year"
            )
        return (
            f"The board has met {times} this reporting year and can no longer meet {MEETINGS_A_YEAR} times "
            f"by {self.year_ends:%-d %B %Y}"
        )


def _role_order(tenure: BoardTenure) -> tuple[int, str]:
    return list(BoardRole.values).index(tenure.role), tenure.name.casefold()


def board_governance(*, area: Area, year: int, today: dt.date | None = None) -> BoardGovernance:
    today = today or timezone.localdate()
    starts, ends = dt.date(year, 4, 1), dt.date(year + 1, 3, 31)
    meetings = list(BoardMeeting.objects.filter(area=area, meeting_date__range=(starts, ends)))
    held = sum(1 for meeting in meetings if meeting.status == BoardMeetingStatus.HELD)
    if held >= MEETINGS_A_YEAR:
        status = MeetingsStatus.MET
    elif today > ends:
        status = MeetingsStatus.SHORT
    else:
        # One meeting a day at most: the days left (today included) not already taken by a record.
        taken = sum(1 for meeting in meetings if meeting.meeting_date >= today)
        days_left = (ends - max(today, starts)).days + 1 - taken
        status = MeetingsStatus.ON_COURSE if days_left >= MEETINGS_A_YEAR - held else MeetingsStatus.SHORT
    members = sorted(
        BoardTenure.objects.filter(area=area).in_tenure_on(today).select_related("agency", "user"), key=_role_order
    )
    soon = months_after(today, ENDING_SOON_MONTHS)
    seats = BoardSeats.objects.filter(area=area).values_list("lay_advisers", flat=True).first()
    return BoardGovernance(
        area=area,
        year=year,
        today=today,
        year_starts=starts,
        year_ends=ends,
        meetings=meetings,
        held=held,
        status=status,
        members=members,
        lay_adviser_seats=DEFAULT_LAY_ADVISER_SEATS if seats is None else seats,
        ending_soon=[t for t in members if t.ends_on is not None and t.ends_on <= soon],
    )


def board_chair_on(*, area_id: int, day: dt.date | None = None) -> BoardTenure | None:
    """The tenure of ``area_id``'s board chair on ``day`` (today by default), with its account, if the board has
    one then. One query. The services keep one chair at a time; were two recorded, the later appointment counts."""
    day = day or timezone.localdate()
    return (
        BoardTenure.objects.in_tenure_on(day)
        .filter(area_id=area_id, role=BoardRole.CHAIR)
        .select_related("user")
        .order_by("-starts_on", "-recorded_at")
        .first()
    )
