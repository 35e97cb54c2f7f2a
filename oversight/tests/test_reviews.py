"""Serious further offences and serious case reviews, through the services, as the co-ordinator, the SMB and the
lay adviser live them (docs/serious-case-reviews.md)."""

from __future__ import annotations

import datetime as dt

import pytest

from case_reviews.models import ActionState, ReviewCriterion, ReviewState
from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditEvent
from need_to_know import permissions
from notifications.models import MessageKind, OutboxMessage
from oversight import services
from referrals import services as referral_services
from tests import factories
from tests.canaries import outbox_text

from .scenario import AUGUST_BANK_HOLIDAY, on

pytestmark = pytest.mark.django_db

ACCEPTED = dt.date(2025, 6, 2)
RECORDED = dt.date(2025, 8, 20)  # a Wednesday: 5 working days on, past the August bank holiday, is Thursday 28th
DUE = dt.date(2025, 8, 28)
CRITERIA = [ReviewCriterion.MANAGED_AT_LEVEL_2_OR_3, ReviewCriterion.SERIOUS_VIOLENT_OR_SEXUAL]
REPORT = {
    "background": "Managed at Level 2 since June after release on licence.",
    "chronology": "June: first panel. July: review panel. August: offence and arrest.",
    "findings": "Information about a new address was not shared with housing before the offence.",
    "learning_points": "Panels should confirm address checks with every agency at each review.",
}


@pytest.fixture
def case():
    return factories.registration_at_level(level=2, decided_on=ACCEPTED, individual=factories.unmistakable_individual())


@pytest.fixture
def people(case):
    area = case.area
    return {
        "coordinator": factories.coordinator(area),
        "smb": factories.smb_chair(area),  # the board's chair, who decides; an SMB member too
        "member": factories.smb_member(area),  # an SMB member who is not the chair
        "lay": factories.lay_adviser(area),
    }


def _record(case, coordinator, *, offence_date=dt.date(2025, 8, 15), charged_on=dt.date(2025, 8, 19)):
    with on(RECORDED):
        return services.sfo_record(
            actor=coordinator,
            registration=case,
            offence_date=offence_date,
            charged_on=charged_on,
            offence="Wounding with intent",
        )


def _commissioned(case, people, day=DUE):
    sfo = _record(case, people["coordinator"])
    with on(day):
        return services.scr_commission(
            actor=people["smb"],
            review=sfo.review,
            criteria_met=CRITERIA,
            reasons="Level 2 case charged with a serious violent offence.",
            remit="How the agencies shared information about the address in the two months before the offence.",
            lay_adviser=people["lay"],
        )


def test_the_sfo_takes_category_and_level_from_the_day_of_the_offence_not_from_today(case, people):
    with on(dt.date(2025, 8, 18)):
        referral_services.registration_change_level(
            actor=people["coordinator"],
            registration=case,
            level=3,
            effective_date=dt.date(2025, 8, 18),
            reason="Escalated",
        )
    before = _record(case, people["coordinator"], offence_date=dt.date(2025, 8, 15))
    after = _record(case, people["coordinator"], offence_date=dt.date(2025, 8, 19))
    assert (before.category, before.level) == (2, 2)
    assert (after.category, after.level) == (2, 3)


def test_recording_an_sfo_opens_a_review_due_in_5_working_days_and_tells_the_smb_without_naming_anyone(case, people):
    other_smb = factories.smb_member(case.area)
    elsewhere = factories.smb_member(Area.objects.get(slug="kent"))
    sfo = _record(case, people["coordinator"])
    review = sfo.review
    assert review.decision_due > AUGUST_BANK_HOLIDAY
    assert review.state == ReviewState.DECISION_DUE and review.decision_due == DUE
    assert AuditEvent.objects.filter(object_id=str(sfo.pk), action="create").exists()
    assert AuditEvent.objects.filter(object_id=str(review.pk), action="create").exists()
    messages = OutboxMessage.objects.filter(kind=MessageKind.REVIEW_DECISION_DUE)
    assert {m.recipient_email for m in messages} == {people["smb"].email, people["member"].email, other_smb.email}
    assert elsewhere.email not in {m.recipient_email for m in messages}
    person = case.individual
    for message in messages:
        text = outbox_text(message)
        assert review.reference in text and "28 August 2025" in text
        for secret in (person.family_name, person.visor_reference, "Wounding", sfo.reference):
            assert secret.upper() not in text.upper()


@pytest.mark.parametrize("role", ["practitioner", "smb", "lay", "chair", "other_area"])
def test_only_a_coordinator_of_the_area_records_an_sfo(case, people, role):
    actor = {
        "practitioner": lambda: factories.practitioner(AgencyType.PROBATION, area=case.area),
        "smb": lambda: people["smb"],
        "lay": lambda: people["lay"],
        "chair": lambda: factories.chair(case.area),
        "other_area": lambda: factories.coordinator(Area.objects.get(slug="kent")),
    }[role]()
    with pytest.raises(NotPermitted):
        _record(case, actor)
    assert not OutboxMessage.objects.filter(kind=MessageKind.REVIEW_DECISION_DUE).exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"offence_date": dt.date(2025, 5, 1)}, "offence_date"),  # before the case was registered
        ({"charged_on": dt.date(2025, 8, 14)}, "charged_on"),  # charged before the offence
        ({"charged_on": dt.date(2025, 8, 21)}, "charged_on"),  # in the future on the day it is recorded
        ({"offence_date": None}, "offence_date"),
    ],
)
def test_an_sfo_with_impossible_dates_is_refused_naming_the_field(case, people, kwargs, field):
    with pytest.raises(WorkflowError) as refused:
        _record(case, people["coordinator"], **kwargs)
    assert field in refused.value.errors


def test_hidden_characters_in_the_offence_or_an_action_are_refused_naming_the_field(case, people):
    with on(RECORDED), pytest.raises(WorkflowError) as refused:
        services.sfo_record(
            actor=people["coordinator"],
            registration=case,
            offence_date=dt.date(2025, 8, 15),
            charged_on=dt.date(2025, 8, 19),
            offence="Wounding\u200b with intent",
        )
    assert "offence" in refused.value.errors
    review = _commissioned(case, people)
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_action_add(
            actor=people["smb"],
            review=review,
            description="Audit\u202e checks",
            owning_agency=factories.agency(case.area, AgencyType.POLICE),
            due_date=DUE,
        )
    assert "description" in refused.value.errors


def test_the_same_offence_is_not_recorded_twice(case, people):
    _record(case, people["coordinator"])
    with pytest.raises(WorkflowError) as refused:
        _record(case, people["coordinator"])
    assert "offence_date" in refused.value.errors


def test_a_decision_on_the_fifth_working_day_counting_the_bank_holiday_is_on_time(case, people):
    review = _commissioned(case, people, day=DUE)
    assert review.state == ReviewState.COMMISSIONED
    assert review.decided_on == DUE and not review.decided_late
    assert review.decided_by == people["smb"] and review.lay_adviser == people["lay"]
    assert review.criteria_met == [c.value for c in CRITERIA]


def test_a_decision_the_day_after_is_flagged_late(case, people):
    sfo = _record(case, people["coordinator"])
    with on(DUE + dt.timedelta(days=1)):
        review = services.scr_decide_not_to_review(
            actor=people["smb"],
            review=sfo.review,
            criteria_met=[ReviewCriterion.SERIOUS_VIOLENT_OR_SEXUAL],
            reasons="Managed well by every agency; no concern about joint working.",
        )
    assert review.state == ReviewState.NOT_REVIEWED and review.decided_late
    assert AuditEvent.objects.filter(object_id=str(review.pk), transition="decide_not_to_review").exists()


def test_deciding_not_to_review_needs_reasons(case, people):
    sfo = _record(case, people["coordinator"])
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_decide_not_to_review(actor=people["smb"], review=sfo.review, criteria_met=[], reasons=" ")
    assert "reasons" in refused.value.errors


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"criteria_met": []}, "criteria_met"),
        ({"criteria_met": ["made_up"]}, "criteria_met"),
        ({"remit": ""}, "remit"),
        ({"lay_adviser": None}, "lay_adviser"),
        ({"lay_adviser": "smb"}, "lay_adviser"),  # not a lay adviser
        ({"lay_adviser": "kent"}, "lay_adviser"),  # another area's
    ],
)
def test_a_commission_without_criteria_remit_or_the_areas_lay_adviser_is_refused(case, people, change, field):
    sfo = _record(case, people["coordinator"])
    kwargs = {"criteria_met": CRITERIA, "reasons": "", "remit": "Information sharing.", "lay_adviser": people["lay"]}
    kwargs.update(change)
    if kwargs["lay_adviser"] == "smb":
        kwargs["lay_adviser"] = people["smb"]
    elif kwargs["lay_adviser"] == "kent":
        kwargs["lay_adviser"] = factories.lay_adviser(Area.objects.get(slug="kent"))
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_commission(actor=people["smb"], review=sfo.review, **kwargs)
    assert field in refused.value.errors
    sfo.review.refresh_from_db()
    assert sfo.review.state == ReviewState.DECISION_DUE


@pytest.mark.parametrize("role", ["coordinator", "lay", "member"])
def test_only_the_boards_chair_decides(case, people, role):
    sfo = _record(case, people["coordinator"])
    with on(DUE), pytest.raises(NotPermitted):
        services.scr_decide_not_to_review(actor=people[role], review=sfo.review, criteria_met=[], reasons="No.")


def test_a_review_is_decided_once(case, people):
    review = _commissioned(case, people)
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_decide_not_to_review(actor=people["smb"], review=review, criteria_met=[], reasons="Changed mind.")
    assert "state" in refused.value.errors


def test_the_report_refuses_a_section_that_names_the_person(case, people):
    review = _commissioned(case, people)
    person = case.individual
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_report_write(
            actor=people["coordinator"], review=review, **{**REPORT, "chronology": f"June: {person.family_name} moved."}
        )
    assert list(refused.value.errors) == ["chronology"]
    with on(DUE), pytest.raises(WorkflowError) as refused:
        services.scr_report_write(actor=people["coordinator"], review=review, **{**REPORT, "findings": ""})
    assert "findings" in refused.value.errors


def test_a_review_from_commission_to_closure(case, people):
    review = _commissioned(case, people)
    smb, coordinator = people["smb"], people["coordinator"]
    with on(dt.date(2025, 10, 1)):
        review = services.scr_report_write(actor=coordinator, review=review, **REPORT)
        assert review.state == ReviewState.REPORT_DRAFTED and review.report_drafted_on == dt.date(2025, 10, 1)
        with pytest.raises(NotPermitted):
            services.scr_report_approve(actor=coordinator, review=review)
        review = services.scr_report_approve(actor=smb, review=review)
        police = factories.agency(case.area, AgencyType.POLICE)
        first = services.scr_action_add(
            actor=smb,
            review=review,
            description="Audit address checks",
            owning_agency=police,
            due_date=dt.date(2025, 10, 31),
        )
        second = services.scr_action_add(
            actor=coordinator,
            review=review,
            description="Brief panel chairs",
            owning_agency=police,
            due_date=dt.date(2025, 12, 1),
        )
        services.scr_action_complete(actor=coordinator, action=first)
        with pytest.raises(WorkflowError) as refused:
            services.scr_close(actor=smb, review=review)
        assert "actions" in refused.value.errors
    with on(dt.date(2025, 12, 5)):
        second.refresh_from_db()
        assert second.is_overdue
        services.scr_action_complete(actor=smb, action=second)
        review = services.scr_close(actor=smb, review=review)
    assert review.state == ReviewState.CLOSED and review.closed_on == dt.date(2025, 12, 5)
    assert [a.state for a in review.actions.all()] == [ActionState.COMPLETED, ActionState.COMPLETED]
    transitions = set(AuditEvent.objects.filter(object_id=str(review.pk)).values_list("transition", flat=True))
    assert {"commission", "draft_report", "approve_report", "close"} <= transitions
    with on(dt.date(2025, 12, 5)), pytest.raises(WorkflowError):
        services.scr_action_add(
            actor=smb, review=review, description="Late idea", owning_agency=police, due_date=dt.date(2026, 1, 5)
        )


def test_an_action_from_another_areas_agency_or_naming_the_person_is_refused(case, people):
    review = _commissioned(case, people)
    kent_police = factories.agency(Area.objects.get(slug="kent"), AgencyType.POLICE)
    police = factories.agency(case.area, AgencyType.POLICE)
    with on(DUE):
        with pytest.raises(WorkflowError) as refused:
            services.scr_action_add(
                actor=people["smb"], review=review, description="Audit", owning_agency=kent_police, due_date=DUE
            )
        assert "owning_agency" in refused.value.errors
        with pytest.raises(WorkflowError) as refused:
            services.scr_action_add(
                actor=people["smb"],
                review=review,
                description=f"Check {case.individual.family_name}'s address",
                owning_agency=police,
                due_date=DUE,
            )
        assert "description" in refused.value.errors
        with pytest.raises(NotPermitted):
            services.scr_action_add(
                actor=people["lay"], review=review, description="Audit", owning_agency=police, due_date=DUE
            )


def test_the_smb_and_lay_advisers_see_the_review_but_not_the_sfo_and_practitioners_neither(case, people):
    review = _commissioned(case, people)
    sfo = review.serious_further_offence
    practitioner = factories.practitioner(AgencyType.PROBATION, area=case.area)
    chair = factories.chair(case.area)
    for reader in (people["smb"], people["lay"]):
        assert list(permissions.visible_case_reviews(reader)) == [review]
        assert not permissions.visible_serious_further_offences(reader).exists()
        assert not permissions.has_perm(reader, "case_reviews.view_case_review_subject", review)
        assert not permissions.sees_review_subject(reader)
    for reader in (people["coordinator"], chair):
        assert list(permissions.visible_serious_further_offences(reader)) == [sfo]
        assert permissions.has_perm(reader, "case_reviews.view_case_review_subject", review)
    assert not permissions.visible_case_reviews(practitioner).exists()
    assert not permissions.visible_serious_further_offences(practitioner).exists()
    kent_smb = factories.smb_member(Area.objects.get(slug="kent"))
    assert not permissions.visible_case_reviews(kent_smb).exists()
