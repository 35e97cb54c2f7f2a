"""The week around a panel, in a real browser with axe-core on every page (and again without JavaScript).

The co-ordinator adds a case found by search to a scheduled panel, moves it and then cancels it; each time the
invited agencies are emailed what changed. A police practitioner finds the panel under "My meetings", says
who will attend, sends a written report with a document, and after the panel reads the approved minutes of
the case they may see, and nothing else of the meeting.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType
from mappa_workflow.working_days import add_working_days
from tests import factories

from .helpers import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _bodies(meeting, kind: str) -> list[str]:
    from notifications.models import OutboxMessage

    return list(
        OutboxMessage.objects.filter(kind=kind, payload__meeting_id=str(meeting.pk))
        .order_by("-id")
        .values_list("body_text", flat=True)
    )


def test_the_coordinator_adds_a_case_reschedules_and_cancels_and_the_invitees_are_told(page, check_accessible):
    coordinator = factories.coordinator(username="coordinator")
    first = factories.registration_at_level(2)
    found = factories.registration_at_level(2)
    day = add_working_days(timezone.localdate(), 5)
    meeting = factories.scheduled_meeting("level_2", registrations=[first], starts_at=_at(day, 10), actor=coordinator)

    sign_in(page, coordinator)
    check_accessible()
    page.goto(f"/meetings/{meeting.pk}/")
    check_accessible()
    page.get_by_role("link", name="Add cases to the agenda").click()
    check_accessible()
    page.get_by_label("Find a case").fill(found.individual.family_name)
    page.get_by_role("button", name="Search").click()
    check_accessible()
    page.get_by_label(str(found.individual)).check()
    page.get_by_role("button", name="Add to the agenda").click()
    check_accessible()
    assert page.get_by_text("1 case added to the agenda").first.is_visible()
    assert any("1 case added to the agenda." in body for body in _bodies(meeting, "meeting_update"))

    page.get_by_role("link", name="Reschedule the meeting").click()
    check_accessible()
    later = add_working_days(day, 1)
    page.fill("#id_meeting_date_day", str(later.day))
    page.fill("#id_meeting_date_month", str(later.month))
    page.fill("#id_meeting_date_year", str(later.year))
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("Why is the meeting moving?").fill("The chair is in court that morning.")
    page.get_by_role("button", name="Reschedule and tell the invitees").click()
    check_accessible()
    moved = f"to {_at(later, 14):%A %-d %B %Y %H:%M}"
    assert any(
        moved in body and "The chair is in court that morning." in body for body in _bodies(meeting, "meeting_update")
    )

    page.get_by_role("link", name="Cancel the meeting").click()
    check_accessible()
    page.get_by_role("button", name="Cancel the meeting and tell the invitees").click()  # no reason: refused
    check_accessible()
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Why is the meeting cancelled?").fill("Both cases move to the Level 3 panel.")
    page.get_by_role("button", name="Cancel the meeting and tell the invitees").click()
    check_accessible()
    assert page.get_by_text("Cancelled: Both cases move to the Level 3 panel.").is_visible()
    cancellations = _bodies(meeting, "meeting_cancellation")
    assert cancellations and all("Reason: Both cases move to the Level 3 panel." in b for b in cancellations)
    sign_out(page)


def test_a_practitioner_answers_reports_and_reads_only_the_approved_minutes_of_their_case(
    page, check_accessible, tmp_path
):
    from meetings import services as meeting_services

    police_officer = factories.practitioner(AgencyType.POLICE, username="police.officer")
    coordinator = factories.coordinator(username="coordinator", counter_terrorism_cleared=True)
    visible = factories.registration_at_level(2)
    # A name no random user, agency or other person can share: the page must not show it by accident either
    hidden = factories.registration_at_level(2, individual=factories.IndividualFactory(family_name="Quixwellby"))
    day = add_working_days(timezone.localdate(), 5)
    meeting = factories.scheduled_meeting(
        "level_2", registrations=[visible, hidden], starts_at=_at(day, 10), actor=coordinator
    )
    # Terrorism-risk information arrives about the second person: only cleared staff may see them now.
    from referrals import services as referral_services

    referral_services.registration_change_circumstances(
        actor=factories.coordinator(counter_terrorism_cleared=True),
        registration=hidden,
        effective_date=timezone.localdate(),
        reason="Terrorism-risk information received",
        category=4,
    )
    document = tmp_path / "police-report.pdf"
    document.write_bytes(PDF)

    sign_in(page, police_officer)
    check_accessible()
    page.get_by_role("link", name="My meetings").first.click()
    check_accessible()
    page.get_by_role("link", name=str(meeting)).click()
    check_accessible()
    assert str(hidden.individual.family_name).upper() not in page.content().upper()
    page.get_by_role("link", name=f"Send your written report on {visible.individual}").click()
    check_accessible()
    page.get_by_label("Current risk").fill("High risk to a former partner.")
    page.get_by_label("Changes since the last meeting").fill("New address in Corby since last month.")
    page.get_by_label("Your agency's contribution").fill("Neighbourhood team visits weekly.")
    page.get_by_label("Attach a document (optional)").set_input_files(str(document))
    page.get_by_role("button", name="Send report").click()
    check_accessible()
    assert page.get_by_text("Report sent").first.is_visible()
    page.get_by_role("link", name="Say whether your agency will attend").click()
    check_accessible()
    page.get_by_label("Apologies, written report sent").check()
    page.get_by_label("Who will attend, or who is sending apologies").fill("DC Pat Synthetic")
    page.get_by_role("button", name="Send answer").click()
    check_accessible()
    assert page.get_by_text("Apologies, written report sent (DC Pat Synthetic)").is_visible()
    sign_out(page)

    # The panel sits (moved into the past rather than waiting) and its minutes are approved.
    from meetings.models import Meeting

    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=3), ends_at=timezone.now() - dt.timedelta(hours=1)
    )
    meeting = meeting_services.meeting_record_held(actor=coordinator, meeting=Meeting.objects.get(pk=meeting.pk))
    factories.full_attendance(meeting)
    for item in meeting.agenda_items.all():
        meeting_services.case_minutes_record(actor=coordinator, item=item, minutes=factories.minutes_input())
    meeting = meeting_services.meeting_draft_minutes(actor=coordinator, meeting=meeting)
    meeting_services.meeting_approve_minutes(actor=coordinator, meeting=meeting)

    sign_in(page, police_officer)
    check_accessible()
    page.goto(f"/meetings/{meeting.pk}/")
    check_accessible()
    assert page.get_by_role("link", name="in full (PDF)").count() == 0
    page.get_by_role("link", name=f"Read the minutes for {visible.individual}").click()
    check_accessible()
    assert page.get_by_role("heading", name="Risk management plan").is_visible()
    assert page.get_by_text("Curfew 19:00-07:00").first.is_visible()
    assert str(hidden.individual.family_name).upper() not in page.content().upper()
    sign_out(page)
