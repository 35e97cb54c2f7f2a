"""Two co-ordinators screen the same referral at the same moment: one wins, the other is told to reload."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from conftest import skip_or_fail
from mappa_workflow.exceptions import ConcurrentChangeError, WorkflowError
from mappa_workflow.models import AuditEvent
from referrals import services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL=postgres://... to run this test")


def test_two_simultaneous_decisions_on_one_referral_one_wins_and_the_other_gets_a_conflict():
    referral = factories.submitted_referral()
    first, second = factories.coordinator(), factories.coordinator()
    # Both co-ordinators loaded the referral while it was awaiting screening.
    copies = [Referral.objects.get(pk=referral.pk), Referral.objects.get(pk=referral.pk)]
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(name, actor, copy, decision):
        try:
            start.wait()
            services.referral_decide(actor=actor, referral=copy, decision=decision, rationale=f"{name}'s view")
            outcomes[name] = "won"
        except WorkflowError as exc:
            outcomes[name] = exc
        finally:
            connections.close_all()

    # Both ask for Level 2, so each decision would be valid on its own.
    threads = [
        threading.Thread(target=decide, args=("first", first, copies[0], "level_2")),
        threading.Thread(target=decide, args=("second", second, copies[1], "level_2")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    results = sorted(outcomes.values(), key=lambda o: o != "won")
    assert results[0] == "won"
    assert isinstance(results[1], ConcurrentChangeError)
    assert "changed by someone else" in results[1].message
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED_LEVEL_2
    assert referral.individual.registrations.count() == 1
    decisions = AuditEvent.objects.filter(object_id=str(referral.pk), transition="accept_at_level_2")
    assert decisions.count() == 1
