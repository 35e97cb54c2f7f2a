"""The case page asks "may this user see the person?" once: the query that read the person answers the
page's later checks (release planning, Level 1 review), but only for the same user as they stand now."""

from __future__ import annotations

import pytest

from mappa_workflow.models import AgencyType, Area
from need_to_know import permissions
from tests import factories

pytestmark = pytest.mark.django_db


def _read_as(user, individual):
    found = permissions.visible_individuals(user).get(pk=individual.pk)
    permissions.individual_read_as_visible(user, found)
    return found


def test_a_person_read_through_the_visible_people_needs_no_second_query(django_assert_num_queries):
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator(registration.area)
    person = _read_as(coordinator, registration.individual)
    with django_assert_num_queries(0):
        assert permissions.can_view_individual(coordinator, person)


def test_the_mark_does_not_let_a_practitioner_through_after_their_agency_changes():
    registration = factories.registration_at_level(2)
    area = registration.area
    lead = registration.periods.get(end_date__isnull=True).lead_agency
    practitioner = factories.practitioner(lead.agency_type, area)
    person = _read_as(practitioner, registration.individual)
    assert permissions.can_view_individual(practitioner, person)

    practitioner.agency = factories.agency(area, AgencyType.HOUSING)  # moved to an agency with no part in the case
    practitioner.save()
    assert not permissions.can_view_individual(practitioner, person)


def test_the_mark_is_one_users_and_not_anothers():
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator(registration.area)
    person = _read_as(coordinator, registration.individual)
    elsewhere = factories.coordinator(Area.objects.exclude(pk=registration.area_id).order_by("pk").first())
    housing = factories.practitioner(AgencyType.HOUSING, registration.area)
    assert not permissions.can_view_individual(elsewhere, person)
    assert not permissions.can_view_individual(housing, person)


def test_a_person_marked_for_a_role_since_removed_is_asked_again():
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator(registration.area)
    person = _read_as(coordinator, registration.individual)
    coordinator.role_assignments.all().delete()
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)  # as the next request loads the account
    assert not permissions.can_view_individual(coordinator, person)


def test_nobody_signed_out_leaves_or_uses_a_mark():
    from django.contrib.auth.models import AnonymousUser

    registration = factories.registration_at_level(2)
    person = registration.individual
    permissions.individual_read_as_visible(AnonymousUser(), person)
    assert not permissions.can_view_individual(AnonymousUser(), person)
