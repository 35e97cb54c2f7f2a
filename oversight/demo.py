"""The demo area's Strategic Management Board for `make run` (docs/smb.md): its chair, a member, a lay adviser and the
reporting year's meetings so far, recorded through the services by the demo co-ordinator.

The chair's tenure is held by the demo SMB account ("smb") and the lay adviser's by the demo lay adviser
("layadviser"), so that signing in as "smb" shows the chair's button on a serious case review whose decision is
due (docs/serious-case-reviews.md, "Who decides"). Safe to run again: a board already recorded is kept, and only
a chair in tenure with no account gets the demo SMB account.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from mappa_workflow.models import Area, User

from .governance.models import BoardMeetingStatus, BoardRole, BoardTenure
from .governance.selectors import board_chair_on
from .services.governance import board_meeting_record, board_member_appoint, board_tenure_link_account

# (month, day) of the reporting year's board meetings (all in the April-to-December part of the year).
MEETING_DAYS = ((5, 14), (9, 16), (12, 15))
MEMBER_NAME = "Jordan Hale"


def _reporting_year_start(today: dt.date) -> dt.date:
    return dt.date(today.year if today.month >= 4 else today.year - 1, 4, 1)


@transaction.atomic
def generate_demo_board(*, area: Area, today: dt.date) -> str:
    """Record the demo board of ``area`` (once), or link the demo SMB account to a chair in tenure that has none.
    Needs the demo accounts (``mappa_workflow.demo.create_demo_accounts``). Returns a line for the command's output."""
    coordinator = User.objects.get(username="coordinator")
    smb = User.objects.get(username="smb")
    lay = User.objects.get(username="layadviser")
    if BoardTenure.objects.filter(area=area).exists():
        chair = board_chair_on(area_id=area.pk, day=today)
        if chair is not None and chair.user is None:
            board_tenure_link_account(actor=coordinator, tenure=chair, user=smb)
            return f"The SMB chair's tenure ({chair.name}) is now held by the demo account 'smb'."
        return "The SMB's board is already recorded; keeping it."
    year_start = _reporting_year_start(today)
    board_member_appoint(
        actor=coordinator,
        area=area,
        name=smb.get_full_name(),
        role=BoardRole.CHAIR,
        agency=smb.agency,
        starts_on=dt.date(year_start.year - 2, 4, 1),
        user=smb,
    )
    board_member_appoint(
        actor=coordinator,
        area=area,
        name=MEMBER_NAME,
        role=BoardRole.MEMBER,
        agency=coordinator.agency,
        starts_on=dt.date(year_start.year - 1, 4, 1),
    )
    board_member_appoint(
        actor=coordinator,
        area=area,
        name=lay.get_full_name(),
        role=BoardRole.LAY_ADVISER,
        starts_on=dt.date(year_start.year - 1, 4, 1),
        ends_on=dt.date(year_start.year + 2, 3, 31),
        user=lay,
    )
    held = [dt.date(year_start.year, month, day) for month, day in MEETING_DAYS]
    for day in (day for day in held if day < today):
        board_meeting_record(
            actor=coordinator, area=area, meeting_date=day, status=BoardMeetingStatus.HELD, members_present=9
        )
    return "The SMB's board recorded: the demo account 'smb' holds the chair's tenure (it decides on reviews)."
