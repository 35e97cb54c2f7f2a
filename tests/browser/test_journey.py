"""The journey the service exists for, in a real browser, with axe-core on every page.

An agency refers -> the co-ordinator screens it at Level 2 -> schedules a panel -> records
attendance and minutes with two actions -> the agency completes one action -> the statistics
page counts the person in the Level 2 yearly total.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType, Role
from mappa_workflow.working_days import add_working_days
from tests import factories

from .helpers import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]


def _fill_date(page, prefix: str, day: dt.date) -> None:
    page.fill(f"#{prefix}_day", str(day.day))
    page.fill(f"#{prefix}_month", str(day.month))
    page.fill(f"#{prefix}_year", str(day.year))


def test_referral_to_panel_to_action_to_statistics(page, check_accessible):
    referrer = factories.practitioner(AgencyType.PROBATION, username="probation.officer")
    coordinator = factories.coordinator(username="coordinator")
    chair = factories.chair(username="chair", first_name="Casey", last_name="Chair")
    police_officer = factories.practitioner(AgencyType.POLICE, username="police.officer")
    smb_member = factories.UserFactory(username="smb.member", roles=[Role.SMB_MEMBER])

    # 1. The probation officer refers, page by page, and checks the answers.
    sign_in(page, referrer)
    check_accessible()
    page.get_by_role("link", name="Refer someone to MAPPA").click()
    check_accessible()
    page.get_by_label("Name or reference").fill("Journeyman")  # first, look for someone already known
    page.get_by_role("button", name="Search").click()
    check_accessible()
    assert page.get_by_role("heading", name="No one you can see matches").is_visible()
    page.get_by_role("link", name="The person is not known: add someone new").click()
    check_accessible()
    page.get_by_role("button", name="Save and continue").click()  # nothing filled in: errors, nothing saved
    check_accessible()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Given names").fill("Jordan")
    page.get_by_label("Family name").fill("Journeyman")
    _fill_date(page, "id_date_of_birth", dt.date(1985, 3, 27))
    page.get_by_label("Male", exact=True).check()
    page.get_by_label("Address", exact=True).fill("1 Synthetic Street, Northampton")
    page.get_by_role("button", name="Save and continue").click()
    check_accessible()
    page.get_by_label("Level 2", exact=True).check()
    page.get_by_label("Category 2: Violent offenders").check()
    page.get_by_role("button", name="Save and continue").click()
    check_accessible()
    page.get_by_label("In the community").check()
    page.get_by_role("button", name="Save and continue").click()
    check_accessible()
    page.get_by_label("Index offence").fill("Wounding with intent")
    _fill_date(page, "id_index_offence_date", dt.date(2019, 5, 2))
    page.get_by_label("Sentence", exact=True).fill("6 years' imprisonment")
    _fill_date(page, "id_sentence_date", dt.date(2019, 11, 20))
    page.get_by_role("button", name="Save and continue").click()
    check_accessible()
    page.get_by_label("Reason for referral").fill("Escalating threats towards a former partner since release.")
    page.get_by_label("High", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    check_accessible()
    page.get_by_role("button", name="Save and continue").click()  # officer's name is prefilled
    check_accessible()
    assert page.get_by_role("heading", name="Check your answers before sending the referral").is_visible()
    page.get_by_role("button", name="Send referral").click()
    check_accessible()
    assert page.get_by_role("heading", name="Referral sent").is_visible()
    sign_out(page)

    # 2. The co-ordinator screens it at Level 2.
    sign_in(page, coordinator)
    check_accessible()
    page.get_by_role("link", name="JOURNEYMAN, Jordan").first.click()
    check_accessible()
    page.get_by_label("Accept at Level 2").check()
    page.get_by_label("Rationale, or the information you need").fill(
        "High risk of serious harm needing active management."
    )
    page.get_by_role("button", name="Record decision").click()
    check_accessible()
    assert page.get_by_text("Accepted at Level 2").first.is_visible()

    # 3. ... schedules a Level 2 panel for the next working day: the case due is preselected, the panel invited.
    page.goto("/dashboard/")
    check_accessible()
    page.get_by_role("link", name="Schedule a meeting").click()
    check_accessible()
    page.get_by_label("Level 2 panel").check()
    _fill_date(page, "id_meeting_date", add_working_days(timezone.localdate(), 1))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Chair", exact=True).select_option(
        label=f"{chair.get_full_name()} ({chair.get_seniority_display()})"
    )
    page.get_by_label("Venue").fill("Wootton Hall, Northampton")
    page.get_by_role("button", name="Continue").click()
    check_accessible()
    assert page.get_by_label("JOURNEYMAN, Jordan").is_checked()
    page.get_by_role("button", name="Continue").click()
    check_accessible()
    page.get_by_role("button", name="Confirm and send invitations").click()
    check_accessible()
    meeting_url = page.url

    # The day of the panel arrives (the test moves the meeting into the past rather than waiting a day).
    from meetings.models import Invitation, Meeting

    meeting = Meeting.objects.get()
    starts_at = timezone.now() - dt.timedelta(hours=1)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=starts_at, ends_at=starts_at + dt.timedelta(hours=2))
    page.goto(meeting_url)
    page.get_by_role("button", name="Record that the meeting took place").click()
    check_accessible()

    # 4. ... records attendance, the case's minutes and two actions, and approves the minutes.
    page.get_by_role("link", name="Record attendance").click()
    check_accessible()
    invitations = list(Invitation.objects.filter(meeting=meeting).select_related("agency").order_by("agency__name"))
    # One table row per invited agency: the whole list on about one screen (a fieldset each was 5,500 px for eight).
    table = page.locator("table.app-attendance").bounding_box()
    assert table is not None and table["height"] < 90 * len(invitations) + 150, (table, len(invitations))
    for line, invitation in enumerate(invitations, start=1):
        if invitation.agency.agency_type in (AgencyType.POLICE, AgencyType.PROBATION):
            prefix = f"#id_attendance-{line}"
            page.select_option(f"{prefix}-status", "present")
            page.fill(f"{prefix}-name", f"{invitation.agency.agency_type.title()} Representative")
            page.fill(f"{prefix}-role", "MAPPA lead")
            page.select_option(f"{prefix}-seniority", "2")
            page.check(f"{prefix}-confidentiality_acknowledged")
    page.get_by_role("button", name="Save attendance").click()
    check_accessible()
    page.get_by_role("link", name="JOURNEYMAN, Jordan").click()
    check_accessible()
    page.get_by_label("Summary of risk of serious harm").fill("High risk to a former partner; protective factors weak.")
    page.get_by_label("Decision", exact=True).select_option("same")
    page.get_by_label("Rationale", exact=True).fill("Multi-agency management still adds value.")
    page.get_by_role("button", name="Save minutes").click()
    check_accessible()
    page.get_by_role("link", name="Record a disclosure decision").click()
    check_accessible()
    page.get_by_label("Who is the information disclosed to?").fill("Former partner")
    page.get_by_label("What is disclosed").fill("Release date and exclusion zone")
    page.get_by_label("Why disclosure is necessary, lawful and proportionate").fill("To plan her safety.")
    page.get_by_label("The recipient's undertaking").fill("Will share only with her support worker.")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save disclosure decision").click()  # no reason for not telling: refused
    check_accessible()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("If not, why not").fill("Telling him would put her at risk.")
    page.get_by_role("button", name="Save disclosure decision").click()
    check_accessible()
    police = factories.agency(meeting.area, AgencyType.POLICE)
    due = timezone.localdate() + dt.timedelta(days=3)
    for description in ("Home visit to confirm the address", "Check compliance with the exclusion zone"):
        page.get_by_label("Plan heading").select_option("supervision")
        page.get_by_label("Action", exact=True).fill(description)
        page.get_by_label("Owning agency").select_option(str(police.pk))
        page.get_by_label("Named officer").fill("DC Synthetic")
        _fill_date(page, "id_due_date", due)
        page.get_by_role("button", name="Add action").click()
        check_accessible()
    page.get_by_role("link", name="Back to the meeting").click()
    page.get_by_role("button", name="Mark the minutes as drafted").click()
    check_accessible()
    page.get_by_role("button", name="Approve and circulate the minutes").click()
    check_accessible()
    assert page.get_by_text("Minutes approved and circulated").first.is_visible()

    # 4b. ... finds the panel by its type and in the month view, and the case and its actions by filters.
    page.get_by_role("link", name="Meetings", exact=True).first.click()
    check_accessible()
    page.get_by_role("link", name="All", exact=True).click()
    check_accessible()
    page.get_by_label("Type", exact=True).select_option("level_3")
    page.get_by_role("button", name="Apply filters").click()
    check_accessible()
    assert page.get_by_text("No meetings match the filters").is_visible()
    page.get_by_label("Type", exact=True).select_option("level_2")
    page.get_by_role("button", name="Apply filters").click()
    check_accessible()
    assert page.locator("table tbody").get_by_role("link").count() == 1
    page.get_by_role("link", name="See the month of panels").click()
    check_accessible()
    # The month view opens on this month (London time); the panel began an hour ago, which at 00:30 on
    # 1 April is still in March: then it is one month back.
    this_month, month = timezone.localdate(), timezone.localtime(starts_at)
    assert page.get_by_role("heading", level=1).inner_text() == f"Meetings in {this_month:%B %Y}"
    if (month.year, month.month) != (this_month.year, this_month.month):
        page.get_by_role("link", name="Previous month").click()
        check_accessible()
    assert page.get_by_role("heading", level=1).inner_text() == f"Meetings in {month:%B %Y}"
    assert page.locator(".app-calendar").get_by_role("link", name=f"{month:%H:%M} Level 2 panel").is_visible()
    page.get_by_role("link", name="Next month").click()
    check_accessible()
    page.get_by_role("link", name="Previous month").click()
    check_accessible()
    assert page.get_by_role("heading", level=1).inner_text() == f"Meetings in {month:%B %Y}"
    page.goto("/cases/")
    check_accessible()
    page.get_by_label("Category", exact=True).select_option("1")
    page.get_by_role("button", name="Apply filters").click()
    check_accessible()
    assert page.get_by_role("link", name="JOURNEYMAN, Jordan").count() == 0
    page.get_by_label("Category", exact=True).select_option("2")
    page.get_by_label("Level", exact=True).select_option("2")
    page.get_by_role("button", name="Apply filters").click()
    check_accessible()
    assert page.get_by_role("link", name="JOURNEYMAN, Jordan").is_visible()
    page.goto("/actions/")
    check_accessible()
    page.get_by_label("Owning agency").select_option(str(police.pk))
    page.get_by_label("Due", exact=True).select_option("week")
    page.get_by_role("button", name="Apply filters").click()
    check_accessible()
    assert page.get_by_role("link", name="Home visit to confirm the address").is_visible()
    sign_out(page)

    # 5. The police officer completes one of the actions.
    sign_in(page, police_officer)
    check_accessible()
    page.get_by_role("link", name="2 actions due soon").click()
    check_accessible()
    page.get_by_role("link", name="Home visit to confirm the address").click()
    check_accessible()
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Update", exact=True).fill("Visited; address confirmed with the landlord.")
    page.get_by_role("button", name="Save update").click()
    check_accessible()
    assert page.get_by_text("Completed on").is_visible()
    sign_out(page)

    # 6. The SMB member's statistics (the current year, to date) count the person in the Level 2
    # yearly total, Category 2. The page opens on the last complete year, so choose this one.
    sign_in(page, smb_member)
    check_accessible()
    from reporting.statistics import current_reporting_year

    page.get_by_label("Reporting year").select_option(str(current_reporting_year()))
    page.get_by_role("button", name="Show year").click()
    check_accessible()
    assert "(year to date)" in page.get_by_role("heading", level=1).inner_text()
    yearly = page.locator("#table-level_2_3_yearly")
    level_2 = (
        yearly.locator("tbody tr").filter(has=page.get_by_role("rowheader", name="Level 2", exact=True)).locator("td")
    )
    assert level_2.nth(1).inner_text().strip() == "1"  # Category 2
    assert level_2.nth(3).inner_text().strip() == "1"  # Total
    assert "JOURNEYMAN" not in page.content().upper()
    check_accessible.visited  # noqa: B018 - every page above was checked as it loaded
