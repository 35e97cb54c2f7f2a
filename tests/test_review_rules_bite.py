"""Who reads a serious case review, and who reads whom it is about, one reader at a time, so that bending any of
those rules fails a test (docs/serious-case-reviews.md; written against the survivors of `make mutation`,
docs/contributing.md "Mutation testing"). The journeys are in oversight/tests/test_reviews.py and test_review_pages.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from case_reviews.models import ReviewAction, SeriousCaseReview, SeriousFurtherOffence
from mappa_workflow.models import AgencyType, Area, Role
from need_to_know import permissions as p
from oversight import services
from oversight.reviews.selectors import register
from referrals import services as referral_services
from tests import factories

pytestmark = pytest.mark.django_db


def _review_of(registration, coordinator) -> SeriousCaseReview:
    """The co-ordinator records that the person was charged with a serious further offence today: a review opens."""
    today = timezone.localdate()
    return services.sfo_record(
        actor=coordinator, registration=registration, offence_date=today, charged_on=today, offence="Arson"
    ).review


def _case() -> SeriousCaseReview:
    """A Level 2 case of Northamptonshire charged with a further offence."""
    return _review_of(factories.registration_at_level(2), factories.coordinator())


def _category_4_case() -> SeriousCaseReview:
    """A terrorism-risk case, referred and screened by cleared officers, charged with a further offence."""
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    today = timezone.localdate()
    referral = factories.submitted_referral(
        referrer=factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True),
        category=4,
        submitted_on=today - dt.timedelta(days=31),
    )
    referral = referral_services.referral_decide(
        actor=cleared,
        referral=referral,
        decision="level_2",
        rationale="Terrorism-risk offender needing active multi-agency management.",
        decided_on=today - dt.timedelta(days=30),
    )
    return _review_of(referral.registration, cleared)


def test_an_administrator_reads_every_area_s_reviews_with_whom_they_are_about_but_not_category_4():
    ours, restricted = _case(), _category_4_case()
    admin = factories.UserFactory(roles=[Role.ADMINISTRATOR], area=Area.objects.get(slug="kent"))
    assert list(p.visible_case_reviews(admin)) == [ours]
    assert p.sees_review_subject(admin)
    admins_register = register(admin)
    assert admins_register.with_subject and [sfo.review for sfo in admins_register.offences] == [ours]
    cleared_admin = factories.UserFactory(
        roles=[Role.ADMINISTRATOR], area=Area.objects.get(slug="kent"), counter_terrorism_cleared=True
    )
    assert set(p.visible_case_reviews(cleared_admin)) == {ours, restricted}


def test_the_area_s_case_managers_read_whom_a_review_is_about_and_the_board_and_practitioners_do_not():
    review = _case()
    area = review.area
    for manager in (factories.coordinator(area), factories.chair(area)):
        assert p.sees_review_subject(manager)
        theirs = register(manager)
        assert theirs.with_subject and [sfo.individual for sfo in theirs.offences] == [review.individual]
    for reader in (factories.smb_member(area), factories.lay_adviser(area)):
        assert not p.sees_review_subject(reader)
        theirs = register(reader)
        assert theirs.reviews == [review] and not theirs.with_subject and theirs.offences == []
    assert not p.sees_review_subject(factories.practitioner(AgencyType.PROBATION, area=area))


def test_a_cleared_board_member_reads_the_review_of_a_category_4_case_and_an_uncleared_one_does_not():
    ordinary, restricted = _case(), _category_4_case()
    for role in (factories.smb_member, factories.lay_adviser):
        assert list(p.visible_case_reviews(role())) == [ordinary], role.__name__
        cleared = role(counter_terrorism_cleared=True)
        assert set(p.visible_case_reviews(cleared)) == {ordinary, restricted}, role.__name__
        assert p.has_perm(cleared, "case_reviews.view_case_review", restricted)
        assert not p.has_perm(role(), "case_reviews.view_case_review", restricted)


def test_the_review_and_offence_lists_narrow_the_queryset_they_are_given():
    """The admin site hands the rules its own filtered list (administration/scoping.py): it must stay filtered."""
    first, second = _case(), _case()
    coordinator = factories.coordinator()
    assert list(p.visible_case_reviews(coordinator, SeriousCaseReview.objects.filter(pk=second.pk))) == [second]
    offences = SeriousFurtherOffence.objects.filter(review=first)
    assert [sfo.review for sfo in p.visible_serious_further_offences(coordinator, offences)] == [first]
    smb = factories.smb_member()
    assert list(p.visible_case_reviews(smb, SeriousCaseReview.objects.filter(pk=first.pk))) == [first]


def test_a_plan_item_not_yet_on_a_review_gives_nobody_a_say_over_any_review():
    review = _case()
    coordinator, smb = factories.coordinator(review.area), factories.smb_member(review.area)
    assert p.has_perm(coordinator, "case_reviews.manage_case_review_actions", review)
    for user in (coordinator, smb):
        assert not p.has_perm(user, "case_reviews.manage_case_review_actions", ReviewAction())
