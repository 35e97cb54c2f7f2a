"""Two people act on the same record: the second, working from what they loaded before the first acted,
is told it changed and nothing of theirs is saved. Runs on SQLite too (no row lock needed to see it)."""

from __future__ import annotations

import pytest

from mappa_workflow.exceptions import ConcurrentChangeError
from referrals import services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = pytest.mark.django_db


def test_acting_on_a_referral_someone_else_has_just_decided_is_refused_and_changes_nothing():
    referral = factories.submitted_referral()
    seen_by_second_coordinator = Referral.objects.get(pk=referral.pk)  # loaded while still submitted
    services.referral_decide(
        actor=factories.coordinator(), referral=referral, decision="level_2", rationale="Meets the threshold."
    )

    with pytest.raises(ConcurrentChangeError) as refused:
        services.referral_decide(
            actor=factories.coordinator(),
            referral=seen_by_second_coordinator,
            decision="level_1",
            rationale="Can be managed by the lead agency.",
        )
    assert refused.value.status_code == 409
    fresh = Referral.objects.get(pk=referral.pk)
    assert fresh.state == ReferralState.ACCEPTED_LEVEL_2
    assert fresh.registration is not None and fresh.registration.level == 2
