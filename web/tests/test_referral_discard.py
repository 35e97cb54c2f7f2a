"""A referrer discards a draft that will not be sent: confirmed, audited, and gone from the lists; a sent
referral cannot be discarded (it is withdrawn, and kept)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType, AuditEvent
from referrals.models import Individual, Referral
from tests import factories

from .test_referral_pages import PERSON

pytestmark = pytest.mark.django_db


def test_a_draft_is_discarded_after_confirming_and_the_audit_trail_keeps_who_and_what(signed_in):
    user = factories.practitioner(AgencyType.PROBATION)
    client = signed_in(user)
    client.post(reverse("web:referral_start"), PERSON)
    referral = Referral.objects.get()
    check = client.get(reverse("web:referral_check", args=[referral.pk])).content.decode()
    assert f'href="{reverse("web:referral_discard", args=[referral.pk])}">Discard this draft' in check

    confirm = client.get(reverse("web:referral_discard", args=[referral.pk])).content.decode()
    assert "Discard this draft referral about" in confirm and Referral.objects.exists()  # a GET changes nothing

    response = client.post(reverse("web:referral_discard", args=[referral.pk]))
    assert response.status_code == 302 and response.url == reverse("web:referral_list")
    assert not Referral.objects.exists()
    assert not Individual.objects.exists()  # added for this draft alone
    event = AuditEvent.objects.get(transition="discard")
    assert event.actor == user and event.details["reference"] == referral.reference
    listing = client.get(reverse("web:referral_list")).content.decode()
    assert f"Draft referral {referral.reference} about" in listing and "discarded" in listing


def test_discarding_a_draft_about_someone_known_keeps_the_person(signed_in):
    registration = factories.registration_at_level(2)
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer, individual=registration.individual)
    signed_in(referrer).post(reverse("web:referral_discard", args=[draft.pk]))
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert Individual.objects.filter(pk=registration.individual_id).exists()


def test_a_sent_referral_cannot_be_discarded_nor_by_another_agency(signed_in):
    sent = factories.submitted_referral()
    client = signed_in(sent.referring_officer)
    assert client.post(reverse("web:referral_discard", args=[sent.pk])).status_code == 302
    assert Referral.objects.filter(pk=sent.pk).exists()

    draft = factories.draft_referral()
    other = signed_in(factories.practitioner(AgencyType.HOUSING))
    assert other.post(reverse("web:referral_discard", args=[draft.pk])).status_code in (403, 404)
    assert Referral.objects.filter(pk=draft.pk).exists()
