"""The SMB's own governance: three meetings a year, its members and lay advisers, vacancies and tenures ending.

A co-ordinator keeps the records; the board reads them. Every story runs on a fixed day (``on``), so the
reporting year is 2025/26 (1 April 2025 to 31 March 2026) whatever today is.
"""

from __future__ import annotations

import datetime as dt

import pytest

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditEvent, Role
from oversight.governance.models import BoardMeeting, BoardRole, BoardSeats, BoardTenure
from oversight.governance.selectors import MeetingsStatus, board_governance
from oversight.services import (
    board_meeting_record,
    board_member_appoint,
    board_tenure_end,
    board_tenure_link_account,
)
from tests import factories

from .scenario import YEAR, on
from .scenario import board_appointed as appointed
from .scenario import board_meeting_held as held

pytestmark = pytest.mark.django_db

AFTER_THE_YEAR = dt.date(2026, 4, 10)


def governance(day: dt.date, year: int = YEAR):
    return board_governance(area=factories.northamptonshire(), year=year, today=day)


def test_a_year_that_ended_with_two_meetings_warns_the_board_and_a_third_clears_it():
    held(dt.date(2025, 5, 14))
    held(dt.date(2025, 9, 10))
    with on(dt.date(2025, 12, 3)):
        board_meeting_record(
            actor=factories.coordinator(),
            area=factories.northamptonshire(),
            meeting_date=dt.date(2025, 12, 3),
            status="cancelled",
            note="Not quorate: rearranged for January",
        )

    short = governance(AFTER_THE_YEAR)
    assert short.held == 2 and len(short.meetings) == 3  # the cancelled meeting is listed, not counted
    assert short.status == MeetingsStatus.SHORT
    assert short.warning == "The board met 2 times in this reporting year: the Guidance asks for at least 3 a year"

    held(dt.date(2026, 1, 21))
    met = governance(AFTER_THE_YEAR)
    assert met.held == 3 and met.status == MeetingsStatus.MET and met.warning == ""


def test_a_running_year_is_on_course_until_too_few_days_are_left_to_meet_three_times():
    held(dt.date(2025, 6, 4))

    assert governance(dt.date(2025, 10, 1)).status == MeetingsStatus.ON_COURSE
    assert governance(dt.date(2025, 10, 1)).warning == ""
    assert governance(dt.date(2026, 3, 30)).status == MeetingsStatus.ON_COURSE  # two days, two meetings: just
    last_day = governance(dt.date(2026, 3, 31))
    assert last_day.status == MeetingsStatus.SHORT
    assert "can no longer meet 3 times by 31 March 2026" in last_day.warning


def test_lay_adviser_vacancies_are_the_seats_less_the_lay_advisers_in_tenure_today():
    today = dt.date(2025, 10, 1)
    with on(today):
        appointed("Ruth Okafor", BoardRole.CHAIR, dt.date(2024, 4, 1))
        appointed("Alan Pryce", BoardRole.LAY_ADVISER, dt.date(2023, 4, 1), dt.date(2025, 3, 31))  # ended
        appointed("Meera Shah", BoardRole.LAY_ADVISER, dt.date(2024, 9, 1), dt.date(2025, 12, 31))
        appointed("Tom Greaves", BoardRole.MEMBER, dt.date(2025, 1, 6), dt.date(2026, 2, 1))  # four months away
        appointed("Ivy Lund", BoardRole.LAY_ADVISER, dt.date(2026, 1, 1), dt.date(2029, 12, 31))  # not started

    board = governance(today)
    assert [t.name for t in board.members] == ["Ruth Okafor", "Tom Greaves", "Meera Shah"]  # chair first
    assert (board.lay_adviser_seats, board.lay_advisers, board.vacancies) == (2, 1, 1)
    assert [t.name for t in board.ending_soon] == ["Meera Shah"]  # ends within three months; Tom's does not

    BoardSeats.objects.create(area=factories.northamptonshire(), lay_advisers=3)
    assert governance(today).vacancies == 2
    assert governance(dt.date(2026, 1, 2)).vacancies == 2  # Meera's term is over, Ivy's has begun


def test_the_board_reads_its_records_but_only_co_ordinators_and_administrators_of_the_area_keep_them():
    area = factories.northamptonshire()
    refused = [
        factories.smb_member(),
        factories.lay_adviser(),
        factories.practitioner(AgencyType.POLICE),
        factories.chair(),
        factories.coordinator(area=Area.objects.get(slug="kent")),
    ]
    coordinator, administrator = factories.coordinator(), factories.UserFactory(roles=[Role.ADMINISTRATOR])
    rows = AuditEvent.objects.count()
    pat = {"name": "Pat Doyle", "role": BoardRole.LAY_ADVISER}
    pat |= {"starts_on": dt.date(2025, 10, 1), "ends_on": dt.date(2028, 9, 30)}
    meeting = {"meeting_date": dt.date(2025, 9, 30), "status": "held", "members_present": 8}
    with on(dt.date(2025, 10, 1)):
        for actor in refused:
            with pytest.raises(NotPermitted):
                board_meeting_record(actor=actor, area=area, **meeting)
            with pytest.raises(NotPermitted):
                board_member_appoint(actor=actor, area=area, **pat)
        tenure = board_member_appoint(actor=coordinator, area=area, **pat)
        with pytest.raises(NotPermitted):
            board_tenure_end(actor=refused[0], tenure=tenure, ends_on=dt.date(2026, 1, 31))
        board_meeting_record(actor=administrator, area=area, **meeting)
    assert BoardMeeting.objects.count() == 1 and BoardTenure.objects.count() == 1
    assert AuditEvent.objects.count() == rows + 2  # the co-ordinator's appointment and the administrator's meeting


def _refusal(call) -> dict[str, list[str]]:
    rows = AuditEvent.objects.count()
    with pytest.raises(WorkflowError) as refused:
        call()
    assert AuditEvent.objects.count() == rows
    return refused.value.errors


def test_bad_meeting_records_name_the_field_and_save_nothing():
    area, coordinator = factories.northamptonshire(), factories.coordinator()
    held(dt.date(2025, 9, 10), actor=coordinator)

    def record(**kwargs):
        fields = {"meeting_date": dt.date(2025, 9, 30), "status": "held", "members_present": 8} | kwargs
        return lambda: board_meeting_record(actor=coordinator, area=area, **fields)

    with on(dt.date(2025, 10, 1)):
        assert _refusal(record(meeting_date=dt.date(2025, 11, 5))) == {
            "meeting_date": ["A meeting can only be recorded as held on or after its date"]
        }
        assert _refusal(record(meeting_date=dt.date(2026, 11, 5), status="cancelled", members_present=None)) == {
            "meeting_date": ["The date of the meeting must be no more than a year from today"]
        }
        assert _refusal(record(meeting_date=dt.date(2025, 9, 10))) == {
            "meeting_date": ["A board meeting on 10 September 2025 is already recorded"]
        }
        assert _refusal(record(members_present=None, status="maybe", meeting_date=None)) == {
            "meeting_date": ["Enter the date of the meeting"],
            "status": ["Choose whether the meeting was held or cancelled"],
        }
        assert _refusal(record(members_present=None)) == {"members_present": ["Enter how many board members attended"]}
        assert _refusal(record(status="cancelled")) == {
            "members_present": ["Leave the number who attended blank for a cancelled meeting"]
        }
        # Cancelling a meeting ahead of its day is allowed.
        board_meeting_record(
            actor=coordinator, area=area, meeting_date=dt.date(2025, 11, 5), status="cancelled", note="Clash"
        )
    assert BoardMeeting.objects.count() == 2


def test_bad_appointments_and_endings_name_the_field_and_save_nothing():
    area, coordinator = factories.northamptonshire(), factories.coordinator()
    police = factories.agency(area, AgencyType.POLICE)

    def appoint(**kwargs):
        fields = {
            "name": "Meera Shah",
            "role": BoardRole.LAY_ADVISER,
            "starts_on": dt.date(2025, 10, 1),
            "ends_on": dt.date(2028, 9, 30),
        } | kwargs
        return lambda: board_member_appoint(actor=coordinator, area=area, **fields)

    with on(dt.date(2025, 10, 1)):
        lay = appoint()()
        chair = appoint(name="Ruth Okafor", role=BoardRole.CHAIR, agency=police, ends_on=None)()
        assert _refusal(appoint(ends_on=None, name="Ivy Lund")) == {
            "ends_on": ["A lay adviser is appointed for a fixed term: enter the end of the term"]
        }
        assert _refusal(appoint(name="Ivy Lund", ends_on=dt.date(2025, 9, 1))) == {
            "ends_on": ["The end of the tenure must be after its start"]
        }
        assert _refusal(appoint(name=" ", role=BoardRole.MEMBER)) == {
            "name": ["Enter the name of the board member"],
            "agency": ["Choose the agency they represent"],
        }
        assert _refusal(appoint(name="meera  SHAH", starts_on=dt.date(2026, 1, 1))) == {
            "starts_on": [
                "Meera Shah already has a tenure as lay adviser from 1 October 2025 to 30 September 2028: "
                "choose dates after that tenure, or end it first"
            ]
        }
        assert _refusal(appoint(name="Tom Greaves", role=BoardRole.CHAIR, agency=police, ends_on=None)) == {
            "role": ["Ruth Okafor chairs the board from 1 October 2025: end that tenure first"]
        }
        assert _refusal(lambda: board_tenure_end(actor=coordinator, tenure=lay, ends_on=dt.date(2025, 10, 1))) == {
            "ends_on": ["The end of the tenure must be after its start (1 October 2025)"]
        }
        assert _refusal(lambda: board_tenure_end(actor=coordinator, tenure=lay, ends_on=dt.date(2029, 1, 1))) == {
            "ends_on": ["The end of the tenure must be no more than a year from today"]
        }
        assert BoardTenure.objects.count() == 2

        # The chair steps down at the end of March; a new chair may then be appointed from April.
        board_tenure_end(actor=coordinator, tenure=chair, ends_on=dt.date(2026, 3, 31), reason="Retired")
        board_member_appoint(
            actor=coordinator,
            area=area,
            name="Tom Greaves",
            role=BoardRole.CHAIR,
            agency=police,
            starts_on=dt.date(2026, 4, 1),
        )
    ended = AuditEvent.objects.filter(object_id=str(chair.pk), action="change").get()
    assert ended.reason == "Retired" and ended.details["ends_on"] == {"from": None, "to": "2026-03-31"}


def test_each_tenure_is_held_by_an_account_of_the_area_with_the_role_that_fits_and_a_wrong_one_is_named():
    """The chair's and members' tenures are held by SMB member accounts, a lay adviser's by a lay adviser account, of
    the board's own area: the chair's account is the one that records the SMB's decision on a serious case review."""
    area, coordinator = factories.northamptonshire(), factories.coordinator()
    police = factories.agency(area, AgencyType.POLICE)
    member_account, lay_account = factories.smb_member(), factories.lay_adviser()
    kent_member = factories.smb_member(area=Area.objects.get(slug="kent"))
    gone = factories.smb_member(is_active=False)
    chair = {"name": "Ruth Okafor", "role": BoardRole.CHAIR, "agency": police, "starts_on": dt.date(2025, 4, 1)}
    lay = {"name": "Meera Shah", "role": BoardRole.LAY_ADVISER}
    lay |= {"starts_on": dt.date(2025, 4, 1), "ends_on": dt.date(2028, 3, 31)}
    account_of_the_area = {"user": ["Choose an active account of this area"]}
    smb_role = {"user": ["Choose an account with the SMB member role: the chair and members sign in as SMB members"]}

    with on(dt.date(2025, 10, 1)):
        for wrong, errors in (
            (kent_member, account_of_the_area),
            (gone, account_of_the_area),
            (lay_account, smb_role),
            (factories.coordinator(), smb_role),
        ):
            assert (
                _refusal(lambda w=wrong: board_member_appoint(actor=coordinator, area=area, user=w, **chair)) == errors
            )
        assert _refusal(lambda: board_member_appoint(actor=coordinator, area=area, user=member_account, **lay)) == {
            "user": ["Choose an account with the lay adviser role"]
        }
        assert not BoardTenure.objects.exists()

        held_by = board_member_appoint(actor=coordinator, area=area, user=member_account, **chair)
        board_member_appoint(actor=coordinator, area=area, user=lay_account, **lay)

    assert held_by.user == member_account
    assert BoardTenure.objects.get(name="Meera Shah").user == lay_account
    row = AuditEvent.objects.get(object_id=str(held_by.pk), action="create")
    assert row.details["user"] == member_account.pk


def test_a_co_ordinator_records_the_account_of_a_tenure_already_recorded_and_the_change_is_audited():
    coordinator = factories.coordinator()
    with on(dt.date(2025, 10, 1)):
        chair = appointed("Ruth Okafor", BoardRole.CHAIR, dt.date(2024, 4, 1))
        ended = appointed("Alan Pryce", BoardRole.MEMBER, dt.date(2023, 4, 1), dt.date(2025, 3, 31))
    account = factories.smb_member()
    with on(dt.date(2025, 10, 2)):
        for refused in (factories.smb_member(), account, factories.coordinator(area=Area.objects.get(slug="kent"))):
            with pytest.raises(NotPermitted):
                board_tenure_link_account(actor=refused, tenure=chair, user=account)
        assert _refusal(lambda: board_tenure_link_account(actor=coordinator, tenure=chair, user=factories.chair())) == {
            "user": ["Choose an account with the SMB member role: the chair and members sign in as SMB members"]
        }
        assert _refusal(lambda: board_tenure_link_account(actor=coordinator, tenure=ended, user=account)) == {
            "tenure": ["This tenure ended on 31 March 2025"]
        }
        assert BoardTenure.objects.get(pk=chair.pk).user is None

        board_tenure_link_account(actor=coordinator, tenure=chair, user=account)

    assert BoardTenure.objects.get(pk=chair.pk).user == account
    row = AuditEvent.objects.get(object_id=str(chair.pk), action="change")
    assert row.actor == coordinator and row.details["user"] == {"from": None, "to": account.pk}


def test_one_account_holds_no_two_overlapping_tenures_in_the_same_role():
    area, coordinator = factories.northamptonshire(), factories.coordinator()
    account = factories.smb_member()
    with on(dt.date(2025, 10, 1)):
        appointed("Tom Greaves", BoardRole.MEMBER, dt.date(2025, 4, 1), user=account)
        other = appointed("Thomas Greaves", BoardRole.MEMBER, dt.date(2025, 6, 1))
        assert _refusal(lambda: board_tenure_link_account(actor=coordinator, tenure=other, user=account)) == {
            "user": ["This account already holds Tom Greaves's tenure as member from 1 April 2025"]
        }
        assert "starts_on" in _refusal(
            lambda: appointed("T. Greaves", BoardRole.MEMBER, dt.date(2025, 9, 1), user=account)
        )
        # The same account may chair the board while it is a member (another role).
        appointed("Tom Greaves", BoardRole.CHAIR, dt.date(2025, 9, 1), user=account)
    assert BoardTenure.objects.filter(area=area, user=account).count() == 2


def test_the_board_page_reads_in_three_queries_however_many_members(django_assert_num_queries):
    with on(dt.date(2025, 10, 1)):
        for n in range(6):
            appointed(f"Member {n}", BoardRole.MEMBER, dt.date(2025, 4, 1))
        held(dt.date(2025, 6, 4))
    area = factories.northamptonshire()
    with django_assert_num_queries(3):
        board = board_governance(area=area, year=YEAR, today=dt.date(2025, 10, 1))
        assert [t.agency.name for t in board.members]
        assert [t.user for t in board.members]  # the accounts come with the tenures
