"""Each need-to-know rule, one story at a time, so that removing or bending any of them fails a test.

Written against the surviving mutants of `make mutation` (docs/contributing.md, "Mutation testing"): the
broader stories are in test_security_permissions.py and test_need_to_know.py; these pin the edges those
stories do not reach (who is not signed in, records with no area, the routes by which an agency becomes
involved with a case, each place Category 4 can hide) and run in seconds on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from mappa_workflow.exceptions import NotPermitted
from mappa_workflow.models import AgencyType, Area, Role
from meetings.models import Attendance, AttendanceStatus, DisclosureDecision, Invitation, RiskActionUpdate
from need_to_know import permissions as p
from oversight import services
from referrals import services as referral_services
from referrals.models import Individual, LifeEvent, LifeEventType, Referral
from tests import factories

pytestmark = pytest.mark.django_db


def other_area() -> Area:
    return Area.objects.exclude(slug="northamptonshire").filter(agencies__agency_type=AgencyType.POLICE).first()


def user_with(*roles: str, **kwargs):
    return factories.UserFactory(roles=list(roles), **kwargs)


def category_4_referral(**kwargs) -> Referral:
    return factories.draft_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True), category=4, **kwargs
    )


# ---------------------------------------------------------------------------------------------
# Who is who: each role is its own, and nobody who is signed out or switched off holds any
# ---------------------------------------------------------------------------------------------

ROLE_PREDICATES = {
    Role.COORDINATOR: p.is_coordinator,
    Role.CHAIR: p.is_chair,
    Role.PRACTITIONER: p.is_practitioner,
    Role.ADMINISTRATOR: p.is_administrator,
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_recognised_as_itself_and_as_no_other(role):
    user = user_with(role)
    for other, predicate in ROLE_PREDICATES.items():
        assert predicate(user) is (other == role), (role, other)
    # Practitioners, and victim liaison officers (a role held beside the practitioner one), read no statistics
    reads_statistics = role not in (Role.PRACTITIONER, Role.VICTIM_LIAISON)
    assert p.is_statistics_reader(user) is reads_statistics


def test_a_switched_off_account_holds_no_role_and_no_clearance():
    user = user_with(*Role.values, counter_terrorism_cleared=True)
    assert all(predicate(user) for predicate in ROLE_PREDICATES.values())
    assert p.is_counter_terrorism_cleared(user) and p.is_statistics_reader(user)
    user.is_active = False
    for predicate in (*ROLE_PREDICATES.values(), p.is_statistics_reader, p.is_counter_terrorism_cleared):
        assert not predicate(user)
    assert not p.has_perm(user, "reporting.view_statistics")
    assert not p.has_perm(user, "referrals.view_individual", factories.IndividualFactory())


def test_a_visitor_who_is_not_signed_in_holds_nothing():
    visitor = AnonymousUser()
    assert not p.is_counter_terrorism_cleared(visitor)
    assert not p.has_perm(visitor, "reporting.view_statistics")
    assert p._case_scope(visitor) == "none"


def test_no_user_at_all_holds_nothing_and_sees_nothing():
    """Asked of no user (a page or task that has none), every rule answers no rather than failing."""
    factories.registration_at_level(2)
    for predicate in (*ROLE_PREDICATES.values(), p.is_statistics_reader, p.is_counter_terrorism_cleared):
        assert not predicate(None)
    assert not p.has_perm(None, "reporting.view_statistics")
    assert not p.visible_individuals(None).exists()
    assert not p.sees_review_subject(None)


def test_counter_terrorism_clearance_is_a_flag_on_the_person_not_a_role():
    assert p.is_counter_terrorism_cleared(factories.coordinator(counter_terrorism_cleared=True))
    assert not p.is_counter_terrorism_cleared(factories.coordinator())
    assert not p.is_counter_terrorism_cleared(SimpleNamespace(is_authenticated=True, is_active=True))


# ---------------------------------------------------------------------------------------------
# Areas
# ---------------------------------------------------------------------------------------------


def test_the_area_of_a_record_of_an_area_and_of_nothing():
    area = factories.northamptonshire()
    person = factories.IndividualFactory(area=area)
    assert p.area_id_of(None) is None
    assert p.area_id_of(area) == area.pk
    assert p.area_id_of(person) == area.pk
    assert p.area_id_of(SimpleNamespace()) is None


def test_a_record_with_no_area_is_in_nobody_s_area_not_in_everybody_s():
    user = factories.coordinator()
    assert p.same_area(user, factories.northamptonshire())
    assert p.same_area(user, None), "no record: 'some record of my area'"
    assert not p.same_area(user, other_area())
    assert not p.same_area(SimpleNamespace(area_id=None), SimpleNamespace(area_id=None))
    assert not p.same_area(user, SimpleNamespace())


# ---------------------------------------------------------------------------------------------
# The permissions, role by role
# ---------------------------------------------------------------------------------------------


def test_who_may_create_a_person_in_an_area():
    area, elsewhere = factories.northamptonshire(), other_area()
    assert p.has_perm(factories.practitioner(), "referrals.create_individual", area)
    assert p.has_perm(factories.coordinator(), "referrals.create_individual", area)
    assert not p.has_perm(factories.practitioner(), "referrals.create_individual", elsewhere)
    assert not p.has_perm(factories.chair(), "referrals.create_individual", area)
    assert not p.has_perm(factories.smb_member(), "referrals.create_individual", area)
    assert p.has_perm(user_with(Role.ADMINISTRATOR), "referrals.create_individual", elsewhere)


def test_who_may_start_a_referral():
    assert p.has_perm(factories.practitioner(), "referrals.create_referral")
    assert p.has_perm(factories.coordinator(), "referrals.create_referral")
    assert not p.has_perm(factories.chair(), "referrals.create_referral")
    assert not p.has_perm(factories.smb_member(), "referrals.create_referral")


def test_who_may_edit_a_referral_the_referring_agency_in_its_area_and_the_case_managers():
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    assert p.has_perm(factories.practitioner(AgencyType.PROBATION), "referrals.edit_referral", referral)
    assert not p.has_perm(factories.practitioner(AgencyType.POLICE), "referrals.edit_referral", referral)
    assert p.has_perm(factories.coordinator(), "referrals.edit_referral", referral)
    assert p.has_perm(factories.chair(), "referrals.edit_referral", referral)
    assert not p.has_perm(factories.coordinator(area=other_area()), "referrals.edit_referral", referral)
    assert not p.referred_by_my_agency(factories.practitioner(AgencyType.PROBATION), None)


def test_screening_and_registrations_are_for_the_case_managers_of_the_area():
    referral = factories.submitted_referral()
    for perm in ("referrals.screen_referral", "referrals.manage_registration"):
        assert p.has_perm(factories.coordinator(), perm, referral)
        assert p.has_perm(factories.chair(), perm, referral)
        assert not p.has_perm(factories.practitioner(AgencyType.PROBATION), perm, referral)
        assert not p.has_perm(factories.coordinator(area=other_area()), perm, referral)


def test_editing_a_person_and_recording_life_events_needs_involvement_with_that_person():
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    person = referral.individual
    for perm in ("referrals.edit_individual", "referrals.record_life_event"):
        assert p.has_perm(factories.practitioner(AgencyType.PROBATION), perm, person), perm
        assert not p.has_perm(factories.practitioner(AgencyType.POLICE), perm, person), perm
        assert p.has_perm(factories.coordinator(), perm, person), perm
        assert not p.has_perm(factories.coordinator(area=other_area()), perm, person), perm
    assert p.has_perm(user_with(Role.ADMINISTRATOR, area=other_area()), "referrals.edit_individual", person)
    assert not p.involved_with_individual(factories.coordinator(), None)


def test_statistics_are_read_in_one_s_own_area_and_the_case_viewers_list_by_its_coordinator():
    area, elsewhere = factories.northamptonshire(), other_area()
    assert p.has_perm(factories.smb_member(), "reporting.view_statistics", area)
    assert not p.has_perm(factories.smb_member(), "reporting.view_statistics", elsewhere)
    assert not p.has_perm(factories.practitioner(), "reporting.view_statistics", area)
    person = factories.IndividualFactory()
    assert p.has_perm(factories.coordinator(), "mappa_workflow.view_case_viewers", person)
    assert not p.has_perm(factories.coordinator(area=elsewhere), "mappa_workflow.view_case_viewers", person)
    assert not p.has_perm(factories.chair(), "mappa_workflow.view_case_viewers", person)
    admin = user_with(Role.ADMINISTRATOR, area=elsewhere)
    assert p.has_perm(admin, "mappa_workflow.view_case_viewers", person)
    assert p.has_perm(admin, "mappa_workflow.cross_area_access")
    assert not p.has_perm(factories.coordinator(), "mappa_workflow.cross_area_access")


def test_a_permission_not_written_as_a_rule_is_django_s_own():
    person = factories.IndividualFactory()
    superuser = factories.UserFactory(is_superuser=True, is_staff=True)
    assert p.has_perm(superuser, "referrals.change_individual", person)
    assert not p.has_perm(factories.coordinator(), "referrals.change_individual", person)


def test_the_single_object_checks_answer_no_for_nothing_and_for_an_unsaved_record():
    coordinator = factories.coordinator()
    unsaved = factories.IndividualFactory.build()
    assert not p.can_view_individual(coordinator, None)
    assert not p.can_view_individual(coordinator, unsaved)
    assert not p.can_view_minutes(coordinator, None)
    assert not p.can_view_minutes(coordinator, SimpleNamespace())


# ---------------------------------------------------------------------------------------------
# Services: require() and the Category 4 clearance check
# ---------------------------------------------------------------------------------------------


def test_require_lets_the_system_through_and_names_what_a_person_may_not_do():
    referral = factories.submitted_referral()
    p.require(None, "referrals.screen_referral", referral)
    p.require(factories.coordinator(), "referrals.screen_referral", referral)
    police = factories.practitioner(AgencyType.POLICE)
    with pytest.raises(NotPermitted, match=r"may not screen referral$"):
        p.require(police, "referrals.screen_referral", referral)


@pytest.mark.parametrize("category", [4, "4"])
def test_only_a_cleared_person_may_record_category_4(category):
    with pytest.raises(NotPermitted, match="Category 4"):
        p.require_category_clearance(factories.coordinator(), category)
    p.require_category_clearance(factories.coordinator(counter_terrorism_cleared=True), category)
    p.require_category_clearance(None, category)


@pytest.mark.parametrize("category", [None, "", 1, "3", "not a category", object()])
def test_any_other_category_is_left_to_the_service_s_own_validation(category):
    p.require_category_clearance(factories.coordinator(), category)


# ---------------------------------------------------------------------------------------------
# Category 4: every way a record can be about someone with a Category 4 record
# ---------------------------------------------------------------------------------------------


def test_category_4_is_found_through_the_referral_the_registration_and_the_person():
    restricted = category_4_referral()
    person = restricted.individual
    assert p.is_category_4(restricted)
    assert p.is_category_4(Referral.objects.get(pk=restricted.pk))
    assert p.is_category_4(type(person).objects.get(pk=person.pk)), "a person with a Category 4 referral, ever"
    ordinary = factories.draft_referral()
    assert not p.is_category_4(type(ordinary).objects.get(pk=ordinary.pk))
    assert not p.is_category_4(None)
    assert not p.is_category_4(SimpleNamespace(category=4)), "only records are judged"
    # A later referral of the same person at Category 2 is still about a Category 4 person.
    later = Referral(individual=person, area=person.area, category=2)
    assert p.is_category_4(later)
    assert not p.is_category_4(Referral(individual=ordinary.individual, area=ordinary.area, category=2))


def test_category_4_found_through_a_registration_period_reaches_its_actions_and_minutes():
    action = factories.risk_action()
    registration = action.registration
    period = registration.periods.get()
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    coordinator = factories.coordinator()
    assert p.has_perm(coordinator, "meetings.view_risk_action", action)
    type(period).objects.filter(pk=period.pk).update(category=4)
    fresh = type(action).objects.get(pk=action.pk)
    assert p.is_category_4(fresh), "action -> registration -> person with a Category 4 period"
    assert not p.has_perm(coordinator, "meetings.view_risk_action", fresh)
    assert p.has_perm(cleared, "meetings.view_risk_action", fresh)
    item = action.case_minutes.agenda_item
    assert not p.visible_agenda_items(coordinator).filter(pk=item.pk).exists()
    assert p.visible_agenda_items(cleared).filter(pk=item.pk).exists()
    assert not p.visible_minutes(coordinator).exists()
    assert p.visible_minutes(cleared).filter(pk=action.case_minutes.pk).exists()
    assert not p.visible_risk_actions(coordinator).exists()
    assert not p.visible_registrations(coordinator).exists()
    assert p.visible_registrations(cleared).filter(pk=registration.pk).exists()


def test_a_category_4_referral_on_an_agenda_is_hidden_from_the_uncleared_and_shown_to_the_cleared():
    restricted = factories.submitted_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True), category=4
    )
    meeting = factories.scheduled_meeting(
        "threshold", referrals=[restricted], actor=factories.coordinator(counter_terrorism_cleared=True)
    )
    item = meeting.agenda_items.get()
    coordinator, cleared = factories.coordinator(), factories.coordinator(counter_terrorism_cleared=True)
    assert p.visible_meetings(coordinator).filter(pk=meeting.pk).exists(), "the meeting itself is not hidden"
    assert not p.visible_agenda_items(coordinator).exists()
    assert not p.has_perm(coordinator, "meetings.view_minutes", item)
    assert p.has_perm(cleared, "meetings.view_minutes", item)


def test_the_answer_is_remembered_on_the_record_asked_about():
    restricted = category_4_referral()
    person = type(restricted.individual).objects.get(pk=restricted.individual_id)
    assert p.is_category_4(person)
    Referral.objects.filter(pk=restricted.pk).update(category=2)
    assert p.is_category_4(person), "remembered on this instance"
    assert not p.is_category_4(type(person).objects.get(pk=person.pk))


def test_a_prefetched_person_answers_for_their_referral():
    restricted = category_4_referral()
    referral = Referral.objects.select_related("individual").get(pk=restricted.pk)
    Referral.objects.filter(pk=restricted.pk).update(category=2)
    referral.category = 2
    person = referral.individual
    person.__dict__[p._CATEGORY_4_MEMO] = True
    assert p.is_category_4(referral), "answered from the loaded person"
    person.__dict__[p._CATEGORY_4_MEMO] = False
    assert not p.is_category_4(Referral.objects.select_related("individual").get(pk=restricted.pk))


def test_the_superuser_flag_does_not_open_category_4_and_clearance_does():
    restricted = category_4_referral()
    superuser = factories.coordinator(is_superuser=True, is_staff=True)
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    assert not p.has_perm(superuser, "referrals.view_referral", restricted)
    assert not p.has_perm(superuser, "referrals.change_referral", restricted), "Django's own permissions too"
    assert p.has_perm(cleared, "referrals.view_referral", restricted)
    assert p.visible_referrals(cleared).filter(pk=restricted.pk).exists()
    assert p.visible_individuals(cleared).filter(pk=restricted.individual_id).exists()
    assert not p.visible_individuals(factories.coordinator()).exists()


# ---------------------------------------------------------------------------------------------
# How far each user sees cases
# ---------------------------------------------------------------------------------------------


def test_how_far_each_user_sees_cases():
    assert p._case_scope(user_with(Role.ADMINISTRATOR)) == "all"
    assert p._case_scope(factories.coordinator()) == "area"
    assert p._case_scope(factories.chair()) == "area"
    assert p._case_scope(factories.practitioner()) == "agency"
    assert p._case_scope(user_with(Role.PRACTITIONER, agency=None)) == "none"
    assert p._case_scope(factories.smb_member()) == "none"
    assert p._case_scope(user_with(Role.COORDINATOR, area=None, agency=None)) == "none"


def test_an_administrator_sees_every_area_s_cases_and_meetings_except_category_4():
    mine = factories.registration_at_level(2)
    theirs = factories.IndividualFactory(area=other_area())
    meeting = factories.scheduled_meeting(registrations=[mine])
    restricted = category_4_referral()
    admin = user_with(Role.ADMINISTRATOR, area=other_area())
    people = set(p.visible_individuals(admin))
    assert {mine.individual, theirs} <= people and restricted.individual not in people
    assert p.visible_meetings(admin).filter(pk=meeting.pk).exists()
    assert p.visible_registrations(admin).filter(pk=mine.pk).exists()
    assert not p.visible_referrals(admin).filter(pk=restricted.pk).exists()


def test_a_coordinator_sees_the_meetings_of_their_own_area_only():
    meeting = factories.scheduled_meeting()
    assert p.visible_meetings(factories.coordinator()).filter(pk=meeting.pk).exists()
    assert not p.visible_meetings(factories.coordinator(area=other_area())).exists()
    assert not p.visible_meetings(factories.smb_member()).exists()
    assert not p.visible_meetings(user_with(Role.PRACTITIONER, agency=None)).exists()


def test_a_practitioner_without_an_agency_sees_no_case_and_owns_no_action():
    action = factories.risk_action()
    loner = user_with(Role.PRACTITIONER, agency=None)
    assert p._my_agency_meeting_ids(loner) is None
    assert not p.visible_individuals(loner).exists()
    assert not p.my_agency_risk_actions(loner).exists()
    coordinator = user_with(Role.COORDINATOR, agency=None)
    assert p.visible_risk_actions(coordinator).filter(pk=action.pk).exists()
    assert not p.my_agency_risk_actions(coordinator).exists(), "no agency, so no agency's actions"


def test_an_agency_that_only_attended_a_meeting_sees_it_and_its_cases():
    registration = factories.registration_at_level(2)
    meeting = factories.scheduled_meeting(registrations=[registration])
    dwp = factories.practitioner(AgencyType.DWP)
    assert not Invitation.objects.filter(meeting=meeting, agency=dwp.agency).exists()
    assert not p.visible_meetings(dwp).exists()
    Attendance.objects.create(
        meeting=meeting,
        agency=dwp.agency,
        status=AttendanceStatus.PRESENT,
        name="A Person",
        confidentiality_acknowledged_at=timezone.now(),
    )
    assert p.visible_meetings(dwp).filter(pk=meeting.pk).exists()
    assert p.visible_individuals(dwp).filter(pk=registration.individual_id).exists()
    assert p.visible_registrations(dwp).filter(pk=registration.pk).exists()


def test_an_invitation_to_another_area_s_meeting_shows_nothing_of_this_area():
    meeting = factories.scheduled_meeting(registrations=[factories.registration_at_level(2)])
    elsewhere = factories.practitioner(AgencyType.HOUSING, area=other_area())
    Invitation.objects.create(meeting=meeting, agency=elsewhere.agency, reason="Invited in error")
    assert not p.visible_meetings(elsewhere).exists()
    assert not p.visible_individuals(elsewhere).exists()


def test_a_referral_on_the_agenda_of_a_meeting_an_agency_was_invited_to_is_visible_to_that_agency():
    referral = factories.submitted_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    housing = factories.practitioner(AgencyType.HOUSING)
    assert not p.visible_referrals(housing).exists()
    meeting = factories.scheduled_meeting("threshold", referrals=[referral])
    Invitation.objects.get_or_create(meeting=meeting, agency=housing.agency, defaults={"reason": "Housing need"})
    assert list(p.visible_referrals(housing)) == [referral]
    assert list(p.visible_individuals(housing)) == [referral.individual]
    other = factories.submitted_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    assert other not in p.visible_referrals(housing), "only the referrals on that agenda"


def test_a_practitioner_sees_the_life_events_of_the_people_their_agency_works_with():
    mine = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION)).individual
    theirs = factories.draft_referral(referrer=factories.practitioner(AgencyType.POLICE)).individual
    for person in (mine, theirs):
        LifeEvent.objects.create(
            individual=person,
            area=person.area,
            event_type=LifeEventType.SHPO_IMPOSED,
            occurred_on=timezone.localdate(),
        )
    probation = factories.practitioner(AgencyType.PROBATION)
    assert [e.individual for e in p.visible_life_events(probation)] == [mine]
    assert p.visible_life_events(factories.coordinator()).count() == 2
    assert not p.visible_life_events(factories.coordinator(area=other_area())).exists()


def test_an_agency_owning_an_action_sees_that_case_and_lists_only_its_own_actions():
    action = factories.risk_action(owning_agency_type=AgencyType.ELECTRONIC_MONITORING)
    monitoring = factories.practitioner(AgencyType.ELECTRONIC_MONITORING)
    police = factories.practitioner(AgencyType.POLICE)
    assert list(p.visible_individuals(monitoring)) == [action.registration.individual]
    assert list(p.my_agency_risk_actions(monitoring)) == [action]
    assert action in p.visible_risk_actions(police)
    assert not p.my_agency_risk_actions(police).exists()
    assert not p.visible_risk_actions(factories.practitioner(AgencyType.DWP)).exists()
    assert not p.visible_risk_actions(factories.coordinator(area=other_area())).exists()


def test_the_list_helpers_narrow_the_queryset_they_are_given():
    first, second = factories.accepted_referral(), factories.accepted_referral()
    coordinator = factories.coordinator()
    only_first = Referral.objects.filter(pk=first.pk)
    assert list(p.visible_referrals(coordinator, only_first)) == [first]
    people = type(first.individual).objects.filter(pk=second.individual_id)
    assert list(p.visible_individuals(coordinator, people)) == [second.individual]


def test_a_barrier_registered_with_the_base_app_refuses_every_permission_once_registered(monkeypatch):
    from mappa_workflow import roles

    person = factories.IndividualFactory()
    coordinator = factories.coordinator()
    assert p.has_perm(coordinator, "referrals.view_individual", person)
    monkeypatch.setattr(roles, "_object_barriers", list(roles._object_barriers))

    def under_review(user, obj):
        return obj == person

    roles.add_object_barrier(under_review)
    roles.add_object_barrier(under_review)
    assert roles._object_barriers.count(under_review) == 1, "registered once, however often Django starts an app"
    assert not p.has_perm(coordinator, "referrals.view_individual", person)
    assert p.has_perm(coordinator, "referrals.view_individual", factories.IndividualFactory())


def test_the_life_event_and_minutes_lists_narrow_the_queryset_they_are_given():
    from meetings.models import CaseMinutes

    person = factories.IndividualFactory()
    events = [
        LifeEvent.objects.create(
            individual=person, area=person.area, event_type=LifeEventType.SHPO_IMPOSED, occurred_on=timezone.localdate()
        )
        for _ in range(2)
    ]
    coordinator = factories.coordinator()
    assert list(p.visible_life_events(coordinator, LifeEvent.objects.filter(pk=events[0].pk))) == [events[0]]
    minutes = factories.risk_action().case_minutes
    assert list(p.visible_minutes(coordinator, CaseMinutes.objects.filter(pk=minutes.pk))) == [minutes]
    assert not p.visible_minutes(coordinator, CaseMinutes.objects.none()).exists()


def test_every_list_helper_narrows_the_queryset_it_is_given_instead_of_starting_again():
    from meetings.models import AgendaItem, CaseMinutes, Meeting, RiskAction
    from referrals.models import Individual, Registration

    action = factories.risk_action(owning_agency_type=AgencyType.POLICE)
    person = action.registration.individual
    LifeEvent.objects.create(
        individual=person, area=person.area, event_type=LifeEventType.SHPO_IMPOSED, occurred_on=timezone.localdate()
    )
    coordinator, police = factories.coordinator(), factories.practitioner(AgencyType.POLICE)
    helpers = [
        (p.visible_individuals, Individual),
        (p.visible_referrals, Referral),
        (p.visible_registrations, Registration),
        (p.visible_life_events, LifeEvent),
        (p.visible_meetings, Meeting),
        (p.visible_agenda_items, AgendaItem),
        (p.visible_minutes, CaseMinutes),
        (p.visible_risk_actions, RiskAction),
    ]
    for helper, model in helpers:
        assert helper(coordinator).exists(), helper.__name__
        assert not helper(coordinator, model.objects.none()).exists(), helper.__name__
    assert p.my_agency_risk_actions(police).exists()
    assert not p.my_agency_risk_actions(police, RiskAction.objects.none()).exists()


def sees(user, person) -> bool:
    return p.visible_individuals(user).filter(pk=person.pk).exists()


def test_a_referral_on_the_agenda_of_a_meeting_the_agency_was_not_invited_to_stays_hidden():
    shown = factories.submitted_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    hidden = factories.submitted_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    invited = factories.scheduled_meeting("threshold", referrals=[shown])
    factories.scheduled_meeting(
        "threshold",
        referrals=[hidden],
        starts_at=timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=8), dt.time(10))),
    )
    dwp = factories.practitioner(AgencyType.DWP)
    Invitation.objects.create(meeting=invited, agency=dwp.agency, reason="Benefits and housing costs")
    assert list(p.visible_referrals(dwp)) == [shown]


def test_the_agency_leading_a_case_now_sees_it_and_one_that_led_it_before_does_not():
    registration = factories.registration_at_level(2)  # referred, and so led, by probation 30 days ago
    person = registration.individual
    police, housing = factories.practitioner(AgencyType.POLICE), factories.practitioner(AgencyType.HOUSING)
    assert not sees(police, person) and not sees(housing, person)
    today = timezone.localdate()
    coordinator = factories.coordinator()
    referral_services.registration_change_circumstances(
        actor=coordinator,
        registration=registration,
        effective_date=today - dt.timedelta(days=10),
        reason="Police take the lead while the offender is under investigation",
        lead_agency=police.agency,
    )
    assert sees(police, person) and not sees(housing, person)
    referral_services.registration_change_circumstances(
        actor=coordinator,
        registration=registration,
        effective_date=today,
        reason="Housing take the lead on the move to supported accommodation",
        lead_agency=housing.agency,
    )
    assert sees(housing, person)
    assert not sees(factories.practitioner(AgencyType.POLICE), person), "the police led a period that has ended"


# ---------------------------------------------------------------------------------------------
# What is remembered within a request, and that it is forgotten when the account changes
# ---------------------------------------------------------------------------------------------


def test_a_record_that_says_category_4_is_category_4_before_it_is_saved():
    """A referral being edited into Category 4 (or any record of a person with no Category 4 history yet) is
    Category 4 from the moment it says so: an uncleared user's permissions stop at it, whatever the database holds."""
    referral = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    probation = factories.practitioner(AgencyType.PROBATION)
    assert p.has_perm(probation, "referrals.edit_referral", referral)
    referral.category = 4
    assert p.is_category_4(referral)
    assert not p.has_perm(probation, "referrals.edit_referral", referral)
    assert not p.has_perm(factories.coordinator(), "referrals.edit_referral", referral)
    assert p.has_perm(factories.coordinator(counter_terrorism_cleared=True), "referrals.edit_referral", referral)


def test_a_person_read_through_the_uncleared_user_s_list_is_not_asked_about_category_4_again(
    django_assert_num_queries,
):
    """The case page reads the person through the user's list, which left out everyone with a Category 4 record:
    its later permission checks of the person, and of a registration loaded with them, need no more queries."""
    registration = factories.registration_at_level(2)
    coordinator = factories.coordinator()
    coordinator.has_role(Role.COORDINATOR)  # the roles are read once per account
    person = p.visible_individuals(coordinator).get(pk=registration.individual_id)
    p.category_4_barrier_passed(coordinator, person)
    with django_assert_num_queries(1):  # whether the person is in the list; nothing about Category 4
        assert p.has_perm(coordinator, "referrals.view_individual", person)
    loaded = type(registration).objects.select_related("individual").get(pk=registration.pk)
    p.category_4_barrier_passed(coordinator, loaded.individual)
    with django_assert_num_queries(0):
        assert not p.is_category_4(loaded)


def test_a_category_4_person_read_by_a_cleared_user_is_still_known_as_category_4():
    restricted = category_4_referral()
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    person = p.visible_individuals(cleared).get(pk=restricted.individual_id)
    p.category_4_barrier_passed(cleared, person)
    assert p.is_category_4(person), "the cleared user's list says nothing about Category 4"
    p.category_4_barrier_passed(factories.coordinator(), None)  # nothing read, nothing remembered


def test_a_visitor_who_is_not_signed_in_reads_no_agenda_or_minutes():
    factories.risk_action()
    assert not p.visible_agenda_items(AnonymousUser()).exists()
    assert not p.visible_minutes(AnonymousUser()).exists()


def test_an_account_moved_to_another_agency_sees_that_agency_s_cases_at_once():
    police_case = factories.draft_referral(referrer=factories.practitioner(AgencyType.POLICE)).individual
    housing_case = factories.draft_referral(referrer=factories.practitioner(AgencyType.HOUSING)).individual
    user = factories.practitioner(AgencyType.POLICE)
    assert list(p.visible_individuals(user)) == [police_case]
    user.agency = factories.agency(user.area, AgencyType.HOUSING)
    assert list(p.visible_individuals(user)) == [housing_case]


def test_an_account_moved_to_another_area_leaves_the_old_area_s_meetings_behind():
    """The account is moved to Kent before its agency is changed, and the person discussed at a Northamptonshire
    meeting moves to Kent too: a meeting of the old area gives the account no sight of the person."""
    registration = factories.registration_at_level(2)
    person = registration.individual
    meeting = factories.scheduled_meeting(registrations=[registration])
    dwp = factories.practitioner(AgencyType.DWP)
    Invitation.objects.create(meeting=meeting, agency=dwp.agency, reason="Benefits and housing costs")
    assert list(p.visible_individuals(dwp)) == [person]
    kent = Area.objects.get(slug="kent")
    type(person).objects.filter(pk=person.pk).update(area=kent)
    dwp.area = kent
    assert not p.visible_individuals(dwp).exists()
    assert not p.visible_meetings(dwp).exists()


def test_one_user_s_permission_sets_are_built_once_however_many_lists_a_page_filters(monkeypatch):
    """A page asks the same rules of several lists (the dashboard: referrals, cases due, actions, agendas): the
    subqueries of whom the user may see are built once per request and reused, not once per list."""
    action = factories.risk_action(
        owning_agency_type=AgencyType.POLICE, referrer=factories.practitioner(AgencyType.POLICE)
    )
    builds: Counter[str] = Counter()
    remember = p._per_request

    def counting(user, key, build):
        def counted():
            builds[key] += 1
            return build()

        return remember(user, key, counted)

    monkeypatch.setattr(p, "_per_request", counting)
    police = factories.practitioner(AgencyType.POLICE)
    for _ in range(2):
        assert p.visible_individuals(police).exists()
        assert p.visible_referrals(police).exists()
        assert p.visible_registrations(police).exists()
        assert p.visible_meetings(police).exists()
        assert p.visible_agenda_items(police).exists()
        assert p.visible_minutes(police).exists()
        assert list(p.visible_risk_actions(police)) == [action]
        assert not p.visible_life_events(police).exists()
    # the Category 4 people, the agency's meetings, the people the agency is involved with: each built once
    assert len(builds) == 3 and set(builds.values()) == {1}, builds
    review = services.sfo_record(
        actor=factories.coordinator(),
        registration=action.registration,
        offence_date=timezone.localdate(),
        charged_on=timezone.localdate(),
        offence="Arson",
    ).review
    smb = factories.smb_member()
    builds.clear()
    for _ in range(2):
        assert list(p.visible_case_reviews(smb)) == [review]
    assert list(builds.values()) == [1], "the Category 4 people, built once"


def test_the_barrier_follows_each_record_to_the_person_it_is_about():
    """An agenda item leads to its referral, minutes to their agenda item, a disclosure to its minutes, an update to
    its action: the Category 4 barrier in front of every permission finds the person through each of them."""
    restricted = factories.submitted_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True), category=4
    )
    item = factories.scheduled_meeting(
        "threshold", referrals=[restricted], actor=factories.coordinator(counter_terrorism_cleared=True)
    ).agenda_items.get()
    assert p.is_category_4(type(item).objects.get(pk=item.pk)), "agenda item -> referral -> Category 4"
    action = factories.risk_action()
    minutes = action.case_minutes
    update = RiskActionUpdate(action=action, text="Visited", state_after=action.state)
    disclosure = DisclosureDecision(case_minutes=minutes, recipient="Employer", individual_told=True)
    assert not p.is_category_4(type(minutes).objects.get(pk=minutes.pk))
    action.registration.periods.update(category=4)
    assert p.is_category_4(type(minutes).objects.get(pk=minutes.pk)), "minutes -> agenda item -> Category 4 period"
    assert p.is_category_4(update), "an update of the action -> the action -> Category 4 period"
    assert p.is_category_4(disclosure), "a disclosure -> the minutes -> Category 4 period"


def test_a_record_is_judged_by_whom_it_is_about_never_by_its_own_number():
    """A meeting is about nobody: it is not barred because a Category 4 person happens to have its number."""
    meeting = factories.scheduled_meeting()
    person = Individual.objects.filter(pk=meeting.pk).first() or factories.IndividualFactory(pk=meeting.pk)
    category_4_referral(individual=person)
    assert p.is_category_4(person)
    fresh = type(meeting).objects.get(pk=meeting.pk)
    assert not p.is_category_4(fresh)
    assert p.has_perm(factories.coordinator(), "meetings.view_meeting", fresh)


def test_django_s_superuser_flag_opens_no_case_the_rules_keep_closed():
    """Superuser or not, a practitioner of another area reads no person of this one, and an SMB member none at all."""
    person = factories.IndividualFactory()
    for user in (
        factories.practitioner(AgencyType.POLICE, area=other_area(), is_superuser=True, is_staff=True),
        factories.smb_member(is_superuser=True, is_staff=True),
    ):
        assert not p.has_perm(user, "referrals.view_individual", person)
        assert not p.has_perm(user, "referrals.screen_referral", factories.submitted_referral())
        with pytest.raises(NotPermitted):
            p.require(user, "referrals.edit_individual", person)


def test_a_site_without_the_need_to_know_rules_refuses_to_check_and_says_what_to_add(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from mappa_workflow import roles

    monkeypatch.setattr(roles, "_object_barriers", [])
    with pytest.raises(ImproperlyConfigured) as refused:
        p.has_perm(factories.coordinator(), "referrals.view_individual", factories.IndividualFactory())
    message = str(refused.value)
    assert message.startswith("The need-to-know rules are not loaded"), message
    assert "add need_to_know to INSTALLED_APPS" in message


def test_a_django_permission_given_in_the_admin_answers_for_the_model_and_opens_no_record():
    """A permission not written as a rule (granted to an account in the admin, the Django way) is honoured for the
    model as a whole; it does not open any one record, which only the need-to-know rules do."""
    from django.contrib.auth.models import Permission

    coordinator = factories.coordinator()
    coordinator.user_permissions.add(Permission.objects.get(codename="change_individual"))
    granted = type(coordinator).objects.get(pk=coordinator.pk)  # Django caches an account's permissions
    assert p.has_perm(granted, "referrals.change_individual")
    assert not p.has_perm(factories.coordinator(), "referrals.change_individual")
    assert not p.has_perm(granted, "referrals.change_individual", factories.IndividualFactory())


# ---------------------------------------------------------------------------------------------
# Records about a person kept between meetings (release plans, notifications, Level 1 reviews)
# ---------------------------------------------------------------------------------------------


def test_a_release_plan_is_listed_for_the_area_that_manages_the_person_and_nobody_else():
    from release_planning import selectors as release_selectors
    from release_planning import services as release_services

    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.registration_in_custody(referrer=probation)
    plan = release_services.release_plan_create(
        actor=probation, individual=registration.individual, expected_date=timezone.localdate() + dt.timedelta(weeks=8)
    )
    here = factories.coordinator(registration.area)
    elsewhere = factories.coordinator(Area.objects.exclude(pk=registration.area_id).order_by("pk").first())
    assert list(p.records_of_visible_people(here, type(plan).objects.all())) == [plan]
    assert list(release_selectors.visible_release_plans(here)) == [plan]
    assert not p.records_of_visible_people(elsewhere, type(plan).objects.all()).exists()
    assert not p.records_of_visible_people(AnonymousUser(), type(plan).objects.all()).exists()
