"""The case page asks "may this user see the person?" once: the query that read the person answers the
page's later checks (release planning, Level 1 review), but only for the same user as they stand now."""

from __future__ import annotations

import pytest
from django.utils import timezone

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


def _moved_to_another_area(user):
    user.area = Area.objects.exclude(pk=user.area_id).order_by("pk").first()


def _switched_off(user):
    user.is_active = False


@pytest.mark.parametrize("change", [_moved_to_another_area, _switched_off], ids=["moved area", "switched off"])
def test_the_mark_does_not_serve_the_same_account_once_changed(change):
    """The page's ``request.user`` is the instance the mark was left for: changed on that very instance (an
    administrator's edit saved in the same request, say), it is asked again and refused."""
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator(registration.area)
    person = _read_as(coordinator, registration.individual)
    change(coordinator)
    assert not permissions.can_view_individual(coordinator, person)


def _category_4_case():
    from referrals import services as referral_services

    referral = factories.submitted_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True), category=4
    )
    return referral_services.referral_decide(
        actor=factories.coordinator(referral.area, counter_terrorism_cleared=True),
        referral=referral,
        decision="level_2",
        rationale="Meets the threshold: high risk of serious harm needing active multi-agency management.",
        decided_on=timezone.localdate(),
    ).registration


def test_a_person_read_with_clearance_is_not_served_to_the_same_account_once_it_is_withdrawn():
    registration = _category_4_case()
    cleared = factories.coordinator(registration.area, counter_terrorism_cleared=True)
    person = _read_as(cleared, registration.individual)
    assert permissions.can_view_individual(cleared, person)
    cleared.counter_terrorism_cleared = False  # withdrawn while the page is being built
    assert not permissions.can_view_individual(cleared, person)


def test_a_category_4_person_read_with_clearance_is_still_known_as_category_4():
    """The barrier's answer is kept only for a user without clearance (their query excluded Category 4): a cleared
    user's read says nothing about it, so the same instance shown to anyone else is still barred."""
    registration = _category_4_case()
    cleared = factories.coordinator(registration.area, counter_terrorism_cleared=True)
    person = _read_as(cleared, registration.individual)
    assert permissions.is_category_4(person)
    assert permissions.category_4_barrier(factories.coordinator(registration.area), person)


def test_the_read_also_answers_the_category_4_barrier_without_a_query(django_assert_num_queries):
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator(registration.area)
    person = _read_as(coordinator, registration.individual)
    with django_assert_num_queries(0):
        assert not permissions.category_4_barrier(coordinator, person)
