"""Two co-ordinators book the same chair for the same hour at the same moment: one booking stands."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from conftest import skip_or_fail
from mappa_workflow.exceptions import WorkflowError
from meetings.models import Meeting
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL=postgres://... to run this test")


def test_two_simultaneous_bookings_of_one_chair_leave_one_meeting():
    chair = factories.chair()
    coordinators = [factories.coordinator(), factories.coordinator()]
    start = threading.Barrier(2)
    outcomes: list[object] = []

    def book(actor):
        try:
            start.wait()
            factories.scheduled_meeting(actor=actor, chair_user=chair)
            outcomes.append("booked")
        except WorkflowError as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=book, args=(c,)) for c in coordinators]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes.count("booked") == 1
    refused = next(o for o in outcomes if o != "booked")
    assert "chair" in refused.errors
    assert Meeting.objects.filter(chair=chair).count() == 1
