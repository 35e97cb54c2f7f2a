"""The national data set's Level 2/3 panels, written in bulk (reporting/synthetic/meetings.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from mappa_workflow.models import reporting_year_bounds
from meetings.models import (
    ATTENDING,
    AgendaItem,
    Attendance,
    CaseMinutes,
    Meeting,
    MeetingState,
    RiskAction,
    RiskActionState,
)
from referrals.models import Registration, RegistrationPeriod, RegistrationStatus
from reporting.synthetic.generator import generate_area
from reporting.synthetic.meetings import generate_meetings
from tests.factories import northamptonshire

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 9, 17)


@pytest.fixture
def panels():
    area = northamptonshire()
    generate_area(area=area, seed=5, years=2, use_services=False)
    counts = generate_meetings(area=area, seed=5, today=TODAY, history_start=reporting_year_bounds(2023)[0])
    return area, counts


def test_every_case_on_a_panel_was_at_that_panels_level_on_the_day(panels):
    area, counts = panels
    assert counts.meetings == Meeting.objects.filter(area=area).count() > 20
    assert counts.agenda_items == AgendaItem.objects.count()
    for item in AgendaItem.objects.select_related("meeting"):
        day = item.meeting.meeting_date
        period = RegistrationPeriod.objects.on(day).get(registration_id=item.registration_id)
        assert period.level == item.meeting.level, (item, day)
    # a case appears once per panel, in agenda order
    assert not AgendaItem.objects.values("meeting", "registration").annotate(n=Count("id")).filter(n__gt=1).exists()


def test_past_panels_are_held_and_minuted_and_future_ones_scheduled(panels):
    area, _ = panels
    for meeting in Meeting.objects.filter(area=area).annotate(
        items=Count("agenda_items", distinct=True), people=Count("attendance", distinct=True)
    ):
        minuted = CaseMinutes.objects.filter(agenda_item__meeting=meeting).count()
        if meeting.meeting_date >= TODAY:
            assert (meeting.state, minuted, meeting.people) == (MeetingState.SCHEDULED, 0, 0)
        else:
            assert meeting.state in (MeetingState.HELD, MeetingState.MINUTES_APPROVED)
            assert minuted == meeting.items and meeting.people > 0
            if meeting.meeting_date < TODAY - dt.timedelta(weeks=2):
                assert meeting.state == MeetingState.MINUTES_APPROVED and meeting.minutes_approved_at
    for attendee in Attendance.objects.filter(status__in=ATTENDING):
        assert attendee.name and attendee.confidentiality_acknowledged_at


def test_actions_are_mostly_done_when_old_and_the_cases_next_review_is_set(panels):
    area, _ = panels
    old = RiskAction.objects.filter(area=area, due_date__lt=TODAY - dt.timedelta(days=180))
    assert old.filter(state=RiskActionState.COMPLETED).count() > 0.8 * old.count() > 0
    assert not RiskAction.objects.filter(due_date__gte=TODAY).exclude(state__in=["open", "in_progress"]).exists()
    assert RiskAction.objects.overdue(TODAY).exists()
    current = Registration.objects.filter(
        area=area, status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3]
    )
    assert current.exists()
    assert not current.filter(next_review_due__isnull=True, first_meeting_due__isnull=True).exists()


def test_a_second_run_for_the_same_area_adds_nothing(panels):
    area, _ = panels
    shape = list(Meeting.objects.filter(area=area).order_by("starts_at").values_list("id", "meeting_type", "state"))
    again = generate_meetings(area=area, seed=5, today=TODAY, history_start=reporting_year_bounds(2023)[0])
    assert again.meetings == 0
    assert (
        list(Meeting.objects.filter(area=area).order_by("starts_at").values_list("id", "meeting_type", "state"))
        == shape
    )
