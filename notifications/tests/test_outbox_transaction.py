"""The outbox rows a change causes are written in the change's own transaction.

The lost-message case of issue 14: the process making a change can lose its connection (or die)
the instant after the change commits, before any after-commit hook runs. The change's messages
must already be in the outbox then; and a change that rolls back must leave none.
"""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import transaction

from mappa_workflow import changes
from meetings.models import Meeting
from notifications import outbox
from notifications.models import MessageKind, OutboxMessage
from referrals import services as referral_services
from tests import factories

from .conftest import schedule_level_2

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_meeting_whose_after_commit_hooks_never_run_still_has_its_invitations(
    agency_inboxes, django_capture_on_commit_callbacks
):
    registration = factories.accepted_referral(level=2).registration
    OutboxMessage.objects.all().delete()

    # execute=False: the change commits, then the connection drops (or the process dies) before
    # any on_commit hook runs. A receiver writing rows after commit would leave 0 rows here.
    with django_capture_on_commit_callbacks(execute=False) as hooks:
        meeting = schedule_level_2(agency_inboxes, registration)

    assert hooks, "the delivery tasks are still published after commit"
    invitations = OutboxMessage.objects.filter(kind=MessageKind.MEETING_INVITATION)
    expected = {meeting.chair.email.lower()} | {
        i.agency.email.lower() for i in meeting.invitations.select_related("agency")
    }
    assert {m.recipient_email for m in invitations} == expected
    assert len(expected) > 1


def test_a_referral_submitted_without_after_commit_hooks_still_tells_the_coordinators(
    django_capture_on_commit_callbacks,
):
    coordinator = factories.coordinator()
    referral = factories.draft_referral(individual=factories.unmistakable_individual())

    with django_capture_on_commit_callbacks(execute=False):
        referral_services.referral_submit(actor=referral.referring_officer, referral=referral)

    addresses = set(
        OutboxMessage.objects.filter(kind=MessageKind.REFERRAL_UPDATE).values_list("recipient_email", flat=True)
    )
    assert coordinator.email in addresses


def test_a_change_that_rolls_back_leaves_no_message(agency_inboxes):
    registration = factories.accepted_referral(level=2).registration
    OutboxMessage.objects.all().delete()

    with pytest.raises(RuntimeError, match="after the rows"), transaction.atomic():
        schedule_level_2(agency_inboxes, registration)
        assert OutboxMessage.objects.exists()
        raise RuntimeError("a later step of the same request fails after the rows were written")

    assert not Meeting.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_message_that_cannot_be_written_rolls_the_change_back(agency_inboxes):
    registration = factories.accepted_referral(level=2).registration

    with (
        mock.patch("notifications.services.render_email", side_effect=RuntimeError("template broken")),
        pytest.raises(RuntimeError, match="template broken"),
    ):
        schedule_level_2(agency_inboxes, registration)

    assert not Meeting.objects.exists()


def test_outbox_enqueue_refuses_to_run_outside_the_change_transaction(agency_inboxes):
    with (
        mock.patch("django.db.connection.in_atomic_block", False),
        pytest.raises(RuntimeError, match="inside the transaction"),
    ):
        changes.announce(about="meeting", object_id="x", change="scheduled")


def test_a_broker_outage_costs_a_request_one_fast_attempt_then_nothing(settings):
    """Publishing is one attempt; after a failure it pauses, so 20 messages do not pay 20 timeouts."""
    settings.NOTIFICATIONS_PUBLISH_PAUSE_SECONDS = 30
    task = mock.Mock()
    task.name = "notifications.deliver"
    task.apply_async.side_effect = ConnectionRefusedError("broker down")
    outbox.publish_resume()
    try:
        started = time.monotonic()
        results = [outbox.publish(task, n) for n in range(20)]
        elapsed = time.monotonic() - started
    finally:
        outbox.publish_resume()

    assert results == [False] * 20
    assert task.apply_async.call_count == 1
    assert task.apply_async.call_args.kwargs["retry"] is False
    assert elapsed < 0.5


def test_each_message_has_a_stable_rfc_5322_message_id(django_capture_on_commit_callbacks):
    from django.core import mail

    factories.coordinator()
    with django_capture_on_commit_callbacks(execute=False):
        factories.submitted_referral()
    message = OutboxMessage.objects.first()
    assert message is not None
    header = outbox.message_id_header(message)
    assert header.startswith("<outbox.") and header.endswith(">") and "@" in header

    with mock.patch("notifications.outbox.publish", return_value=True):
        assert outbox.outbox_deliver(message_id=message.pk).outcome == "sent"
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", sent_at=None)
    assert outbox.outbox_deliver(message_id=message.pk).outcome == "sent"  # a resend, as after a crash

    ids = [m.extra_headers["Message-ID"] for m in mail.outbox]
    assert ids == [header, header]
    assert mail.outbox[0].message()["Message-ID"] == header


def test_marking_sent_survives_a_dropped_database_connection(django_capture_on_commit_callbacks):
    """The SMTP server accepted the message; the first UPDATE meets a dropped connection, the retry
    records it sent, so it is not sent again."""
    from django.core import mail
    from django.db import OperationalError

    factories.coordinator()
    with django_capture_on_commit_callbacks(execute=False):
        factories.submitted_referral()
    message = OutboxMessage.objects.first()
    assert message is not None
    calls = {"n": 0}
    real = outbox._with_database_retries

    def flaky(what, update, **kwargs):  # type: ignore[no-untyped-def]
        def first_fails():  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 1:
                raise OperationalError("terminating connection due to administrator command")
            return update()

        return real(what, first_fails, **kwargs)

    with mock.patch.object(outbox, "_with_database_retries", flaky), mock.patch.object(outbox.connection, "close"):
        assert outbox.outbox_deliver(message_id=message.pk).outcome == "sent"
    assert calls["n"] == 2
    assert outbox.outbox_deliver(message_id=message.pk).outcome == "already sent"
    assert len(mail.outbox) == 1
