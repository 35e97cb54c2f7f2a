"""The SMB's own records: recording its meetings, appointing members and lay advisers, recording the account each
holds their tenure with, ending a tenure.

Who may: a co-ordinator or an administrator of the area (``oversight.manage_board_governance``); SMB members
and lay advisers read these records on the governance page but do not change them. Each function checks the
permission first, reports every mistake at once named by field (nothing is saved), and writes its change and
its audit row in one transaction. See docs/smb.md.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Agency, Area, AuditAction, Role, User
from mappa_workflow.roles import require

from ..governance.dates import months_after
from ..governance.models import BoardMeeting, BoardMeetingStatus, BoardRole, BoardTenure

MANAGE = "oversight.manage_board_governance"
EARLIEST = dt.date(2000, 4, 1)  # the first reporting year the statistics know
MAX_PRESENT = 200
MAX_NOTE = 2000
MAX_NAME = 200
MAX_REASON = 200
MAX_TERM_YEARS = 10  # a longer tenure is taken for a typo in the year


def _day(value: dt.date) -> str:
    return f"{value:%-d %B %Y}"


def _date_errors(field: str, value: dt.date | None, *, what: str, today: dt.date) -> dict[str, str]:
    if value is None:
        return {field: f"Enter the {what}"}
    if value < EARLIEST:
        return {field: f"The {what} must be on or after {_day(EARLIEST)}"}
    if value > months_after(today, 12):
        return {field: f"The {what} must be no more than a year from today"}
    return {}


def _raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise WorkflowError(errors)


@transaction.atomic
def board_meeting_record(
    *,
    actor: User,
    area: Area,
    meeting_date: dt.date | None,
    status: str,
    members_present: int | None = None,
    note: str = "",
) -> BoardMeeting:
    """Record an SMB meeting of ``area``: held (with how many members attended) or cancelled.

    A held meeting is recorded on or after its day; a cancelled one may be recorded ahead, up to a year.
    One record per area and day."""
    require(actor, MANAGE, area)
    today = timezone.localdate()
    note = note.strip()
    errors = _date_errors("meeting_date", meeting_date, what="date of the meeting", today=today)
    if status not in BoardMeetingStatus.values:
        errors["status"] = "Choose whether the meeting was held or cancelled"
    held = status == BoardMeetingStatus.HELD
    if held and meeting_date is not None and meeting_date > today and "meeting_date" not in errors:
        errors["meeting_date"] = "A meeting can only be recorded as held on or after its date"
    if held and members_present is None:
        errors["members_present"] = "Enter how many board members attended"
    elif held and members_present is not None and not 1 <= members_present <= MAX_PRESENT:
        errors["members_present"] = f"The number who attended must be from 1 to {MAX_PRESENT}"
    elif status == BoardMeetingStatus.CANCELLED and members_present is not None:
        errors["members_present"] = "Leave the number who attended blank for a cancelled meeting"
    if len(note) > MAX_NOTE:
        errors["note"] = f"The note must be {MAX_NOTE:,} characters or fewer"
    taken = meeting_date is not None and BoardMeeting.objects.filter(area=area, meeting_date=meeting_date).exists()
    if taken and meeting_date is not None and "meeting_date" not in errors:
        errors["meeting_date"] = f"A board meeting on {_day(meeting_date)} is already recorded"
    _raise_if(errors)
    assert meeting_date is not None
    try:
        with transaction.atomic():
            meeting = BoardMeeting.objects.create(
                area=area,
                meeting_date=meeting_date,
                status=status,
                members_present=members_present if held else None,
                note=note,
                recorded_by=actor,
            )
    except IntegrityError as exc:  # recorded by someone else a moment ago
        raise WorkflowError({"meeting_date": f"A board meeting on {_day(meeting_date)} is already recorded"}) from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=meeting,
        details={"meeting_date": meeting_date, "status": status, "members_present": meeting.members_present},
    )
    return meeting


# The role an account must have to hold a tenure in each board role.
ACCOUNT_ROLE: dict[str, str] = {
    BoardRole.CHAIR: Role.SMB_MEMBER,
    BoardRole.MEMBER: Role.SMB_MEMBER,
    BoardRole.LAY_ADVISER: Role.LAY_ADVISER,
}
ACCOUNT_ROLE_MESSAGE: dict[str, str] = {
    Role.SMB_MEMBER: "Choose an account with the SMB member role: the chair and members sign in as SMB members",
    Role.LAY_ADVISER: "Choose an account with the lay adviser role",
}


def _account_errors(area: Area, role: str, user: User | None) -> dict[str, str]:
    """Why ``user`` cannot hold a tenure of ``area``'s board in ``role`` (none when it can, or when no account
    is given: a tenure may be recorded before its holder has an account)."""
    if user is None or role not in ACCOUNT_ROLE:
        return {}
    needed = ACCOUNT_ROLE[role]
    if user.area_id != area.pk or not user.is_active:
        return {"user": "Choose an active account of this area"}
    if not user.has_role(needed):
        return {"user": ACCOUNT_ROLE_MESSAGE[needed]}
    return {}


def _overlapping(area: Area, starts_on: dt.date, ends_on: dt.date | None) -> Q:
    """Tenures of ``area`` sharing at least a day with ``starts_on``..``ends_on`` (open when None)."""
    condition = Q(area=area) & (Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    return condition & Q(starts_on__lte=ends_on) if ends_on is not None else condition


def _span(tenure: BoardTenure) -> str:
    return f"from {_day(tenure.starts_on)}" + (f" to {_day(tenure.ends_on)}" if tenure.ends_on else "")


@transaction.atomic
def board_member_appoint(
    *,
    actor: User,
    area: Area,
    name: str,
    role: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None = None,
    agency: Agency | None = None,
    user: User | None = None,
) -> BoardTenure:
    """Appoint someone to ``area``'s SMB as chair, member or lay adviser, from ``starts_on`` to ``ends_on``,
    with the account they sign in with (``user``), if they have one.

    A chair or member represents an agency of the area; a lay adviser is appointed for a fixed term (an end
    date is required). The account is an active one of the area with the SMB member role (chair, member) or
    the lay adviser role (lay adviser). The same person (by name, or by account) cannot hold overlapping
    tenures in the same role, and the board has one chair at a time."""
    require(actor, MANAGE, area)
    Area.objects.select_for_update().get(pk=area.pk)  # appointments to one board one at a time: overlaps hold
    today = timezone.localdate()
    name = " ".join(name.split())
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Enter the name of the board member"
    elif len(name) > MAX_NAME:
        errors["name"] = f"The name must be {MAX_NAME} characters or fewer"
    if role not in BoardRole.values:
        errors["role"] = "Choose chair, member or lay adviser"
    if agency is None and role in (BoardRole.CHAIR, BoardRole.MEMBER):
        errors["agency"] = "Choose the agency they represent"
    elif agency is not None and agency.area_id != area.pk:
        errors["agency"] = "Choose an agency of this area"
    errors |= _date_errors("starts_on", starts_on, what="start of the tenure", today=today)
    if ends_on is None and role == BoardRole.LAY_ADVISER:
        errors["ends_on"] = "A lay adviser is appointed for a fixed term: enter the end of the term"
    elif ends_on is not None and starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = "The end of the tenure must be after its start"
    elif ends_on is not None and starts_on is not None and ends_on > months_after(starts_on, 12 * MAX_TERM_YEARS):
        errors["ends_on"] = f"The end of the tenure must be no more than {MAX_TERM_YEARS} years after its start"
    errors |= _account_errors(area, role, user)
    if not errors:
        assert starts_on is not None
        overlapping = BoardTenure.objects.filter(_overlapping(area, starts_on, ends_on))
        same_person = Q(name__iexact=name) | Q(user=user) if user is not None else Q(name__iexact=name)
        same = overlapping.filter(same_person, role=role).first()
        if same is not None:
            errors["starts_on"] = (
                f"{same.name} already has a tenure as {same.get_role_display().lower()} {_span(same)}: "
                "choose dates after that tenure, or end it first"
            )
        chair = overlapping.filter(role=BoardRole.CHAIR).first() if role == BoardRole.CHAIR else None
        if chair is not None and same is None:
            errors["role"] = f"{chair.name} chairs the board {_span(chair)}: end that tenure first"
    _raise_if(errors)
    assert starts_on is not None
    tenure = BoardTenure.objects.create(
        area=area,
        name=name,
        role=role,
        agency=agency,
        user=user,
        starts_on=starts_on,
        ends_on=ends_on,
        appointed_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=tenure,
        details={
            "name": name,
            "role": role,
            "agency": agency.pk if agency else None,
            "user": user.pk if user else None,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return tenure


@transaction.atomic
def board_tenure_end(*, actor: User, tenure: BoardTenure, ends_on: dt.date | None, reason: str = "") -> BoardTenure:
    """End ``tenure`` on ``ends_on`` (its last day), earlier than planned, with an optional reason.

    To extend a fixed term instead, appoint the person again from the day after it ends."""
    require(actor, MANAGE, tenure.area)
    tenure = BoardTenure.objects.select_for_update().get(pk=tenure.pk)
    today = timezone.localdate()
    reason = reason.strip()
    errors = _date_errors("ends_on", ends_on, what="end of the tenure", today=today)
    if tenure.ends_on is not None and tenure.ends_on < today:
        errors = {"tenure": f"This tenure ended on {_day(tenure.ends_on)}"}
    elif ends_on is not None and "ends_on" not in errors:
        if ends_on <= tenure.starts_on:
            errors["ends_on"] = f"The end of the tenure must be after its start ({_day(tenure.starts_on)})"
        elif tenure.ends_on is not None and ends_on >= tenure.ends_on:
            errors["ends_on"] = (
                f"The tenure already ends on {_day(tenure.ends_on)}: to extend it, appoint them again "
                "from the day after"
            )
    if len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON} characters or fewer"
    _raise_if(errors)
    before = tenure.ends_on
    tenure.ends_on = ends_on
    tenure.end_reason = reason
    tenure.save(update_fields=["ends_on", "end_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=tenure,
        reason=reason,
        details={"ends_on": {"from": before, "to": ends_on}},
    )
    return tenure


@transaction.atomic
def board_tenure_link_account(*, actor: User, tenure: BoardTenure, user: User | None) -> BoardTenure:
    """Record ``user`` as the account that holds ``tenure`` (or, with ``None``, that no account does), for a
    tenure not yet over: how the chair in tenure comes to record the SMB's decision on a serious case review.

    The account is checked as on appointment (an active account of the area with the SMB member role for a
    chair or member, the lay adviser role for a lay adviser), and may hold no other overlapping tenure in
    the same role."""
    require(actor, MANAGE, tenure.area)
    tenure = BoardTenure.objects.select_for_update().select_related("area").get(pk=tenure.pk)
    today = timezone.localdate()
    if tenure.ends_on is not None and tenure.ends_on < today:
        _raise_if({"tenure": f"This tenure ended on {_day(tenure.ends_on)}"})
    errors = _account_errors(tenure.area, tenure.role, user)
    if not errors and user is not None:
        other = (
            BoardTenure.objects.filter(_overlapping(tenure.area, tenure.starts_on, tenure.ends_on))
            .filter(user=user, role=tenure.role)
            .exclude(pk=tenure.pk)
            .first()
        )
        if other is not None:
            errors["user"] = (
                f"This account already holds {other.name}'s tenure as {other.get_role_display().lower()} {_span(other)}"
            )
    _raise_if(errors)
    before = tenure.user_id
    tenure.user = user
    tenure.save(update_fields=["user"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGE,
        obj=tenure,
        details={"user": {"from": before, "to": user.pk if user else None}},
    )
    return tenure
