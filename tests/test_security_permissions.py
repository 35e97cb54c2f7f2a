"""Who sees which case: area isolation, roles, agency involvement, Category 4, and the same answer
from the list querysets and the single-object permissions."""

from __future__ import annotations

import pytest

from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import AgencyType, Area, Role
from need_to_know import permissions as p
from referrals import services
from tests import factories

pytestmark = pytest.mark.django_db


def other_area() -> Area:
    return Area.objects.exclude(slug="northamptonshire").filter(agencies__agency_type=AgencyType.POLICE).first()


def test_a_coordinator_and_a_chair_see_every_case_of_their_area_and_none_of_another():
    mine = factories.accepted_referral()
    theirs_area = other_area()
    theirs = factories.IndividualFactory(area=theirs_area)
    for user in (factories.coordinator(), factories.chair()):
        assert list(p.visible_individuals(user)) == [mine.individual]
        assert mine in p.visible_referrals(user)
        assert p.has_perm(user, "referrals.view_individual", mine.individual)
        assert not p.has_perm(user, "referrals.view_individual", theirs)
    assert theirs in p.visible_individuals(factories.coordinator(area=theirs_area))


def test_a_practitioner_sees_only_cases_their_agency_referred_and_changes_only_its_referrals():
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    colleague = factories.practitioner(AgencyType.PROBATION)
    police = factories.practitioner(AgencyType.POLICE)
    assert referral.individual in p.visible_individuals(colleague)
    assert referral in p.visible_referrals(colleague)
    assert not p.visible_individuals(police).exists()
    assert not p.visible_referrals(police).exists()
    with pytest.raises(NotPermitted):
        services.referral_update(actor=police, referral=referral, reason_for_referral="Changed by another agency")
    with pytest.raises(NotPermitted):
        services.individual_update(actor=police, individual=referral.individual, family_name="Changed")


def test_a_practitioner_invited_to_a_meeting_about_a_person_sees_that_person_and_the_minutes():
    registration = factories.registration_at_level(2)
    housing = factories.practitioner(AgencyType.HOUSING)
    assert not p.visible_individuals(housing).filter(pk=registration.individual_id).exists()
    meeting = factories.scheduled_meeting(registrations=[registration])
    assert meeting.invitations.filter(agency=housing.agency).exists(), "housing is on the core panel"
    assert p.visible_individuals(housing).filter(pk=registration.individual_id).exists()
    assert p.visible_registrations(housing).filter(pk=registration.pk).exists()
    assert p.visible_meetings(housing).filter(pk=meeting.pk).exists()
    assert p.has_perm(housing, "meetings.view_minutes", meeting.agenda_items.get())
    # An agency not invited and with no other involvement sees nothing of it.
    dwp = factories.practitioner(AgencyType.DWP)
    assert not p.visible_meetings(dwp).exists()
    assert not p.visible_individuals(dwp).exists()


def test_a_practitioner_whose_agency_owns_an_action_sees_the_case_and_updates_only_its_own_actions():
    from meetings import services as meeting_services

    action = factories.risk_action(owning_agency_type=AgencyType.ELECTRONIC_MONITORING)
    monitoring = factories.practitioner(AgencyType.ELECTRONIC_MONITORING)
    police = factories.practitioner(AgencyType.POLICE)
    assert p.visible_individuals(monitoring).filter(pk=action.registration.individual_id).exists()
    assert action in p.my_agency_risk_actions(monitoring)
    assert p.has_perm(monitoring, "meetings.update_risk_action", action)
    assert action in p.visible_risk_actions(police), "police attended the panel, so see the plan"
    assert not p.has_perm(police, "meetings.update_risk_action", action)
    with pytest.raises(NotPermitted):
        meeting_services.risk_action_start(actor=police, action=action)


@pytest.mark.parametrize("role", [Role.SMB_MEMBER, Role.LAY_ADVISER])
def test_smb_members_and_lay_advisers_see_statistics_and_never_a_person(role):
    factories.accepted_referral()
    user = factories.UserFactory(roles=[role])
    assert p.has_perm(user, "reporting.view_statistics")
    for helper in (p.visible_individuals, p.visible_referrals, p.visible_registrations, p.visible_meetings):
        assert not helper(user).exists()
    assert not p.visible_risk_actions(user).exists()


def test_category_4_needs_counter_terrorism_clearance_whatever_the_role():
    cleared_referrer = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    referral = factories.draft_referral(referrer=cleared_referrer, category=4)
    coordinator = factories.coordinator()
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    assert not p.visible_individuals(coordinator).exists()
    assert not p.visible_referrals(coordinator).exists()
    assert not p.has_perm(coordinator, "referrals.view_referral", referral)
    assert p.has_perm(cleared, "referrals.view_referral", referral)
    # The barrier is in front of every permission a service checks, not only the view ones.
    submitted = services.referral_submit(actor=cleared_referrer, referral=referral)
    with pytest.raises(NotPermitted):
        services.referral_request_more_information(actor=coordinator, referral=submitted, request="More please")
    # Nobody uncleared can start or turn a referral into Category 4.
    uncleared = factories.practitioner(AgencyType.POLICE)
    with pytest.raises(NotPermitted):
        factories.draft_referral(referrer=uncleared, category=4)
    ordinary = factories.draft_referral(referrer=uncleared)
    with pytest.raises(NotPermitted):
        services.referral_update(actor=uncleared, referral=ordinary, category=4)


def test_the_superuser_flag_does_not_bypass_area_isolation_or_category_4():
    referral = factories.draft_referral(referrer=factories.practitioner(counter_terrorism_cleared=True), category=4)
    superuser = factories.UserFactory(area=other_area(), is_superuser=True, is_staff=True)
    assert superuser.has_perm("referrals.screen_referral", referral), "Django's own check lets a superuser do anything"
    assert not p.has_perm(superuser, "referrals.screen_referral", referral)
    assert not p.has_perm(superuser, "referrals.view_referral", referral)


def test_an_administrator_may_cross_areas_but_not_into_category_4():
    ordinary = factories.accepted_referral()
    restricted = factories.draft_referral(referrer=factories.practitioner(counter_terrorism_cleared=True), category=4)
    admin = factories.UserFactory(area=other_area(), roles=[Role.ADMINISTRATOR])
    assert p.has_perm(admin, "mappa_workflow.cross_area_access")
    assert ordinary.individual in p.visible_individuals(admin)
    assert restricted.individual not in p.visible_individuals(admin)


def test_anonymous_and_inactive_users_see_nothing():
    from django.contrib.auth.models import AnonymousUser

    factories.accepted_referral()
    inactive = factories.coordinator(is_active=False)
    for user in (AnonymousUser(), inactive):
        assert not p.visible_individuals(user).exists()
        assert not p.has_perm(user, "referrals.view_individual", None)


def test_lists_and_single_object_checks_agree_for_every_role():
    """The ``view_*`` permissions are the ``visible_*`` querysets, so a list never shows a record its
    page refuses, nor hides one its page would show."""
    registration = factories.registration_at_level(2)
    factories.draft_referral()
    factories.scheduled_meeting(registrations=[registration])
    users = [
        factories.coordinator(),
        factories.practitioner(AgencyType.HOUSING),
        factories.practitioner(AgencyType.DWP),
        factories.UserFactory(roles=[Role.SMB_MEMBER]),
        factories.coordinator(area=other_area()),
    ]
    from referrals.models import Individual, Referral

    for user in users:
        for model, helper, perm in (
            (Individual, p.visible_individuals, "referrals.view_individual"),
            (Referral, p.visible_referrals, "referrals.view_referral"),
        ):
            visible = set(helper(user).values_list("pk", flat=True))
            for obj in model.objects.all():
                assert p.has_perm(user, perm, obj) == (obj.pk in visible), (user, obj)


def test_a_list_of_cases_is_filtered_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(3):
        factories.accepted_referral()
    housing = factories.practitioner(AgencyType.HOUSING)
    with django_assert_max_num_queries(2):
        list(p.visible_individuals(housing))
    coordinator = factories.coordinator()
    with django_assert_max_num_queries(2):
        assert len(list(p.visible_individuals(coordinator))) == 3


def test_the_meetings_routes_to_a_case_still_exist():
    """The practitioner rules follow invitations, attendance, agendas and actions: if the meetings
    models rename one of those fields, this fails instead of the rule quietly losing that route."""
    m = p._meetings_models()
    assert p._has_fields(m.Invitation, "meeting", "agency")
    assert p._has_fields(m.Attendance, "meeting", "agency")
    assert p._has_fields(m.AgendaItem, "meeting", "referral", "registration")
    assert p._has_fields(m.RiskAction, "owning_agency", "registration", "area")
    assert p._has_fields(m.CaseMinutes, "agenda_item")
