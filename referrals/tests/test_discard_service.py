"""Discarding a draft referral, asked of the service: only the referring agency and the area's co-ordinators may,
a sent referral is never discarded, the audit row keeps what went, and the person goes with the draft only when
nothing else is recorded about them."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from referrals import services
from referrals.models import Individual, LifeEventType, Referral
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_referrer_discards_a_draft_and_the_audit_row_keeps_what_went_and_who():
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer)
    person = draft.individual
    services.referral_discard(actor=referrer, referral=draft)
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert not Individual.objects.filter(pk=person.pk).exists()
    event = AuditEvent.objects.get(transition="discard")
    assert (event.actor, event.area_id, event.object_id) == (referrer, draft.area_id, str(draft.pk))
    assert (event.from_state, event.to_state) == ("draft", "discarded")
    assert event.reason == "Draft discarded before it was sent"
    assert event.details == {"reference": draft.reference, "individual": str(person.pk), "individual_deleted": True}


def test_another_agency_cannot_discard_a_draft_and_nothing_goes():
    draft = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    with pytest.raises(NotPermitted):
        services.referral_discard(actor=factories.practitioner(AgencyType.HOUSING), referral=draft)
    assert Referral.objects.filter(pk=draft.pk).exists() and not AuditEvent.objects.filter(transition="discard")


def test_a_sent_referral_is_withdrawn_not_discarded():
    sent = factories.submitted_referral()
    with pytest.raises(WorkflowError) as refused:
        services.referral_discard(actor=factories.coordinator(), referral=sent)
    assert refused.value.errors == {
        "__all__": ["Only a draft can be discarded: a referral that has been sent can be withdrawn"]
    }
    assert Referral.objects.filter(pk=sent.pk).exists()


def _kept(person) -> bool:
    draft = factories.draft_referral(individual=person)
    services.referral_discard(actor=factories.coordinator(), referral=draft)
    event = AuditEvent.objects.filter(transition="discard").latest("pk")
    kept = Individual.objects.filter(pk=person.pk).exists()
    assert event.details["individual_deleted"] is not kept
    return kept


def test_a_person_known_for_anything_else_is_kept():
    registered = factories.registration_at_level(2).individual  # a registration, its periods, its referral
    assert _kept(registered)

    with_another_draft = factories.IndividualFactory()
    factories.draft_referral(individual=with_another_draft)
    assert _kept(with_another_draft)

    with_an_event = factories.IndividualFactory()
    services.life_event_record(
        actor=factories.coordinator(),
        individual=with_an_event,
        event_type=LifeEventType.SHPO_IMPOSED,
        occurred_on=timezone.localdate(),
    )
    assert _kept(with_an_event)

    nobody_else = factories.IndividualFactory()
    assert not _kept(nobody_else)
