"""With a real Celery worker on a real Redis: invitations, sweeps, retries and a broker outage.

The worker runs in a thread with its own database connection, so these tests commit for real
(``transaction=True``); the root conftest puts the reference data back after each flush.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from mappa_workflow.models import AgencyType
from meetings.models import MeetingType
from notifications import tasks
from notifications.models import MessageKind, MessageStatus, OutboxMessage
from tests import factories

from . import backends
from .conftest import UNREACHABLE_REDIS_URL, next_weekday_at, officer, risk_actions, use_broker, wait_until

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def sent_to(prefix: str) -> list:
    return [m for m in mail.outbox if m.subject.startswith(prefix)]


def test_scheduling_a_meeting_emails_each_invitee_a_valid_calendar_invitation(start_celery_worker, agency_inboxes):
    from meetings import services as meeting_services

    coordinator = factories.coordinator()
    chair = factories.chair()
    registration = factories.accepted_referral(level=2).registration
    with start_celery_worker():
        meeting = meeting_services.meeting_schedule(
            actor=coordinator,
            area=agency_inboxes,
            meeting_type=MeetingType.LEVEL_2,
            starts_at=next_weekday_at(10),
            chair=chair,
            venue="Wootton Hall, Northampton",
            registrations=[registration],
        )
        invitees = {chair.email} | {i.agency.email for i in meeting.invitations.select_related("agency")}
        wait_until(lambda: len(sent_to("Invitation:")) >= len(invitees), what="one invitation per invitee")

    invitations = sent_to("Invitation:")
    assert sorted(address for m in invitations for address in m.to) == sorted(invitees)
    for message in invitations:
        ((filename, content, mimetype),) = message.attachments
        assert filename.endswith(".ics") and mimetype == "text/calendar"
        calendar = Calendar.from_ical(content)
        assert str(calendar["METHOD"]) == "REQUEST"
        event = calendar.walk("VEVENT")[0]
        assert str(event["UID"]) == meeting.ics_uid
        assert event.decoded("DTSTART") == meeting.starts_at
    assert OutboxMessage.objects.filter(kind=MessageKind.MEETING_INVITATION, status=MessageStatus.SENT).count() == len(
        invitees
    )


def test_the_reminder_sweep_run_twice_sends_each_reminder_once(start_celery_worker):
    today = timezone.localdate()
    first, second = officer(AgencyType.PROBATION), officer(AgencyType.POLICE)
    risk_actions(first, [today - dt.timedelta(days=1), today + dt.timedelta(days=2)])
    risk_actions(second, [today])

    with start_celery_worker():
        tasks.send_action_reminders.delay()
        tasks.send_action_reminders.delay()
        wait_until(
            lambda: (
                OutboxMessage.objects.filter(kind=MessageKind.ACTION_REMINDER, status=MessageStatus.SENT).count() == 2
            ),
            what="both reminders sent",
        )
        wait_until(
            lambda: not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists(), what="the outbox to empty"
        )

    reminders = sent_to("MAPPA actions:")
    assert sorted(m.to[0] for m in reminders) == sorted([first.email, second.email])
    assert next(m for m in reminders if m.to == [first.email]).subject.startswith(
        "MAPPA actions: 1 overdue, 1 due soon"
    )


def test_a_delivery_that_fails_once_is_retried_and_succeeds(start_celery_worker, settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.FailOnceBackend"
    coordinator = factories.coordinator()
    backends.fail_next(1)

    with start_celery_worker():
        factories.submitted_referral()
        wait_until(lambda: len(mail.outbox) == 1, what="the retried delivery")

    message = OutboxMessage.objects.get(recipient_email=coordinator.email)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert backends.failures_left == 0
    assert mail.outbox[0].to == [coordinator.email]


def test_with_the_broker_down_the_request_succeeds_and_the_email_goes_when_it_is_back(
    client, redis_broker, start_celery_worker
):
    coordinator = factories.coordinator(is_staff=True)
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    factories.verify_client(client, coordinator)

    use_broker(UNREACHABLE_REDIS_URL)
    url = reverse("admin:referrals_referral_transition", args=[referral.pk, "submit"])
    response = client.post(url, {"confirm": "Submit"})
    assert response.status_code == 302, response.content[:300]  # the submission went through
    assert "/transition/" not in response.url and "login" not in response.url, response.url
    referral.refresh_from_db()
    assert referral.state == "submitted"
    waiting = OutboxMessage.objects.get(recipient_email=coordinator.email)
    assert waiting.status == MessageStatus.PENDING
    assert mail.outbox == []

    use_broker(redis_broker)  # the broker is back; beat's next drain picks the message up
    with start_celery_worker():
        tasks.drain_outbox.delay()
        wait_until(lambda: len(mail.outbox) == 1, what="the drained message")

    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.SENT
    assert mail.outbox[0].to == [coordinator.email]
    assert referral.reference in mail.outbox[0].subject
