"""The SMB governance page: the board reads how often it met, who sits on it and its vacancies; the
co-ordinator keeps the record through its forms; nobody managed under MAPPA is ever named on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mappa_workflow.models import AgencyType
from oversight.governance.models import BoardMeeting, BoardRole, BoardTenure
from tests import factories

from .scenario import board_appointed, board_meeting_held, on

pytestmark = pytest.mark.django_db

URL = reverse("web:smb_governance")


def signed_in(user) -> Client:
    return factories.verify_client(Client(), user)


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _board_of_2025() -> None:
    """Two meetings held in 2025/26, a chair and one lay adviser of the two seats."""
    board_meeting_held(dt.date(2025, 5, 14))
    board_meeting_held(dt.date(2025, 9, 10))
    with on(dt.date(2025, 10, 1)):
        board_appointed("Ruth Okafor", BoardRole.CHAIR, dt.date(2024, 4, 1))
        board_appointed("Meera Shah", BoardRole.LAY_ADVISER, dt.date(2024, 9, 1), dt.date(2026, 6, 30))


def test_the_smb_sees_the_year_short_of_three_meetings_its_members_and_a_vacancy_and_no_one_of_a_case():
    # Given names no reader can share: the page names the signed-in reader, whose Faker first name could be the same.
    person = factories.unmistakable_individual(area=factories.northamptonshire(), given_names="Quillon Tarrant")
    _board_of_2025()
    with on(dt.date(2026, 4, 10)):
        for reader in (factories.smb_member(), factories.lay_adviser()):
            client = signed_in(reader)
            body = client.get(URL + "?year=2025").content.decode()
            assert "govuk-warning-text" in body
            assert "The board met 2 times in this reporting year: the Guidance asks for at least 3 a year" in body
            assert "Ruth Okafor" in body and "Meera Shah" in body and "1 lay adviser vacancy" in body
            assert "Meera Shah, lay adviser: the tenure ends on 30 June 2026" in body  # within three months
            assert "Record a board meeting" not in body and "Appoint to the board" not in body
            assert person.family_name not in body and person.given_names not in body and str(person.pk) not in body
            assert 'href="/smb/governance/"' in body  # in the navigation

            refused = client.post(
                URL, {"form": "meeting", **_date("meeting-meeting_date", dt.date(2026, 4, 9)), "meeting-status": "held"}
            )
            assert refused.status_code == 403
    assert BoardMeeting.objects.count() == 2


def test_practitioners_and_chairs_cannot_open_the_board_page():
    for user in (factories.practitioner(AgencyType.POLICE), factories.chair()):
        assert signed_in(user).get(URL).status_code == 403


def test_a_co_ordinator_records_the_third_meeting_appoints_and_ends_a_tenure_and_bad_input_saves_nothing():
    _board_of_2025()
    with on(dt.date(2025, 10, 1)):
        client = signed_in(factories.coordinator())
        page = client.get(URL).content.decode()
        assert (
            "met 2 times so far this reporting year: 1 more by 31 March 2026" in page
            and "Record a board meeting" in page
        )

        meeting = {"form": "meeting", "meeting-status": "held", "meeting-members_present": "8"}
        bad = client.post(URL, {**meeting, **_date("meeting-meeting_date", dt.date(2025, 11, 5))})
        body = bad.content.decode()
        assert bad.status_code == 200 and "There is a problem" in body
        assert 'href="#id_meeting-meeting_date_day"' in body
        assert "A meeting can only be recorded as held on or after its date" in body
        assert BoardMeeting.objects.count() == 2

        done = client.post(URL, {**meeting, **_date("meeting-meeting_date", dt.date(2025, 9, 30))})
        assert done.status_code == 302
        assert "The board met 3 times in this reporting year: at least 3" in client.get(done.url).content.decode()

        appoint = {"form": "appoint", "appoint-name": "Ivy Lund", "appoint-role": "lay_adviser", "appoint-agency": ""}
        appoint |= _date("appoint-starts_on", dt.date(2025, 10, 1))
        bad = client.post(URL, appoint)
        body = bad.content.decode()
        assert 'href="#id_appoint-ends_on_day"' in body
        assert "A lay adviser is appointed for a fixed term: enter the end of the term" in body
        assert not BoardTenure.objects.filter(name="Ivy Lund").exists()
        done = client.post(URL, appoint | _date("appoint-ends_on", dt.date(2028, 9, 30)))
        assert done.status_code == 302
        assert "No lay adviser vacancies" in client.get(done.url).content.decode()

        chair = BoardTenure.objects.get(name="Ruth Okafor")
        ending = {"form": "end", "end-tenure": str(chair.pk), "end-reason": "Retiring"}
        bad = client.post(URL, ending | _date("end-ends_on", dt.date(2024, 1, 1)))
        assert "The end of the tenure must be after its start (1 April 2024)" in bad.content.decode()
        assert BoardTenure.objects.get(pk=chair.pk).ends_on is None
        done = client.post(URL, ending | _date("end-ends_on", dt.date(2025, 12, 31)))
        assert done.status_code == 302
        assert "Ruth Okafor, chair: the tenure ends on 31 December 2025" in client.get(done.url).content.decode()


def test_the_page_warns_when_no_account_holds_the_chair_and_a_co_ordinator_records_it():
    """With no account for the chair, no one can record the SMB's decision on a serious case review: the board reads
    why; the co-ordinator picks the chair's account (a wrong one is named in the error summary, nothing saved)."""
    _board_of_2025()
    chair = BoardTenure.objects.get(name="Ruth Okafor")
    account, lay = factories.smb_member(), factories.lay_adviser()
    with on(dt.date(2025, 10, 1)):
        board_page = signed_in(factories.smb_member()).get(URL).content.decode()
        assert "No account is recorded for the chair, Ruth Okafor, so no one can record the SMB" in board_page
        assert "Record the account of a board member" not in board_page

        client = signed_in(factories.coordinator())
        page = client.get(URL).content.decode()
        assert "Record their account below" in page and 'id="account"' in page
        assert f'value="{account.pk}"' in page and f'value="{lay.pk}"' in page  # the area's SMB and lay accounts
        form = {"form": "account", "account-tenure": str(chair.pk)}
        bad = client.post(URL, form | {"account-user": str(lay.pk)})
        body = bad.content.decode()
        assert bad.status_code == 200 and "There is a problem" in body and 'href="#id_account-user"' in body
        assert "Choose an account with the SMB member role" in body
        assert BoardTenure.objects.get(pk=chair.pk).user is None

        done = client.post(URL, form | {"account-user": str(account.pk)})
        assert done.status_code == 302
        page = client.get(done.url).content.decode()
    assert BoardTenure.objects.get(pk=chair.pk).user == account
    assert "No account is recorded for the chair" not in page and account.get_full_name() in page


def test_a_board_with_no_chair_in_tenure_is_told_no_one_can_decide_on_a_review():
    with on(dt.date(2025, 10, 1)):
        board_appointed("Meera Shah", BoardRole.LAY_ADVISER, dt.date(2024, 9, 1), dt.date(2026, 6, 30))
        body = signed_in(factories.lay_adviser()).get(URL).content.decode()
    assert "The board has no chair in tenure today, so no one can record the SMB" in body
