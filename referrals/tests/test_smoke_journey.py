import datetime as dt

import pytest

from mappa_workflow.audit import audit_trail_for, verify_chain
from referrals import services
from referrals.models import LifeEventType, Location, ReferralState, RegistrationStatus
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_referral_accepted_at_level_2_opens_a_registration_with_a_first_meeting_due():
    referral = factories.accepted_referral(level=2, decided_on=dt.date(2025, 12, 19))
    assert referral.state == ReferralState.ACCEPTED_LEVEL_2
    registration = referral.registration
    assert registration.status == RegistrationStatus.LEVEL_2
    # 20 working days from Friday 19 December 2025: Christmas, Boxing Day and New Year's Day excluded
    assert referral.first_meeting_due == dt.date(2026, 1, 21)
    period = registration.periods.get()
    assert (period.category, period.level, period.location) == (2, 2, Location.COMMUNITY)
    trail = [e.transition or e.action for e in audit_trail_for(referral)]
    assert trail == ["create", "submit", "accept_at_level_2"]
    assert verify_chain()[1] is None


def test_return_to_custody_closes_the_community_period():
    referral = factories.accepted_referral(level=2, decided_on=dt.date(2025, 1, 6))
    officer = factories.coordinator()
    services.life_event_record(
        actor=officer,
        individual=referral.individual,
        event_type=LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
        occurred_on=dt.date(2025, 3, 1),
    )
    periods = list(referral.registration.periods.order_by("start_date"))
    assert [(p.start_date, p.end_date, p.location) for p in periods] == [
        (dt.date(2025, 1, 6), dt.date(2025, 3, 1), Location.COMMUNITY),
        (dt.date(2025, 3, 1), None, Location.CUSTODY),
    ]
