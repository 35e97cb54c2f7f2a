"""The four ways a Category 4 or another agency's person reached someone the rules keep them from
(issue 13), each as the outside tester found it. Every test here failed before the fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mappa_workflow.models import AgencyType, Area, Role
from meetings import services as meeting_services
from notifications import services as notification_services
from notifications.models import OutboxMessage
from referrals import services as referral_services
from referrals.models import Individual, Referral
from tests import factories
from tests.canaries import outbox_text

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    cache.clear()  # the per-user throttle
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
    return client


def _staff(user):
    user.is_staff = user.is_superuser = True  # every model permission: only the rules may narrow what is shown
    user.save()
    return user


def _young_person_in_custody(family_name: str):
    person = factories.IndividualFactory(
        family_name=family_name, date_of_birth=timezone.localdate() - dt.timedelta(days=16 * 365 + 100)
    )
    return factories.registration_at_level(
        2, individual=person, current_location="custody", proposed_release_address="Not yet known"
    )


def _make_category_4(registration):
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    referral_services.registration_change_circumstances(
        actor=cleared,
        registration=registration,
        effective_date=timezone.localdate(),
        reason="Terrorism-risk information received",
        category=4,
    )


def _bodies(messages) -> str:
    return "\n".join(outbox_text(m) for m in messages)


# 1. Invitation reasons named the people whose needs called for an agency, as stored when written.


def test_invitation_reasons_name_only_cases_the_reader_may_see_now():
    staying = _young_person_in_custody("Canaryvisible-Shaw")
    turning = _young_person_in_custody("Canarycatfour-Glover")
    leaving = _young_person_in_custody("Canaryremoved-Price")
    meeting = factories.scheduled_meeting("level_2", registrations=[staying, turning, leaving])
    coordinator = meeting.created_by
    prison = factories.practitioner(AgencyType.PRISON)

    def reasons(user) -> str:
        response = _api(user).get(reverse("api:meeting-detail", args=[meeting.pk]))
        assert response.status_code == 200, response.content
        return " ".join(i["reason"] for i in response.json()["invitations"])

    assert "CANARYCATFOUR-GLOVER" in reasons(coordinator).upper()  # composed at read time: names are shown

    _make_category_4(turning)
    meeting_services.meeting_remove_case(
        actor=coordinator, meeting=meeting, item=meeting.agenda_items.get(registration=leaving), reason="Recalled"
    )
    for reader in (coordinator, prison, meeting.chair):
        shown = reasons(reader).upper()
        assert "CANARYVISIBLE-SHAW" in shown
        assert "CANARYCATFOUR-GLOVER" not in shown
        assert "CANARYREMOVED-PRICE" not in shown
    assert "CANARYCATFOUR-GLOVER" in reasons(factories.coordinator(counter_terrorism_cleared=True)).upper()
    # Nothing stored names anyone, so no copy (admin, exports, a backup) can go stale.
    assert not any("CANARY" in i.reason.upper() for i in meeting.invitations.all())


def test_invitation_emails_and_calendar_files_name_nobody():
    registration = _young_person_in_custody("Canaryemail-Doyle")
    meeting = factories.scheduled_meeting("level_2", registrations=[registration])
    notification_services.meeting_change_notify(meeting_id=meeting.pk, change="scheduled")
    messages = list(OutboxMessage.objects.all())
    assert messages
    assert "CANARYEMAIL-DOYLE" not in _bodies(messages).upper()
    assert registration.individual.visor_reference not in _bodies(messages)


# 2. The admin's meeting page listed every case on the agenda, Category 4 included.


def test_the_admin_meeting_page_shows_no_category_4_case_to_an_uncleared_administrator(client):
    visible = factories.registration_at_level(2)
    hidden = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting("level_2", registrations=[visible, hidden])
    type(hidden.individual).objects.filter(pk=hidden.individual_id).update(family_name="Canaryadmin-Walsh")
    _make_category_4(hidden)
    administrators = (
        _staff(factories.UserFactory(roles=[Role.ADMINISTRATOR])),
        _staff(factories.coordinator()),
        _staff(factories.UserFactory(area=Area.objects.get(slug="kent"), roles=[Role.ADMINISTRATOR])),
    )
    for user in administrators:
        factories.verify_client(client, user)
        page = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
        assert page.status_code == 200
        assert "CANARYADMIN-WALSH" not in page.content.decode().upper()
        assert hidden.individual.visor_reference not in page.content.decode()


# 3. The admin's referral page offered a <select> of every person of every area.


def test_the_admin_referral_page_offers_no_list_of_people(client):
    referral = factories.submitted_referral()
    elsewhere = factories.IndividualFactory(area=Area.objects.get(slug="kent"), family_name="Canaryotherarea-Lloyd")
    catfour = factories.IndividualFactory(family_name="Canaryselect-Hughes")
    factories.draft_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True),
        individual=catfour,
        category=4,
    )
    factories.verify_client(client, _staff(factories.coordinator()))
    page = client.get(reverse("admin:referrals_referral_change", args=[referral.pk])).content.decode()
    assert str(referral.individual) in page  # shown, read-only
    assert 'name="individual"' not in page
    for name in ("CANARYOTHERAREA-LLOYD", "CANARYSELECT-HUGHES"):
        assert name not in page.upper()
    assert str(elsewhere.pk) not in page and str(catfour.pk) not in page


# 4. A police practitioner could create a referral in housing's name.


def test_a_practitioner_refers_for_their_own_agency_only():
    police = factories.practitioner(AgencyType.POLICE)
    housing = factories.agency(police.area, AgencyType.HOUSING)
    person = {
        "given_names": "Sam",
        "family_name": "Canaryreferral-Ward",
        "date_of_birth": "1980-02-03",
        "gender": "male",
    }
    body = {"person": person, "referring_agency": housing.pk, "level_requested": 2, "category": 2}
    response = _api(police).post(reverse("api:referral-list"), body, format="json")
    assert response.status_code == 400, response.content
    assert "referring_agency" in response.json()["errors"]
    assert not Referral.objects.exists() and not Individual.objects.exists()

    own = _api(police).post(reverse("api:referral-list"), {**body, "referring_agency": police.agency_id}, format="json")
    assert own.status_code == 201, own.content
    assert Referral.objects.get().referring_agency == police.agency


def test_a_coordinator_may_still_record_a_referral_for_an_agency_of_their_area():
    coordinator = factories.coordinator()
    housing = factories.agency(coordinator.area, AgencyType.HOUSING)
    person = factories.IndividualFactory(area=coordinator.area)
    referral = referral_services.referral_create(
        actor=coordinator, individual=person, referring_agency=housing, level_requested=2
    )
    assert referral.referring_agency == housing
