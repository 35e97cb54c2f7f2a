"""The admin's transition actions call the services; the demo is realistic and repeatable; the
state diagrams in docs/ match the code; timescales say on time, due soon or overdue and since when."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from mappa_workflow import diagrams
from mappa_workflow.audit import audit_trail_for
from mappa_workflow.models import AreaSettings
from mappa_workflow.working_days import subtract_working_days
from meetings import demo, selectors
from meetings.models import Meeting, MeetingState, RiskAction
from meetings.timescales import Timeliness, assess, case_timescale
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def admin_client(client):
    user = factories.coordinator(is_staff=True, is_superuser=True)
    factories.verify_client(client, user)
    return client, user


def test_cancelling_from_the_admin_goes_through_the_service(admin_client):
    client, user = admin_client
    meeting = factories.scheduled_meeting()
    url = reverse("admin:meetings_meeting_changelist")
    response = client.post(url, {"action": "cancel", "_selected_action": [meeting.pk], "reason": ""})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.SCHEDULED  # refused: no reason given

    client.post(url, {"action": "cancel", "_selected_action": [meeting.pk], "reason": "Chair unwell"})
    meeting.refresh_from_db()
    assert (meeting.state, meeting.cancellation_reason) == (MeetingState.CANCELLED, "Chair unwell")
    assert audit_trail_for(meeting)[-1].actor == user


def test_every_meeting_model_has_an_admin_page(admin_client):
    client, _ = admin_client
    meeting = factories.held_meeting(registrations=[factories.registration_at_level(2)])
    factories.full_attendance(meeting)
    for name in (
        "meeting",
        "agendaitem",
        "attendance",
        "invitation",
        "caseminutes",
        "riskaction",
        "panelmembership",
        "attendancerequirement",
        "meetingreschedule",
        "disclosuredecision",
        "riskactionupdate",
    ):
        assert client.get(reverse(f"admin:meetings_{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk])).status_code == 200


def test_the_demo_gives_the_same_meetings_for_the_same_seed():
    today = timezone.localdate()
    for level in (2, 2, 3, 2, 3):
        factories.registration_at_level(level, decided_on=today - dt.timedelta(days=120))
    area = factories.northamptonshire()

    def run(seed):
        with transaction.atomic():
            summary = demo.generate_demo_meetings(area=area, seed=seed, today=today)
            meetings = sorted(
                (m.meeting_type, m.starts_at, m.state, m.agenda_items.count(), m.attendance.count())
                for m in Meeting.objects.all()
            )
            actions = sorted((a.heading, a.description, a.state, a.due_date) for a in RiskAction.objects.all())
            transaction.set_rollback(True)
        return summary, meetings, actions

    summary, meetings, actions = run(7)
    assert summary.cases_minuted == 5 and summary.actions >= 5
    states = {state for _, _, state, _, _ in meetings}
    assert MeetingState.SCHEDULED in states and MeetingState.MINUTES_APPROVED in states
    assert run(7) == (summary, meetings, actions)


def test_the_state_diagrams_in_docs_match_the_code():
    stale = [p.name for p in diagrams.out_of_date() if p.name.startswith("meetings-")]
    assert stale == [], "run `python manage.py state_diagrams`"


def test_a_case_knows_whether_its_next_meeting_is_on_time_due_soon_or_overdue():
    registration = factories.registration_at_level(2, decided_on=timezone.localdate() - dt.timedelta(days=2))
    settings = AreaSettings.for_area(registration.area)
    due = registration.first_meeting_due
    # "Due soon" is counted in working days, like the timescale itself.
    soon_from = subtract_working_days(due, settings.due_soon_days)
    before = soon_from - dt.timedelta(days=1)
    assert case_timescale(registration, settings, today=before).status == Timeliness.ON_TIME
    soon = case_timescale(registration, settings, today=soon_from)
    assert (soon.status, soon.since) == (Timeliness.DUE_SOON, soon_from)
    late = case_timescale(registration, settings, today=due + dt.timedelta(days=4))
    assert (late.what, late.status, late.since) == ("first meeting", Timeliness.OVERDUE, due + dt.timedelta(days=1))
    overdue_cases = selectors.cases_due(area=registration.area, today=due + dt.timedelta(days=4))
    assert [c.timescale.status for c in overdue_cases] == [Timeliness.OVERDUE]


def test_done_on_or_before_the_due_date_is_on_time():
    day = dt.date(2026, 3, 2)
    assert assess(what="minutes", due=day, today=day, due_soon_days=5, done_on=day).status == Timeliness.DONE
    assert (
        assess(what="minutes", due=day, today=day, due_soon_days=5, done_on=day + dt.timedelta(1)).status
        == Timeliness.DONE_LATE
    )
