"""An agency's referral as question pages, check your answers, and the co-ordinator's screening."""

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType
from referrals.models import Individual, Referral, ReferralState, RegistrationStatus
from tests import factories

pytestmark = pytest.mark.django_db

PERSON = {
    "given_names": "Jordan",
    "family_name": "Synthetic",
    "date_of_birth_day": "4",
    "date_of_birth_month": "7",
    "date_of_birth_year": "1988",
    "gender": "male",
    "address": "1 Example Street, Northampton",
}
PAGES = {
    "level": {"level_requested": "2", "category": "2"},
    "location": {"current_location": "community"},
    "offending": {
        "index_offence": "Wounding with intent",
        "index_offence_date_day": "2", "index_offence_date_month": "5", "index_offence_date_year": "2019",
        "sentence": "6 years' imprisonment",
        "sentence_date_day": "20", "sentence_date_month": "11", "sentence_date_year": "2019",
    },
    "risk": {"reason_for_referral": "Escalating threats to a former partner.", "risk_of_serious_harm": "high"},
    "referrer": {"referring_officer_name": "Sam Officer"},
}  # fmt: skip


def test_bad_answers_on_the_first_page_show_an_error_summary_and_save_nothing(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    bad = {**PERSON, "family_name": "", "date_of_birth_month": "13"}
    response = client.post(reverse("web:referral_start"), bad)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert 'href="#id_family_name">Enter the person&#x27;s family name' in page
    assert 'href="#id_date_of_birth_day">The date of birth must be a real date' in page
    assert not Individual.objects.exists() and not Referral.objects.exists()


def test_a_service_rule_shows_against_its_field(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    future = {**PERSON, "date_of_birth_year": "2999"}
    page = client.post(reverse("web:referral_start"), future).content.decode()
    assert 'href="#id_date_of_birth_day">Date of birth must be in the past' in page
    assert "govuk-form-group--error" in page
    assert not Individual.objects.exists()


def test_an_agency_refers_page_by_page_checks_its_answers_and_submits(signed_in):
    user = factories.practitioner(AgencyType.PROBATION)
    client = signed_in(user)
    response = client.post(reverse("web:referral_start"), PERSON)
    referral = Referral.objects.get()
    assert referral.state == ReferralState.DRAFT  # saved as a draft from the first page
    assert response.url == reverse("web:referral_step", args=[referral.pk, "level"])
    for slug, answers in PAGES.items():
        response = client.post(reverse("web:referral_step", args=[referral.pk, slug]), answers)
        assert response.status_code == 302, response.content.decode()
    assert response.url == reverse("web:referral_check", args=[referral.pk])
    check = client.get(response.url).content.decode()
    assert (
        "Check your answers" in check and "Wounding with intent" in check and "Category 2: Violent offenders" in check
    )
    assert reverse("web:referral_step", args=[referral.pk, "offending"]) + "?change=1" in check
    response = client.post(reverse("web:referral_check", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.state == ReferralState.SUBMITTED
    assert referral.referring_agency == user.agency
    assert referral.reference in client.get(response.url).content.decode()


def test_a_change_link_returns_to_check_your_answers(signed_in):
    referral = factories.draft_referral()
    client = signed_in(referral.referring_officer)
    url = reverse("web:referral_step", args=[referral.pk, "risk"]) + "?change=1"
    response = client.post(url, {"reason_for_referral": "New concerns", "risk_of_serious_harm": "very_high"})
    assert response.url == reverse("web:referral_check", args=[referral.pk])
    referral.refresh_from_db()
    assert referral.risk_of_serious_harm == "very_high"


def test_submitting_an_incomplete_referral_links_each_missing_answer_to_its_page(signed_in):
    referral = factories.draft_referral(sentence="", index_offence="")
    client = signed_in(referral.referring_officer)
    page = client.post(reverse("web:referral_check", args=[referral.pk])).content.decode()
    assert "There is a problem" in page
    assert reverse("web:referral_step", args=[referral.pk, "offending"]) + "?change=1#id_sentence" in page
    referral.refresh_from_db()
    assert referral.state == ReferralState.DRAFT


def test_the_coordinator_screens_at_level_2_and_the_case_page_shows_the_registration(signed_in):
    referral = factories.submitted_referral()
    client = signed_in(factories.coordinator())
    empty = client.post(reverse("web:referral_screen", args=[referral.pk]), {}).content.decode()
    assert "Select a decision" in empty and "Enter the rationale for the decision" in empty
    response = client.post(
        reverse("web:referral_screen", args=[referral.pk]),
        {"decision": "level_2", "rationale": "High risk; needs multi-agency management."},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == ReferralState.ACCEPTED_LEVEL_2
    assert referral.registration.status == RegistrationStatus.LEVEL_2
    case = client.get(reverse("web:case_detail", args=[referral.individual_id])).content.decode()
    assert "Managed at Level 2" in case and "Accepted at Level 2" in case and "Registered: Level 2" in case


def test_level_3_without_saying_what_level_2_cannot_deliver_is_refused_against_that_field(signed_in):
    referral = factories.submitted_referral()
    client = signed_in(factories.coordinator())
    page = client.post(
        reverse("web:referral_screen", args=[referral.pk]), {"decision": "level_3", "rationale": "Very high risk"}
    ).content.decode()
    assert 'href="#id_why_level_2_cannot_manage">A Level 3 decision must say' in page
    referral.refresh_from_db()
    assert referral.state == ReferralState.SUBMITTED


def test_asking_for_more_information_reopens_the_referral_for_the_agency(signed_in):
    referral = factories.submitted_referral()
    signed_in(factories.coordinator()).post(
        reverse("web:referral_screen", args=[referral.pk]),
        {"decision": "more_information", "rationale": "Send the latest OASys summary."},
    )
    referral.refresh_from_db()
    assert referral.state == ReferralState.MORE_INFORMATION_REQUESTED
    client = signed_in(referral.referring_officer)
    check = client.get(reverse("web:referral_check", args=[referral.pk])).content.decode()
    assert "Send the latest OASys summary." in check and "Resubmit referral" in check
    client.post(reverse("web:referral_check", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.state == ReferralState.RESUBMITTED


def test_referral_list_searches_and_pins_its_queries(signed_in, django_assert_max_num_queries):
    referrals = [factories.submitted_referral() for _ in range(6)]
    client = signed_in(factories.coordinator())
    with django_assert_max_num_queries(12 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        page = client.get(reverse("web:referral_list"), {"sort": "name"}).content.decode()
    assert all(r.reference in page for r in referrals)
    found = client.get(reverse("web:referral_list"), {"q": referrals[0].reference}).content.decode()
    assert referrals[0].reference in found and referrals[1].reference not in found
