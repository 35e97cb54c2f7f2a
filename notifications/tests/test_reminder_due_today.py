"""An action due today is reminded today: it is neither overdue nor forgotten."""

from __future__ import annotations

from unittest import mock

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType
from notifications import outbox, services
from notifications.models import MessageKind, OutboxMessage

from .conftest import officer, risk_actions

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def test_an_action_due_today_is_in_todays_reminder_as_due_not_overdue():
    owner = officer(AgencyType.POLICE)
    today = timezone.localdate()
    (due_today,) = risk_actions(owner, [today])

    with mock.patch.object(outbox, "publish", return_value=True):
        assert services.action_reminders_send(today=today) == 1

    reminder = OutboxMessage.objects.get(kind=MessageKind.ACTION_REMINDER)
    assert reminder.payload["action_ids"] == [str(due_today.pk)]
    assert reminder.subject.startswith("MAPPA actions: 0 overdue, 1 due soon")
