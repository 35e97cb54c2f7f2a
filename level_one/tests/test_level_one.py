"""Level 1 oversight: the register per lead agency with the screening rationale, reviews at the area's
interval (four months by default), the overdue lists, and a review that refers the case to Level 2 in one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from level_one import services
from level_one.dates import add_months
from level_one.models import LevelOneReview, LevelOneSettings
from level_one.selectors import level_one_register
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType
from need_to_know import permissions
from notifications.models import MessageKind, OutboxMessage
from referrals import services as referral_services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = pytest.mark.django_db


def test_four_months_on_from_the_end_of_october_is_the_end_of_february():
    assert add_months(dt.date(2027, 10, 31), 4) == dt.date(2028, 2, 29)  # a leap year
    assert add_months(dt.date(2026, 10, 31), 4) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 4) == dt.date(2028, 3, 30)


@pytest.fixture
def case():
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.level_one_registration(
        referrer=probation, decided_on=timezone.localdate() - dt.timedelta(days=45)
    )
    return {"probation": probation, "registration": registration, "coordinator": factories.coordinator()}


@pytest.mark.calendar
def test_the_register_shows_the_lead_agencys_cases_with_the_screening_rationale_and_the_due_date(case):
    today = timezone.localdate()
    rows = level_one_register(case["coordinator"], area=case["registration"].area, today=today)
    assert [row.registration for row in rows] == [case["registration"]]
    row = rows[0]
    assert "Meets the threshold" in row.screening_rationale
    assert row.next_review_due == add_months(case["registration"].started_on, 4)
    assert row.lead_agency_name == case["probation"].agency.name
    mine = level_one_register(
        case["probation"], area=case["registration"].area, today=today, agency_id=case["probation"].agency_id
    )
    assert len(mine) == 1
    police = factories.practitioner(AgencyType.POLICE)
    assert level_one_register(police, area=police.area, today=today, agency_id=police.agency_id) == []
    assert level_one_register(factories.smb_member(), area=police.area, today=today) == []


@pytest.mark.calendar
def test_a_review_sets_the_next_one_by_the_areas_interval_and_the_overdue_list_clears(case):
    settings = LevelOneSettings.for_area(case["registration"].area)
    settings.review_interval_months = 1
    settings.save()
    today = timezone.localdate()
    area = case["registration"].area
    assert level_one_register(case["coordinator"], area=area, today=today, overdue_only=True), "a month has passed"
    review = services.level_one_review_record(
        actor=case["probation"],
        registration=case["registration"],
        reviewed_on=today,
        risk_changed=False,
        plan_robust=True,
        refer_to_level_2=False,
        notes="Stable accommodation, complying with licence.",
    )
    assert review.next_review_due == add_months(today, 1)
    assert level_one_register(case["coordinator"], area=area, today=today, overdue_only=True) == []


def test_a_review_that_refers_to_level_2_sends_a_mappa_a_to_the_coordinator_in_one_step(case):
    review = services.level_one_review_record(
        actor=case["probation"],
        registration=case["registration"],
        reviewed_on=timezone.localdate(),
        risk_changed=True,
        plan_robust=False,
        refer_to_level_2=True,
        notes="New partner with two young children; plan no longer holds.",
    )
    referral = review.referral
    assert referral.state == ReferralState.SUBMITTED and referral.level_requested == 2
    assert referral.referring_agency == case["probation"].agency
    assert "New partner" in referral.reason_for_referral
    assert OutboxMessage.objects.filter(
        kind=MessageKind.REFERRAL_UPDATE, payload__referral_id=str(referral.pk), payload__transition="submit"
    ).exists()
    assert review.next_review_due is None


def test_a_review_with_unanswered_questions_saves_nothing(case):
    with pytest.raises(WorkflowError) as refused:
        services.level_one_review_record(
            actor=case["probation"],
            registration=case["registration"],
            reviewed_on=None,
            risk_changed=None,
            plan_robust=True,
            refer_to_level_2=None,
            notes="",
        )
    assert {"reviewed_on", "risk_changed", "refer_to_level_2", "notes"} <= set(refused.value.errors)
    assert not LevelOneReview.objects.exists()


def test_only_the_lead_agency_or_the_coordinator_reviews(case):
    with pytest.raises(NotPermitted):
        services.level_one_review_record(
            actor=factories.practitioner(AgencyType.POLICE),
            registration=case["registration"],
            reviewed_on=timezone.localdate(),
            risk_changed=False,
            plan_robust=True,
            refer_to_level_2=False,
            notes="x",
        )


def test_a_level_2_case_has_no_level_1_review():
    registration = factories.registration_at_level(2)
    with pytest.raises(WorkflowError):
        services.level_one_review_record(
            actor=factories.coordinator(),
            registration=registration,
            reviewed_on=timezone.localdate(),
            risk_changed=False,
            plan_robust=True,
            refer_to_level_2=False,
            notes="x",
        )


@pytest.mark.calendar
def test_the_register_page_lists_and_filters_the_overdue_and_pins_its_queries(
    case, client, django_assert_max_num_queries
):
    for _ in range(3):
        factories.level_one_registration(referrer=case["probation"])
    factories.verify_client(client, case["coordinator"])
    with django_assert_max_num_queries(25):
        page = client.get(reverse("web:level_one_register"))
    assert page.status_code == 200
    assert str(case["registration"].individual) in page.content.decode()
    smb = factories.verify_client(client.__class__(), factories.smb_member())
    assert smb.get(reverse("web:level_one_register")).status_code == 403


def test_the_review_form_names_the_missing_answers(case, client):
    factories.verify_client(client, case["probation"])
    url = reverse("web:case_level_one_review", args=[case["registration"].individual_id])
    page = client.post(url, {"notes": ""})
    assert page.status_code == 200
    body = page.content.decode()
    assert "govuk-error-summary" in body and "Say whether to refer the case to Level 2" in body
    assert not Referral.objects.filter(level_one_review__isnull=False).exists()


def test_the_lead_agency_sees_its_level_1_case_in_its_register_though_another_agency_referred_it():
    """The police referred the case; the co-ordinator then made probation the lead agency. Probation manages
    it at Level 1, so its register (and the case) must show it; the police, who referred it, still see it."""
    police = factories.practitioner(AgencyType.POLICE)
    registration = factories.level_one_registration(
        referrer=police, decided_on=timezone.localdate() - dt.timedelta(days=45)
    )
    probation = factories.practitioner(AgencyType.PROBATION, area=police.area)
    today = timezone.localdate()
    mine = level_one_register(probation, area=police.area, today=today, agency_id=probation.agency_id)
    assert mine == []

    referral_services.registration_change_circumstances(
        actor=factories.coordinator(area=police.area),
        registration=registration,
        effective_date=today,
        reason="Probation now supervises the licence.",
        lead_agency=probation.agency,
    )

    mine = level_one_register(probation, area=police.area, today=today, agency_id=probation.agency_id)
    assert [row.registration for row in mine] == [registration]
    assert permissions.has_perm(probation, "referrals.view_individual", registration.individual)
    dwp = factories.practitioner(AgencyType.DWP, area=police.area)
    assert not permissions.has_perm(dwp, "referrals.view_individual", registration.individual)
