"""A lay adviser observes a Level 2 panel and audits it (MAPPA L); the SMB member reads its score.

In a real browser, with axe-core on every page (and again without JavaScript).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from oversight.audits.questions import MEETING_QUESTIONS, AuditKind
from oversight.audits.sampling import quarter_of
from oversight.services import audit_sample_draw
from tests import factories

from .helpers import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]


def test_a_lay_adviser_audits_a_meeting_and_the_smb_page_shows_its_score(page, check_accessible):
    from meetings import services as meeting_services

    area = factories.northamptonshire()
    coordinator = factories.coordinator(area)
    person = factories.unmistakable_individual(area=area)
    registration = factories.registration_at_level(2, individual=person)
    meeting = factories.held_meeting("level_2", registrations=[registration], actor=coordinator)
    factories.full_attendance(meeting)
    for item in meeting.agenda_items.all():
        meeting_services.case_minutes_record(actor=coordinator, item=item, minutes=factories.minutes_input())
    year, quarter = quarter_of(timezone.localdate() - dt.timedelta(days=1))
    audit_sample_draw(actor=coordinator, area=area, kind=AuditKind.MEETING, year=year, quarter=quarter, size=4)
    lay = factories.lay_adviser(username="lay.adviser")
    smb = factories.smb_member(username="smb.member")

    # The lay adviser finds the quarter's sample and audits the meeting they observed.
    sign_in(page, lay)
    page.get_by_role("link", name="Audits", exact=True).click()
    check_accessible()
    page.goto(f"{page.base_url}/audits/?year={year}&quarter={quarter}")
    check_accessible()
    page.get_by_role("button", name="Audit this meeting").click()
    check_accessible()
    assert page.get_by_role("heading", name="Meeting audit (MAPPA L)").is_visible()
    assert page.get_by_text("acknowledged by 3 of 3 attendees").is_visible()
    assert person.family_name not in page.content()
    page.get_by_role("button", name="Submit audit").click()  # two items the records cannot show: unscored
    check_accessible()
    assert page.locator(".govuk-error-summary").is_visible()
    for question in MEETING_QUESTIONS:
        page.check(f"#id_{question.key}-score_2")  # 3: Good
    page.get_by_label("Overall comments").fill("Well chaired; the victim's views were heard.")
    page.get_by_role("button", name="Submit audit").click()
    check_accessible()
    assert page.get_by_text("Audit submitted").is_visible()
    sign_out(page)

    # The SMB member reads the average: one audit, every item scored 3.
    sign_in(page, smb)
    page.get_by_role("link", name="Audits", exact=True).click()
    check_accessible()
    page.get_by_role("link", name="Audit results for the SMB").click()
    check_accessible()
    page.goto(f"{page.base_url}/audits/results/?year={year}")
    check_accessible()
    row = page.get_by_role("row", name="All items").first  # the meeting audits; the case audits follow
    assert "3.0" in row.inner_text() and "1 audit" in row.inner_text()
    assert person.family_name not in page.content()

    # ... and the performance indicators of the year, with the movement between levels: figures, no person.
    page.get_by_role("link", name="Performance", exact=True).click()
    check_accessible()
    page.goto(f"{page.base_url}/indicators/?year={year}")
    check_accessible()
    assert page.get_by_role("heading", name="Movement between levels and out of MAPPA").is_visible()
    assert person.family_name not in page.content()
