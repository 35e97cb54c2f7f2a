"""The base app's two seams fail closed: a permission check never passes for want of the need-to-know rules,
and a change never commits without the messages it owes for want of the notifications app."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from mappa_workflow import changes, roles
from notifications.announcements import outbox_enqueue
from notifications.models import OutboxMessage
from referrals import services as referral_services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_need_to_know_rules_and_the_notifications_announcer_are_registered_when_django_starts():
    assert roles._object_barriers, "the Category 4 barrier is registered by need_to_know"
    assert changes._announcer is outbox_enqueue


def test_without_the_need_to_know_rules_a_permission_check_refuses_to_answer(monkeypatch):
    referral = factories.draft_referral()
    coordinator = factories.coordinator(area=referral.area)
    assert roles.has_perm(coordinator, "referrals.view_referral", referral)

    monkeypatch.setattr(roles, "_object_barriers", [])

    with pytest.raises(ImproperlyConfigured, match="need-to-know rules are not loaded"):
        roles.has_perm(coordinator, "referrals.view_referral", referral)
    with pytest.raises(ImproperlyConfigured):
        roles.require(coordinator, "referrals.screen_referral", referral)


def test_without_an_announcer_a_referral_is_not_submitted_and_no_message_is_half_written(monkeypatch):
    referral = factories.draft_referral()
    monkeypatch.setattr(changes, "_announcer", None)

    with pytest.raises(ImproperlyConfigured, match="No announcer"):
        referral_services.referral_submit(actor=referral.referring_officer, referral=referral)

    assert Referral.objects.get(pk=referral.pk).state == ReferralState.DRAFT
    assert not OutboxMessage.objects.exists()


def test_a_change_the_announcer_has_no_messages_for_is_refused_not_dropped():
    with transaction.atomic(), pytest.raises(ValueError, match="No messages are defined"):
        changes.announce(about="nothing", object_id=0, change="happened")
