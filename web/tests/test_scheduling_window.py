"""A case never disappears from scheduling because of the calendar.

The co-ordinator's story: on Wednesday 2 December 2026 a Level 2 referral is accepted; its first
meeting is due 20 working days later, on Monday 4 January 2027 (Christmas Day, the Boxing Day
substitute and New Year's Day fall in between). A Level 2 panel booked for the next morning, or for
23 December, must offer that case; any other Level 2 case of the area can be found and added.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AreaSettings, AuditEvent
from meetings.models import Meeting
from referrals import services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

LONDON = ZoneInfo("Europe/London")
CASES = "web:meeting_schedule_cases"


@pytest.fixture
def wednesday_2_december_2026():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=LONDON), tick=True):
        yield


def _start_scheduling(client, day: dt.date, meeting_type: str = "level_2") -> None:
    response = client.post(
        reverse("web:meeting_schedule"),
        {
            "meeting_type": meeting_type,
            "meeting_date_day": day.day, "meeting_date_month": day.month, "meeting_date_year": day.year,
            "start_time": "10:00", "duration_minutes": "120", "chair": factories.chair().pk, "venue": "Wootton Hall",
        },
    )  # fmt: skip
    assert response.status_code == 302 and response.url == reverse(CASES), response.content.decode()[:2000]


def _checkbox(page: str, registration) -> str:
    """The checkbox input of ``registration`` on the page ('' when it is not offered)."""
    marker = f'value="{registration.pk}"'
    at = page.find(marker)
    if at < 0:
        return ""
    return page[page.rfind("<input", 0, at) : page.find(">", at) + 1]


def _book(client) -> Meeting:
    response = client.post(reverse("web:meeting_schedule_check"))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Meeting.objects.order_by("-created_at").first()


@pytest.mark.parametrize("panel_day", [dt.date(2026, 12, 3), dt.date(2026, 12, 23)], ids=["tomorrow", "23-december"])
def test_a_case_due_after_the_christmas_bank_holidays_is_booked_onto_a_panel_before_them(
    signed_in, wednesday_2_december_2026, panel_day
):
    registration = factories.registration_at_level(2, decided_on=dt.date(2026, 12, 2))
    assert registration.first_meeting_due == dt.date(2027, 1, 4)  # 20 working days
    client = signed_in(factories.coordinator())
    _start_scheduling(client, panel_day)

    page = client.get(reverse(CASES)).content.decode()
    checkbox = _checkbox(page, registration)
    assert checkbox, "the case due first is not offered"
    assert " checked" in checkbox  # due, not booked: preselected
    assert "First meeting due" in page and "4 January 2027" in page

    client.post(reverse(CASES), {"cases": [str(registration.pk)]})
    meeting = _book(client)
    assert [item.registration for item in meeting.agenda_items.all()] == [registration]


def test_cases_overdue_by_the_meeting_are_offered_and_marked_overdue(signed_in, wednesday_2_december_2026):
    late = factories.registration_at_level(2, decided_on=dt.date(2026, 10, 1))  # due 29 October
    client = signed_in(factories.coordinator())
    _start_scheduling(client, dt.date(2026, 12, 8))
    page = client.get(reverse(CASES)).content.decode()
    assert " checked" in _checkbox(page, late)
    assert "First meeting due 29 October 2026: overdue by the meeting" in page
    assert "govuk-tag--red" in page


def test_the_window_is_the_areas_in_working_days(signed_in, wednesday_2_december_2026):
    """A case due 10 working days after the meeting is offered with a window of 10, not with 9."""
    registration = factories.registration_at_level(2, decided_on=dt.date(2026, 11, 20))  # due 18 December
    settings = AreaSettings.for_area(registration.area)
    client = signed_in(factories.coordinator())
    _start_scheduling(client, dt.date(2026, 12, 4))  # Friday; 10 working days later is Friday 18 December

    settings.scheduling_window_working_days = 9
    settings.save()
    assert _checkbox(client.get(reverse(CASES)).content.decode(), registration) == ""
    settings.scheduling_window_working_days = 10
    settings.save()
    assert _checkbox(client.get(reverse(CASES)).content.decode(), registration)


def test_any_case_at_the_level_is_found_by_name_or_reference_and_added(signed_in, wednesday_2_december_2026):
    due = factories.registration_at_level(2, decided_on=dt.date(2026, 12, 1))
    later = factories.registration_at_level(2, individual=factories.unmistakable_individual())
    later.next_review_due = dt.date(2027, 5, 1)  # far outside the window
    later.save(update_fields=["next_review_due"])
    client = signed_in(factories.coordinator())
    _start_scheduling(client, dt.date(2026, 12, 3))
    assert _checkbox(client.get(reverse(CASES)).content.decode(), later) == ""

    # Searching keeps what is already ticked, then offers the match, unticked.
    found = client.post(
        reverse(CASES), {"cases": [str(due.pk)], "q": later.individual.family_name, "search": "1"}
    ).content.decode()
    assert " checked" in _checkbox(found, due)
    assert _checkbox(found, later) and " checked" not in _checkbox(found, later)
    assert "Review due by 1 May 2027" in found

    searched = AuditEvent.objects.filter(object_type="list", details__what="cases for the agenda").latest("id")
    assert searched.details["search"] == {"q": later.individual.family_name}
    assert str(later.individual_id) in searched.details["individual_ids"]

    by_reference = client.post(
        reverse(CASES), {"cases": [str(due.pk)], "q": later.individual.visor_reference, "search": "1"}
    ).content.decode()
    assert _checkbox(by_reference, later)

    client.post(reverse(CASES), {"cases": [str(due.pk), str(later.pk)]})
    again = client.get(reverse(CASES)).content.decode()  # back from the check page: both still ticked
    assert " checked" in _checkbox(again, due) and " checked" in _checkbox(again, later)
    meeting = _book(client)
    assert {item.registration for item in meeting.agenda_items.all()} == {due, later}


def test_search_offers_no_case_the_coordinator_may_not_add(signed_in, wednesday_2_december_2026):
    """Not another level, not another area, not Category 4 without clearance; a forged id is ignored."""
    level_3 = factories.registration_at_level(3, individual=factories.unmistakable_individual())
    elsewhere_area = factories.Area.objects.exclude(pk=factories.northamptonshire().pk).first()
    elsewhere = factories.registration_at_level(
        2,
        individual=factories.unmistakable_individual(area=elsewhere_area),
        referrer=factories.practitioner(area=elsewhere_area),
    )
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    category_4 = services.referral_decide(
        actor=cleared,
        referral=factories.submitted_referral(
            referrer=factories.practitioner(counter_terrorism_cleared=True),
            individual=factories.unmistakable_individual(),
            category=4,
            submitted_on=dt.date(2026, 12, 1),
        ),
        decision="level_2",
        rationale="Terrorism-connected risk needing active multi-agency management.",
        decided_on=dt.date(2026, 12, 1),
    ).registration
    client = signed_in(factories.coordinator())
    _start_scheduling(client, dt.date(2026, 12, 3))
    assert _checkbox(client.get(reverse(CASES)).content.decode(), category_4) == ""  # due, but not for them
    for case in (level_3, elsewhere, category_4):
        page = client.post(reverse(CASES), {"q": case.individual.visor_reference, "search": "1"}).content.decode()
        assert case.individual.family_name.upper() not in page.upper() and _checkbox(page, case) == ""
        assert "No other case at this level matches" in page
    forged = client.post(
        reverse(CASES), {"cases": [str(level_3.pk), str(elsewhere.pk), str(category_4.pk), "not-a-uuid"]}
    )
    assert forged.status_code == 200 and "Select at least one case for the agenda" in forged.content.decode()
    assert not Meeting.objects.exists()


def test_an_empty_search_names_the_field_and_keeps_the_agenda(signed_in, wednesday_2_december_2026):
    due = factories.registration_at_level(2, decided_on=dt.date(2026, 12, 1))
    client = signed_in(factories.coordinator())
    _start_scheduling(client, dt.date(2026, 12, 3))
    page = client.post(reverse(CASES), {"cases": [str(due.pk)], "q": "  ", "search": "1"}).content.decode()
    assert "govuk-error-summary" in page and 'href="#q"' in page and "Enter a name or reference" in page
    assert "<title>Error: Cases for the agenda" in page and "Error: Error:" not in page
    assert " checked" in _checkbox(page, due)


def test_nothing_due_still_lets_the_coordinator_search(signed_in):
    client = signed_in(factories.coordinator())
    _start_scheduling(client, timezone.localdate() + dt.timedelta(days=1))
    page = client.get(reverse(CASES)).content.decode()
    assert "No case at this level is due in that time" in page and 'id="q"' in page


def test_hidden_matches_never_crowd_out_the_cases_a_coordinator_may_see(wednesday_2_december_2026):
    """The search's limit counts only visible cases: a Category 4 match sorted first leaves room for the rest."""
    from need_to_know import selectors

    cleared = factories.coordinator(counter_terrorism_cleared=True)
    hidden = services.referral_decide(
        actor=cleared,
        referral=factories.submitted_referral(
            referrer=factories.practitioner(counter_terrorism_cleared=True),
            individual=factories.IndividualFactory(family_name="Aardvark-Searchable"),
            category=4,
            submitted_on=dt.date(2026, 12, 1),
        ),
        decision="level_2",
        rationale="Terrorism-connected risk needing active multi-agency management.",
        decided_on=dt.date(2026, 12, 1),
    ).registration
    visible = factories.registration_at_level(2, individual=factories.IndividualFactory(family_name="Zebra-Searchable"))
    area = visible.area

    def found(user):
        return [c.registration for c in selectors.cases_at_level_matching(
            user=user, area=area, level=2, term="Searchable", limit=1
        )]  # fmt: skip

    assert found(factories.coordinator()) == [visible]
    assert found(cleared) == [hidden]
