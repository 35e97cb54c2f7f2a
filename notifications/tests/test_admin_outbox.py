import pytest

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditEvent
from notifications.models import MessageKind, MessageStatus, OutboxMessage
from notifications.outbox import outbox_retry

pytestmark = pytest.mark.django_db


def failed_message(**kwargs):
    return OutboxMessage.objects.create(
        kind=MessageKind.ACTION_REMINDER,
        recipient_email="officer@example.invalid",
        dedupe_key=kwargs.pop("dedupe_key", "reminder:1:2026-11-20"),
        subject="Actions due",
        body_text="...",
        status=MessageStatus.FAILED,
        attempts=6,
        last_error="SMTP 451 try later",
        **kwargs,
    )


def test_an_administrator_can_try_a_failed_message_again_and_it_is_audited():
    message = failed_message()
    retried = outbox_retry(actor=None, message=message)
    assert (retried.status, retried.attempts) == (MessageStatus.PENDING, 0)
    row = AuditEvent.objects.get(object_id=str(message.pk), transition="retry")
    assert (row.from_state, row.to_state) == ("failed", "pending")


def test_a_message_already_sent_is_not_sent_again():
    message = failed_message(dedupe_key="sent-one")
    OutboxMessage.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING)
    message.refresh_from_db()
    with pytest.raises(WorkflowError) as refused:
        outbox_retry(actor=None, message=message)
    assert "status" in refused.value.errors


def test_only_an_administrator_may_retry():
    from mappa_workflow.exceptions import NotPermitted
    from tests import factories

    with pytest.raises(NotPermitted):
        outbox_retry(actor=factories.coordinator(), message=failed_message(dedupe_key="x"))
