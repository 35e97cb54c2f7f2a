"""The outbox without a broker: what is written, when it is sent, and that nothing is sent twice."""

from __future__ import annotations

import datetime as dt
import smtplib
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from mappa_workflow.models import AgencyType
from notifications import outbox, selectors, services
from notifications.models import MessageKind, MessageStatus, OutboxMessage
from referrals import services as referral_services
from tests import factories

from .conftest import officer, risk_actions

pytestmark = [pytest.mark.django_db(transaction=False), pytest.mark.calendar]


def deliver_all() -> list[str]:
    return [outbox.outbox_deliver(message_id=pk).outcome for pk in OutboxMessage.objects.values_list("pk", flat=True)]


REAL_PUBLISH = outbox.publish


@pytest.fixture
def real_publish():
    """The real publish, with no pause left by an earlier test's failure (the pause is per process)."""
    outbox.publish_resume()
    yield REAL_PUBLISH
    outbox.publish_resume()


@pytest.fixture(autouse=True)
def no_broker():
    """These tests call the services directly: record what would be published instead of publishing it."""
    with mock.patch.object(outbox, "publish", return_value=True) as publish:
        yield publish


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the code under test defers to after commit, as a real request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_submitted_referral_tells_each_coordinator_once(commit, no_broker):
    first, second = factories.coordinator(), factories.coordinator()
    referral = factories.draft_referral(individual=factories.unmistakable_individual())

    with commit():
        referral_services.referral_submit(actor=referral.referring_officer, referral=referral)

    messages = OutboxMessage.objects.filter(kind=MessageKind.REFERRAL_UPDATE)
    assert sorted(m.recipient_email for m in messages) == sorted([first.email, second.email])
    assert no_broker.call_count == 2  # one delivery task per message, published after commit
    assert deliver_all() == ["sent", "sent"]
    assert deliver_all() == ["already sent", "already sent"]
    assert len(mail.outbox) == 2
    assert referral.reference in mail.outbox[0].subject
    assert referral.individual.family_name not in mail.outbox[0].body  # no personal details in email
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_the_same_event_received_twice_writes_one_message(commit):
    factories.coordinator()
    with commit():
        referral = factories.submitted_referral()
    before = OutboxMessage.objects.count()

    again = services.referral_transition_notify(referral_id=referral.pk, transition="submit")

    assert again == 0
    assert OutboxMessage.objects.count() == before


def test_a_decision_is_sent_to_the_referrer(commit):
    with commit():
        referral = factories.accepted_referral(level=3)
    to_referrer = OutboxMessage.objects.get(recipient_email=referral.referring_officer.email)
    assert "Accepted at Level 3" in to_referrer.subject
    assert "First meeting due by" in to_referrer.body_text


def test_an_smtp_error_is_retried_with_backoff_then_given_up(settings, commit):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BACKOFF_SECONDS = 10
    factories.coordinator()
    with commit():
        factories.submitted_referral()
    message = OutboxMessage.objects.get()

    with mock.patch("notifications.outbox.send_email", side_effect=smtplib.SMTPServerDisconnected("gone")):
        with pytest.raises(outbox.RetryLater) as first:
            outbox.outbox_deliver(message_id=message.pk)
        with pytest.raises(outbox.RetryLater) as second:
            outbox.outbox_deliver(message_id=message.pk)
        assert outbox.outbox_deliver(message_id=message.pk).outcome == "failed"

    assert (first.value.countdown, second.value.countdown) == (10, 20)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 3
    assert "SMTPServerDisconnected" in message.last_error
    assert mail.outbox == []


def test_a_message_another_worker_holds_is_not_sent_again(commit):
    factories.coordinator()
    with commit():
        factories.submitted_referral()
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_until=timezone.now() + dt.timedelta(minutes=5)
    )
    assert outbox.outbox_deliver(message_id=message.pk).outcome == "claimed elsewhere"
    assert mail.outbox == []

    # The worker died: once its lease is over, the drain's task sends it.
    OutboxMessage.objects.filter(pk=message.pk).update(claimed_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox.outbox_deliver(message_id=message.pk).outcome == "sent"
    assert len(mail.outbox) == 1


def test_the_drain_republishes_only_what_is_waiting(settings, no_broker, commit):
    settings.NOTIFICATIONS_DRAIN_GRACE_SECONDS = 0
    factories.coordinator()
    with commit():
        factories.submitted_referral()
        factories.submitted_referral()
    sent, waiting = OutboxMessage.objects.all()
    outbox.outbox_deliver(message_id=sent.pk)
    no_broker.reset_mock()

    assert outbox.outbox_drain() == 1
    no_broker.assert_called_once()
    assert no_broker.call_args.args[1] == waiting.pk


def test_a_broker_failure_while_publishing_is_logged_not_raised(caplog, real_publish):
    task = mock.Mock()
    task.name = "notifications.deliver"
    task.apply_async.side_effect = ConnectionRefusedError("broker down")

    assert real_publish(task, 7) is False
    assert "the outbox drain will pick it up" in caplog.text


def test_action_reminders_group_each_officers_actions_into_one_email_a_day(settings):
    owner = officer(AgencyType.PROBATION)
    today = timezone.localdate()
    overdue, soon, _later_one = risk_actions(
        owner, [today - dt.timedelta(days=2), today + dt.timedelta(days=3), today + dt.timedelta(days=30)]
    )

    assert services.action_reminders_send(today=today) == 1
    assert services.action_reminders_send(today=today) == 0  # a second sweep the same day adds nothing

    reminder = OutboxMessage.objects.get(kind=MessageKind.ACTION_REMINDER)
    assert reminder.recipient_email == owner.email
    assert reminder.subject.startswith("MAPPA actions: 1 overdue, 1 due soon")
    assert set(reminder.payload["action_ids"]) == {str(overdue.pk), str(soon.pk)}
    assert services.action_reminders_send(today=today + dt.timedelta(days=1)) == 1  # tomorrow is a new day


def test_coordinator_alerts_and_weekly_digest_name_what_is_due():
    coordinator = factories.coordinator()
    referral = factories.accepted_referral(level=3, decided_on=timezone.localdate() - dt.timedelta(days=30))
    owner = officer(AgencyType.POLICE)
    risk_actions(owner, [timezone.localdate() - dt.timedelta(days=1)])

    coordinators = selectors.coordinators(coordinator.area).count()  # the factories make some too

    assert services.coordinator_alerts_send() == coordinators
    assert services.coordinator_alerts_send() == 0
    alert = OutboxMessage.objects.get(kind=MessageKind.COORDINATOR_ALERT, recipient_email=coordinator.email)
    # Each case is a link, never an identifier: the body is written when the alert is decided and may be
    # sent later (a broker outage), when the case may have become Category 4.
    assert (
        f"/cases/{referral.individual_id}/" in alert.body_text
        and f"/cases/{referral.individual_id}/" in alert.body_html
    )
    for identifier in (referral.individual.visor_reference, referral.individual.family_name):
        assert identifier not in alert.body_text and identifier not in alert.body_html
    assert "(overdue)" in alert.body_text

    assert services.weekly_digest_send() == coordinators
    assert services.weekly_digest_send() == 0
    digest = OutboxMessage.objects.get(kind=MessageKind.WEEKLY_DIGEST, recipient_email=coordinator.email)
    assert "1 actions overdue" in digest.subject
    assert f"- {owner.agency}: 1 overdue, 0 due" in digest.body_text
    assert f"/cases/{referral.individual_id}/" in digest.body_text
    assert referral.individual.visor_reference not in digest.body_text + digest.body_html
