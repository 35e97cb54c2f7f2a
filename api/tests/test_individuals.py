"""Individuals through the API: read only, and only the people the user's role and agency may see."""

from __future__ import annotations

import uuid

import pytest

from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent
from referrals import services
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/individuals/"


def test_list_needs_credentials(api):
    assert_problem(api().get(URL), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser"])
def test_statistics_only_roles_never_see_a_person(api, role):
    person = factories.IndividualFactory()
    user = getattr(factories, role)()
    assert_problem(api(user).get(URL), 403)
    assert_problem(api(user).get(f"{URL}{person.pk}/"), 403)


def test_a_coordinator_sees_the_area_and_searches_it(api):
    known = factories.accepted_referral(level=2).individual
    factories.IndividualFactory(given_names="Quentin", family_name="Zzyzx")
    outsider_area = Area.objects.exclude(slug="northamptonshire").first()
    factories.IndividualFactory(area=outsider_area)
    client = api(factories.coordinator())
    assert client.get(URL).json()["count"] == 2
    found = client.get(URL, {"search": known.family_name}).json()["results"]
    assert [p["id"] for p in found] == [str(known.pk)]
    assert found[0]["registration"]["level"] == 2
    assert found[0]["registration"]["category"] == 2
    assert found[0]["registration"]["location"] == "community"
    assert client.get(URL, {"registration_status": "level_2"}).json()["count"] == 1


def test_a_practitioner_sees_only_people_their_agency_is_involved_with(api):
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    factories.IndividualFactory()
    assert [p["id"] for p in api(referral.referring_officer).get(URL).json()["results"]] == [
        str(referral.individual_id)
    ]
    assert api(factories.practitioner(AgencyType.HOUSING)).get(URL).json()["count"] == 0


def test_category_4_needs_counter_terrorism_clearance(api):
    cleared = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    referral = factories.draft_referral(referrer=cleared, category=4)
    assert api(factories.coordinator()).get(URL).json()["count"] == 0
    assert_problem(api(factories.coordinator()).get(f"{URL}{referral.individual_id}/"), 404)
    assert api(factories.coordinator(counter_terrorism_cleared=True)).get(URL).json()["count"] == 1


def test_a_bad_filter_value_is_a_400(api):
    assert_problem(api(factories.coordinator()).get(URL, {"registration_status": "asleep"}), 400, "registration_status")


def test_individual_list_costs_the_same_queries_for_one_or_many(api, django_assert_num_queries):
    client = api(factories.coordinator())
    factories.accepted_referral(level=2)
    client.get(URL)
    # token + user, roles, count, page, aliases, active registrations, their open periods
    with django_assert_num_queries(7 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(URL).json()["count"] == 1
    for level in (2, 3, 2):
        referral = factories.accepted_referral(level=level)
        services.individual_update(
            actor=factories.coordinator(), individual=referral.individual, aliases=["A. N. Other", "Al"]
        )
    factories.IndividualFactory()
    with django_assert_num_queries(7 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(URL).json()["count"] == 5


def test_read_needs_credentials(api):
    assert_problem(api().get(f"{URL}{factories.IndividualFactory().pk}/"), 401)


def test_read_of_someone_not_visible_is_not_found(api):
    person = factories.IndividualFactory()
    assert_problem(api(factories.practitioner(AgencyType.POLICE)).get(f"{URL}{person.pk}/"), 404)
    outsider = factories.coordinator(area=Area.objects.exclude(slug="northamptonshire").first())
    assert_problem(api(outsider).get(f"{URL}{person.pk}/"), 404)
    assert_problem(api(factories.coordinator()).get(f"{URL}{uuid.uuid4()}/"), 404)


def test_reading_a_person_is_audited(api):
    person = factories.accepted_referral(level=3).individual
    coordinator = factories.coordinator()
    body = api(coordinator).get(f"{URL}{person.pk}/").json()
    assert body["family_name"] == person.family_name
    assert body["registration"]["level"] == 3
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(person.pk), actor=coordinator).exists()


def test_individuals_are_read_only(api):
    person = factories.IndividualFactory()
    client = api(factories.coordinator())
    assert_problem(client.post(URL, {"given_names": "X"}, format="json"), 405)
    assert_problem(client.delete(f"{URL}{person.pk}/"), 405)
