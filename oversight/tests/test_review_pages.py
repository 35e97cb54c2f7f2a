"""The review journey through the pages: the co-ordinator records a serious further offence from the case page,
the board's chair decides and commissions, the report is written and approved, the plan kept and the review closed.
Bad input comes back as a GOV.UK error summary naming the field; the SMB member's pages never name the person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from case_reviews.models import ActionState, ReviewState, SeriousCaseReview
from mappa_workflow.models import AgencyType
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

REPORT = {
    "background": "Managed at Level 2 after release on licence.",
    "chronology": "Two panels, then the offence.",
    "findings": "A change of address was not shared with housing.",
    "learning_points": "Confirm address checks with every agency at each review.",
}


# A description no generated name can contain: a lay adviser called Pearson once held "ARSON" on the page.
OFFENCE = "Arson of a parked delivery van"


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _as(user) -> Client:
    return factories.verify_client(Client(), user)


@pytest.fixture
def case():
    return factories.registration_at_level(2, individual=factories.unmistakable_individual())


def test_a_review_from_the_case_page_to_closure(case):
    coordinator, smb, lay = (
        factories.coordinator(case.area),
        factories.smb_chair(case.area),  # the board's chair: records the decision, and as an SMB member the rest
        factories.lay_adviser(case.area),
    )
    person = case.individual
    today = timezone.localdate()
    pages = _as(coordinator)
    case_page = pages.get(reverse("web:case_detail", args=[person.pk])).content.decode()
    record_url = reverse("web:case_serious_further_offence", args=[person.pk])
    assert record_url in case_page

    refused = pages.post(record_url, {"offence": "", **_date("offence_date", today), **_date("charged_on", today)})
    assert refused.status_code == 200
    assert (
        "govuk-error-summary" in refused.content.decode() and "Describe the offence charged" in refused.content.decode()
    )
    too_early = pages.post(
        record_url,
        {
            "offence": OFFENCE,
            **_date("offence_date", case.started_on - dt.timedelta(days=3)),
            **_date("charged_on", today),
        },
    )
    assert "was not registered with MAPPA on that day" in too_early.content.decode()

    response = pages.post(
        record_url, {"offence": OFFENCE, **_date("offence_date", today), **_date("charged_on", today)}
    )
    review = SeriousCaseReview.objects.get(individual=person)
    assert response.status_code == 302 and response.url == reverse("web:review_detail", args=[review.pk])

    smb_pages = _as(smb)
    detail = reverse("web:review_detail", args=[review.pk])
    decide = reverse("web:review_decide", args=[review.pk])
    no_lay = smb_pages.post(decide, {"outcome": "commission", "criteria_met": ["level_2_or_3"], "remit": "Sharing."})
    assert (
        "govuk-error-summary" in no_lay.content.decode()
        and "Select a lay adviser of the area" in no_lay.content.decode()
    )
    smb_pages.post(
        decide,
        {"outcome": "commission", "criteria_met": ["level_2_or_3"], "remit": "Sharing.", "lay_adviser": str(lay.pk)},
    )
    review.refresh_from_db()
    assert review.state == ReviewState.COMMISSIONED and not review.decided_late

    report = reverse("web:review_report", args=[review.pk])
    named = smb_pages.post(report, {**REPORT, "findings": f"{person.family_name} moved without telling anyone."})
    assert "Write this without the person" in named.content.decode()
    smb_pages.post(report, REPORT)
    smb_pages.post(reverse("web:review_approve", args=[review.pk]))
    police = factories.agency(case.area, AgencyType.POLICE)
    smb_pages.post(
        reverse("web:review_plan_add", args=[review.pk]),
        {"description": "Audit address checks", "owning_agency": str(police.pk), **_date("due_date", today)},
    )
    action = review.actions.get()
    pages.post(reverse("web:review_plan_item_complete", args=[action.pk]))
    smb_pages.post(reverse("web:review_close", args=[review.pk]))
    review.refresh_from_db()
    action.refresh_from_db()
    assert action.state == ActionState.COMPLETED and review.state == ReviewState.CLOSED

    for reader in (smb_pages, _as(lay)):
        for url in (reverse("web:review_register"), detail):
            text = reader.get(url).content.decode().upper()  # the pages show a family name in capitals
            assert review.reference in text
            for secret in (person.family_name, person.visor_reference, person.pnc_reference, OFFENCE):
                assert secret.upper() not in text
        assert REPORT["findings"] in reader.get(detail).content.decode()
    coordinator_view = pages.get(detail).content.decode()
    assert person.family_name.upper() in coordinator_view and OFFENCE in coordinator_view


def test_the_register_shows_a_decision_past_its_due_date_as_overdue(case):
    from oversight import services
    from oversight.tests.scenario import on

    coordinator = factories.coordinator(case.area)
    with on(case.started_on + dt.timedelta(days=1)):
        services.sfo_record(
            actor=coordinator,
            registration=case,
            offence_date=case.started_on,
            charged_on=case.started_on,
            offence="Arson",
        )
    page = _as(coordinator).get(reverse("web:review_register")).content.decode()
    assert "Overdue" in page


def test_the_register_pins_its_queries(case, django_assert_max_num_queries):
    from oversight import services

    coordinator, smb = factories.coordinator(case.area), factories.smb_member(case.area)
    for offset in range(3):
        other = factories.registration_at_level(2) if offset else case
        services.sfo_record(
            actor=coordinator,
            registration=other,
            offence_date=timezone.localdate(),
            charged_on=timezone.localdate(),
            offence="Arson",
        )
    for user in (coordinator, smb):
        pages = _as(user)
        with django_assert_max_num_queries(16):
            response = pages.get(reverse("web:review_register"))
        text = response.content.decode()
        assert all(review.reference in text for review in SeriousCaseReview.objects.all())
