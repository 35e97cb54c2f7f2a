"""The agenda, the meeting (with everything its minutes show) and the actions list each take a
fixed number of queries however many cases and actions there are."""

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType
from meetings import selectors, services
from meetings.pdf import minutes_html
from tests import factories

pytestmark = pytest.mark.django_db


def _busy_meeting(cases: int):
    registrations = [factories.registration_at_level(2) for _ in range(cases)]
    meeting = factories.held_meeting("level_2", registrations=registrations)
    factories.full_attendance(meeting)
    for item in meeting.agenda_items.all():
        minutes = services.case_minutes_record(actor=meeting.created_by, item=item, minutes=factories.minutes_input())
        services.disclosure_decision_record(
            actor=meeting.created_by, case_minutes=minutes, recipient="Partner", what_is_disclosed="Offence",
            why="Protect her children", recipient_undertaking="Confidential", individual_told=True,
        )  # fmt: skip
        for heading in ("supervision", "contingency"):
            services.risk_action_create(
                actor=meeting.created_by, case_minutes=minutes, heading=heading, description="Visit",
                owning_agency=factories.agency(meeting.area, AgencyType.POLICE), officer_name="DC Synthetic",
                due_date=timezone.localdate() + dt.timedelta(days=7),
            )  # fmt: skip
    follow_up = factories.scheduled_meeting("level_2", registrations=registrations)
    return meeting, follow_up


def _read_agenda(meeting):
    return [
        (
            str(item.individual),
            [p.level for p in item.registration.period_list],
            [(a.owning_agency.name, len(a.updates.all())) for a in item.actions_to_review.all()],
        )
        for item in selectors.meeting_agenda(meeting)
    ]


def _read_actions(area):
    return [
        (
            str(a.registration.individual),
            a.owning_agency.name,
            a.case_minutes.agenda_item.meeting.starts_at,
            a.update_count,
        )
        for a in selectors.action_list(area=area)
    ]


def _read_meetings(area):
    return [(str(m), str(m.chair), m.case_count) for m in selectors.meeting_list(area=area)]


@pytest.mark.parametrize("cases", [1, 4])
def test_query_counts_do_not_grow_with_the_number_of_cases(cases, django_assert_max_num_queries):
    meeting, follow_up = _busy_meeting(cases)
    area = meeting.area

    with django_assert_max_num_queries(4):
        agenda = _read_agenda(follow_up)
    assert len(agenda) == cases and all(len(actions) == 2 for _, _, actions in agenda)

    with django_assert_max_num_queries(1):
        actions = _read_actions(area)
    assert len(actions) == 2 * cases

    with django_assert_max_num_queries(1):
        assert len(_read_meetings(area)) == 2

    # The meeting page and its minutes: everything the PDF shows, in a fixed number of queries.
    with django_assert_max_num_queries(11):
        html = minutes_html(meeting)
    assert html.count("Disclosure to Partner") == cases
