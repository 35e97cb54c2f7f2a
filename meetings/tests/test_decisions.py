"""Decisions in the minutes change the case through the referral workflow: a referral moves from
the threshold meeting to its first panel, and a panel's level decision moves the level periods."""

import datetime as dt

import pytest
from django.utils import timezone

from meetings import selectors, services
from meetings.models import AgendaItemKind, CaseDecision, MeetingType
from referrals.models import ExitReason, ReferralState, RegistrationStatus
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _minute(meeting, decision, **overrides):
    item = meeting.agenda_items.get()
    return services.case_minutes_record(
        actor=meeting.created_by, item=item, minutes=factories.minutes_input(decision, **overrides)
    )


def test_a_referral_moves_from_the_threshold_meeting_to_its_first_level_3_panel():
    day = timezone.localdate() - dt.timedelta(days=3)
    waiting = factories.submitted_referral(submitted_on=day - dt.timedelta(days=2))
    factories.draft_referral()  # not submitted: not for screening
    threshold = factories.held_meeting("threshold", days_ago=3)
    item = threshold.agenda_items.get()
    assert (item.kind, item.referral) == (AgendaItemKind.SCREENING, waiting)

    _minute(
        threshold,
        CaseDecision.ACCEPT_LEVEL_3,
        why_level_2_cannot_manage="Needs police surveillance resources at short notice.",
    )
    waiting.refresh_from_db()
    assert waiting.state == ReferralState.ACCEPTED_LEVEL_3
    assert waiting.decided_on == day
    registration = waiting.registration
    assert registration.status == RegistrationStatus.LEVEL_3
    due = selectors.cases_due(area=threshold.area, level=3)
    assert [(c.registration, c.timescale.what, c.timescale.due) for c in due] == [
        (registration, "first meeting", waiting.first_meeting_due)
    ]

    panel = factories.scheduled_meeting(MeetingType.LEVEL_3, registrations=[c.registration for c in due])
    assert panel.agenda_items.get().kind == AgendaItemKind.FIRST_MEETING


def test_asking_for_more_information_at_the_threshold_meeting_sends_the_referral_back():
    referral = factories.submitted_referral(submitted_on=timezone.localdate() - dt.timedelta(days=5))
    threshold = factories.held_meeting("threshold", days_ago=2, referrals=[referral])
    _minute(threshold, CaseDecision.MORE_INFORMATION, rationale="Send the latest OASys risk assessment.")
    referral.refresh_from_db()
    assert referral.state == ReferralState.MORE_INFORMATION_REQUESTED
    assert referral.more_information_request == "Send the latest OASys risk assessment."


def test_moving_a_case_up_at_a_level_2_panel_closes_the_level_2_period_on_the_meeting_date():
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", days_ago=2, registrations=[registration])
    minutes = _minute(meeting, CaseDecision.LEVEL_UP)
    registration.refresh_from_db()
    periods = [(p.start_date, p.end_date, p.level) for p in registration.periods.order_by("start_date")]
    assert periods == [
        (registration.started_on, meeting.meeting_date, 2),
        (meeting.meeting_date, None, 3),
    ]
    assert registration.status == RegistrationStatus.LEVEL_3
    # The next review follows the new level's cadence (8 weeks at Level 3 by default).
    assert registration.next_review_due == minutes.next_review_date == meeting.meeting_date + dt.timedelta(weeks=8)


def test_moving_a_case_down_from_level_3_sets_the_level_2_review_cadence():
    registration = factories.registration_at_level(3)
    meeting = factories.held_meeting("level_3", registrations=[registration])
    _minute(meeting, CaseDecision.LEVEL_DOWN)
    registration.refresh_from_db()
    assert [p.level for p in registration.periods.order_by("start_date")] == [3, 2]
    assert registration.next_review_due == meeting.meeting_date + dt.timedelta(weeks=16)


def test_an_exit_decision_ends_the_registration_on_the_meeting_date():
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[registration])
    _minute(meeting, CaseDecision.EXIT, exit_reason=ExitReason.LICENCE_OR_ORDER_ENDED)
    registration.refresh_from_db()
    assert (registration.status, registration.ended_on) == (RegistrationStatus.EXITED, meeting.meeting_date)
    assert registration.periods.get().end_date == meeting.meeting_date


def test_the_panel_may_choose_an_earlier_review_within_the_cadence():
    registration = factories.registration_at_level(2)
    meeting = factories.held_meeting("level_2", registrations=[registration])
    earlier = meeting.meeting_date + dt.timedelta(weeks=4)
    _minute(meeting, CaseDecision.SAME_LEVEL, next_review_date=earlier)
    registration.refresh_from_db()
    assert registration.next_review_due == earlier
    assert [p.level for p in registration.periods.all()] == [2]
