"""Co-ordinators who work as one team get one "awaiting screening" email in their shared inbox, not a copy each."""

from __future__ import annotations

import pytest

from mappa_workflow.models import AreaSettings
from notifications.models import MessageKind, OutboxMessage
from referrals import services as referral_services
from tests import factories

pytestmark = [pytest.mark.django_db]


def _submit(django_capture_on_commit_callbacks) -> None:
    referral = factories.draft_referral(individual=factories.unmistakable_individual())
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.referral_submit(actor=referral.referring_officer, referral=referral)


def test_three_co_ordinators_of_one_team_get_one_email_in_the_team_inbox(django_capture_on_commit_callbacks):
    for _ in range(3):
        factories.coordinator()
    settings = AreaSettings.for_area(factories.northamptonshire())
    settings.coordination_team_email = "mappa-team@example.invalid"
    settings.save()

    _submit(django_capture_on_commit_callbacks)

    sent = OutboxMessage.objects.filter(kind=MessageKind.REFERRAL_UPDATE)
    assert [m.recipient_email for m in sent] == ["mappa-team@example.invalid"]


def test_co_ordinators_sharing_one_address_get_one_email(django_capture_on_commit_callbacks):
    factories.coordinator(email="Shared.Team@example.invalid")
    factories.coordinator(email="shared.team@example.invalid")
    _submit(django_capture_on_commit_callbacks)
    assert OutboxMessage.objects.filter(kind=MessageKind.REFERRAL_UPDATE).count() == 1
