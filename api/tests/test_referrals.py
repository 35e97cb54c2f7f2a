"""Referrals through the API: each endpoint walks 401 -> 403 per role -> 404 -> 400 per invalid state -> success."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from mappa_workflow.audit import case_viewers
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent
from referrals import services
from referrals.models import Individual, Referral, ReferralState, RegistrationStatus
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def url(referral: Referral | None = None, transition: str = "") -> str:
    if referral is None:
        return "/api/v1/referrals/"
    return f"/api/v1/referrals/{referral.pk}/" + (f"{transition}/" if transition else "")


def other_area() -> Area:
    return Area.objects.exclude(slug="northamptonshire").order_by("slug").first()


def statistics_only_roles():
    return [factories.smb_member(), factories.lay_adviser()]


def more_information_requested() -> Referral:
    referral = factories.submitted_referral()
    return services.referral_request_more_information(
        actor=factories.coordinator(), referral=referral, request="What is the proposed address?"
    )


NEW_PERSON = {
    "given_names": "Jordan",
    "family_name": "Example",
    "date_of_birth": "1985-03-14",
    "gender": "male",
    "address": "1 Synthetic Street, Northampton",
    "aliases": ["JJ"],
}


# ---------------------------------------------------------------------------------------------
# List and read
# ---------------------------------------------------------------------------------------------


def test_list_needs_credentials(api):
    assert_problem(api().get(url()), 401)


def test_a_bad_token_is_refused_with_the_same_body(api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    body = assert_problem(client.get(url()), 401)
    assert "token" in body["detail"].lower()


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser"])
def test_statistics_only_roles_may_not_list_referrals(api, role):
    user = getattr(factories, role)()
    body = assert_problem(api(user).get(url()), 403)
    assert "statistics only" in body["detail"]


def test_a_practitioner_lists_only_their_agency_referrals(api):
    mine = factories.draft_referral(referrer=factories.practitioner(AgencyType.PROBATION))
    factories.draft_referral(referrer=factories.practitioner(AgencyType.HOUSING))
    other = factories.coordinator(area=other_area())
    factories.draft_referral(referrer=other, individual=factories.IndividualFactory(area=other.area))
    response = api(mine.referring_officer).get(url())
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [str(mine.pk)]


def test_a_coordinator_lists_their_area_and_filters_by_state(api):
    draft = factories.draft_referral()
    submitted = factories.submitted_referral()
    outsider = factories.coordinator(area=other_area())
    factories.draft_referral(referrer=outsider, individual=factories.IndividualFactory(area=outsider.area))
    client = api(factories.coordinator())
    everything = client.get(url()).json()
    assert everything["count"] == 2
    assert {r["id"] for r in everything["results"]} == {str(draft.pk), str(submitted.pk)}
    only_submitted = client.get(url(), {"state": "submitted"}).json()
    assert [r["id"] for r in only_submitted["results"]] == [str(submitted.pk)]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(api):
    assert_problem(api(factories.coordinator()).get(url(), {"state": "lost"}), 400, "state")


def test_a_page_beyond_the_last_is_a_404(api):
    assert_problem(api(factories.coordinator()).get(url(), {"page": 9}), 404)


def test_referral_list_costs_the_same_queries_for_one_or_many(api, django_assert_num_queries):
    coordinator = factories.coordinator()
    client = api(coordinator)
    factories.draft_referral()
    client.get(url())  # warm the per-process caches (content types, settings)
    # token + user, roles, count, page
    with django_assert_num_queries(4 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(url()).json()["count"] == 1
    for _ in range(4):
        factories.submitted_referral()
    with django_assert_num_queries(4 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(url()).json()["count"] == 5


def test_read_needs_credentials(api):
    assert_problem(api().get(url(factories.draft_referral())), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser"])
def test_statistics_only_roles_may_not_read_a_referral(api, role):
    assert_problem(api(getattr(factories, role)()).get(url(factories.draft_referral())), 403)


def test_a_referral_of_another_agency_or_area_is_not_found(api):
    referral = factories.draft_referral()
    for user in (factories.practitioner(AgencyType.HOUSING), factories.coordinator(area=other_area())):
        assert_problem(api(user).get(url(referral)), 404)
    assert_problem(api(factories.coordinator()).get(f"/api/v1/referrals/{uuid.uuid4()}/"), 404)


def test_a_malformed_id_is_a_json_404(api):
    assert_problem(api(factories.coordinator()).get("/api/v1/referrals/not-a-uuid/"), 404)


def test_reading_a_referral_shows_what_is_missing_and_is_audited(api):
    referral = factories.draft_referral(sentence="")
    coordinator = factories.coordinator()
    response = api(coordinator).get(url(referral))
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == referral.reference
    assert body["state"] == "draft"
    assert body["individual"]["id"] == str(referral.individual_id)
    assert body["missing_for_submission"] == {"sentence": "Enter the sentence"}
    view = AuditEvent.objects.get(action=AuditAction.VIEW, object_id=str(referral.pk), actor=coordinator)
    assert view.ip_address == "127.0.0.1"
    assert view in case_viewers(referral.individual)  # the co-ordinator sees who read the case


# ---------------------------------------------------------------------------------------------
# Create
# ---------------------------------------------------------------------------------------------


def test_create_needs_credentials(api):
    assert_problem(api().post(url(), {"person": NEW_PERSON}, format="json"), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser", "chair"])
def test_roles_that_do_not_refer_may_not_create(api, role):
    response = api(getattr(factories, role)()).post(url(), {"person": NEW_PERSON}, format="json")
    assert_problem(response, 403)
    assert not Individual.objects.exists()


def test_create_about_a_person_the_user_cannot_see_is_refused(api):
    hidden = factories.draft_referral(referrer=factories.practitioner(AgencyType.HOUSING)).individual
    response = api(factories.practitioner(AgencyType.POLICE)).post(url(), {"individual": str(hidden.pk)}, format="json")
    assert_problem(response, 400, "individual")
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "individual"),
        ({"individual": "00000000-0000-0000-0000-000000000000", "person": NEW_PERSON}, "individual"),
        ({"person": {**NEW_PERSON, "date_of_birth": "not a date"}}, "person-date_of_birth"),
        ({"person": {**NEW_PERSON, "date_of_birth": "2999-01-01"}}, "person-date_of_birth"),
        ({"person": {**NEW_PERSON, "pnc_reference": "12345"}}, "person-pnc_reference"),
        ({"person": NEW_PERSON, "category": 9}, "category"),
        ({"person": NEW_PERSON, "index_offence_date": "2999-01-01"}, "index_offence_date"),
        ({"person": NEW_PERSON, "referring_agency": 999999}, "referring_agency"),
    ],
)
def test_create_with_bad_answers_is_a_400_naming_the_field_and_records_nothing(api, payload, field):
    response = api(factories.practitioner(AgencyType.PROBATION)).post(url(), payload, format="json")
    assert_problem(response, 400, field)
    assert not Individual.objects.exists()
    assert not Referral.objects.exists()


def test_a_category_4_referral_needs_counter_terrorism_clearance_and_leaves_nothing_behind(api):
    response = api(factories.practitioner(AgencyType.POLICE)).post(
        url(), {"person": NEW_PERSON, "category": 4}, format="json"
    )
    assert_problem(response, 403)
    assert not Individual.objects.exists()  # the new person is recorded only with their referral
    cleared = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    assert api(cleared).post(url(), {"person": NEW_PERSON, "category": 4}, format="json").status_code == 201


def test_a_practitioner_refers_a_new_person(api):
    practitioner = factories.practitioner(AgencyType.PROBATION)
    answers = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in factories.COMPLETE_ANSWERS.items()}
    payload = {"person": NEW_PERSON, **answers}
    response = api(practitioner).post(url(), payload, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    referral = Referral.objects.get(pk=body["id"])
    assert referral.state == ReferralState.DRAFT
    assert referral.referring_agency == practitioner.agency
    assert referral.individual.family_name == "Example"
    assert list(referral.individual.aliases.values_list("name", flat=True)) == ["JJ"]
    assert body["missing_for_submission"] == {}
    assert body["category"] == 2


def test_a_coordinator_refers_a_person_already_recorded(api):
    known = factories.accepted_referral(level=2).individual
    response = api(factories.coordinator()).post(
        url(), {"individual": str(known.pk), "category": 2, "level_requested": 3}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["individual"]["id"] == str(known.pk)
    assert known.referrals.count() == 2


# ---------------------------------------------------------------------------------------------
# Change answers
# ---------------------------------------------------------------------------------------------


def test_change_needs_credentials(api):
    assert_problem(api().patch(url(factories.draft_referral()), {"sentence": "x"}, format="json"), 401)


def test_only_the_referring_agency_or_case_managers_change_answers(api):
    referral = factories.draft_referral()
    assert_problem(api(factories.smb_member()).patch(url(referral), {"sentence": "x"}, format="json"), 403)
    # Another agency invited to nothing cannot even see it.
    assert_problem(
        api(factories.practitioner(AgencyType.HOUSING)).patch(url(referral), {"sentence": "x"}, format="json"), 404
    )


def test_answers_of_a_submitted_referral_cannot_change(api):
    referral = factories.submitted_referral()
    response = api(referral.referring_officer).patch(url(referral), {"sentence": "Life"}, format="json")
    assert_problem(response, 400, "state")


@pytest.mark.calendar
def test_a_release_date_in_the_past_is_refused_for_someone_in_custody_and_nothing_changes(api):
    referral = factories.draft_referral()
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    client = api(referral.referring_officer)
    body = assert_problem(
        client.patch(url(referral), {"current_location": "custody", "expected_release_date": yesterday}, format="json"),
        400,
        "expected_release_date",
    )
    assert "in custody" in body["errors"]["expected_release_date"][0]
    referral.refresh_from_db()
    assert referral.expected_release_date != dt.date.fromisoformat(yesterday)
    # In the community a past date is history, not a plan: accepted.
    response = client.patch(
        url(referral), {"current_location": "community", "expected_release_date": yesterday}, format="json"
    )
    assert response.status_code == 200, response.json()
    today = timezone.localdate().isoformat()
    response = client.patch(
        url(referral), {"current_location": "custody", "expected_release_date": today}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_the_referrer_answers_a_request_for_more_information(api):
    referral = more_information_requested()
    response = api(referral.referring_officer).patch(
        url(referral), {"proposed_release_address": "Approved premises, Northampton"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["proposed_release_address"] == "Approved premises, Northampton"


# ---------------------------------------------------------------------------------------------
# Transitions
# ---------------------------------------------------------------------------------------------


def test_transitions_need_credentials(api):
    referral = factories.draft_referral()
    for transition in ("submit", "request-more-information", "resubmit", "decide", "withdraw"):
        assert_problem(api().post(url(referral, transition), {}, format="json"), 401)


@pytest.mark.parametrize("transition", ["submit", "request-more-information", "resubmit", "decide", "withdraw"])
def test_statistics_only_roles_may_not_transition(api, transition):
    referral = factories.draft_referral()
    for user in statistics_only_roles():
        assert_problem(api(user).post(url(referral, transition), {}, format="json"), 403)


@pytest.mark.parametrize("transition", ["submit", "request-more-information", "resubmit", "decide", "withdraw"])
def test_transitions_of_an_unknown_referral_are_not_found(api, transition):
    missing = f"/api/v1/referrals/{uuid.uuid4()}/{transition}/"
    assert_problem(api(factories.coordinator()).post(missing, {}, format="json"), 404)


def test_submit_names_every_missing_answer(api):
    referral = factories.draft_referral(sentence="", reason_for_referral="")
    body = assert_problem(
        api(referral.referring_officer).post(url(referral, "submit")), 400, "sentence", "reason_for_referral"
    )
    assert body["errors"]["sentence"] == ["Enter the sentence"]
    referral.refresh_from_db()
    assert referral.state == ReferralState.DRAFT


def test_submit_twice_is_refused(api):
    referral = factories.submitted_referral()
    assert_problem(api(referral.referring_officer).post(url(referral, "submit")), 400, "state")


def test_submit_with_a_future_date_is_refused(api):
    referral = factories.draft_referral()
    response = api(referral.referring_officer).post(
        url(referral, "submit"), {"submitted_on": str(TODAY + dt.timedelta(days=2))}, format="json"
    )
    assert_problem(response, 400, "submitted_on")


def test_a_coordinator_may_submit_a_draft_on_the_referrers_behalf(api):
    referral = factories.draft_referral()
    assert api(factories.coordinator()).post(url(referral, "submit")).json()["state"] == "submitted"


def test_the_referrer_submits_a_complete_draft(api):
    referral = factories.draft_referral()
    response = api(referral.referring_officer).post(url(referral, "submit"))
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["submitted_at"]


def test_a_practitioner_may_not_screen(api):
    referral = factories.submitted_referral()
    client = api(referral.referring_officer)
    assert_problem(client.post(url(referral, "request-more-information"), {"request": "More?"}, format="json"), 403)
    assert_problem(client.post(url(referral, "decide"), {"decision": "level_2", "rationale": "x"}, format="json"), 403)


def test_request_more_information_needs_the_request_and_a_referral_awaiting_screening(api):
    coordinator = factories.coordinator()
    submitted = factories.submitted_referral()
    assert_problem(api(coordinator).post(url(submitted, "request-more-information"), {}, format="json"), 400, "request")
    draft = factories.draft_referral()
    assert_problem(
        api(coordinator).post(url(draft, "request-more-information"), {"request": "Address?"}, format="json"),
        400,
        "state",
    )


def test_the_coordinator_asks_for_more_information(api):
    referral = factories.submitted_referral()
    response = api(factories.coordinator()).post(
        url(referral, "request-more-information"), {"request": "What is the proposed address?"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["state"] == "more_information_requested"
    assert response.json()["more_information_request"] == "What is the proposed address?"


def test_resubmit_is_refused_unless_more_information_was_requested(api):
    referral = factories.submitted_referral()
    assert_problem(api(referral.referring_officer).post(url(referral, "resubmit")), 400, "state")


def test_resubmit_is_refused_while_answers_are_missing(api):
    referral = more_information_requested()
    services.referral_update(actor=referral.referring_officer, referral=referral, sentence="")
    assert_problem(api(referral.referring_officer).post(url(referral, "resubmit")), 400, "sentence")


def test_the_referrer_resubmits(api):
    referral = more_information_requested()
    response = api(referral.referring_officer).post(url(referral, "resubmit"))
    assert response.status_code == 200
    assert response.json()["state"] == "resubmitted"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"rationale": "Meets the threshold"}, "decision"),
        ({"decision": "level_9", "rationale": "x"}, "decision"),
        ({"decision": "level_2"}, "rationale"),
        ({"decision": "level_2", "rationale": "   "}, "rationale"),
        ({"decision": "level_2", "rationale": "x", "decided_on": "2999-01-01"}, "decided_on"),
        ({"decision": "level_3", "rationale": "x"}, "why_level_2_cannot_manage"),
    ],
)
def test_decide_with_bad_input_is_a_400_naming_the_field(api, payload, field):
    referral = factories.submitted_referral()
    assert_problem(api(factories.coordinator()).post(url(referral, "decide"), payload, format="json"), 400, field)
    referral.refresh_from_db()
    assert referral.state == ReferralState.SUBMITTED


def test_decide_on_a_draft_is_refused(api):
    referral = factories.draft_referral()
    payload = {"decision": "level_2", "rationale": "Meets the threshold"}
    assert_problem(api(factories.coordinator()).post(url(referral, "decide"), payload, format="json"), 400, "state")


def test_the_coordinator_accepts_at_level_2(api):
    referral = factories.submitted_referral()
    payload = {"decision": "level_2", "rationale": "High risk of serious harm needing active co-ordination."}
    response = api(factories.coordinator()).post(url(referral, "decide"), payload, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "accepted_level_2"
    assert body["first_meeting_due"]
    referral.refresh_from_db()
    assert referral.registration.status == RegistrationStatus.LEVEL_2


def test_withdraw_needs_a_reason_and_an_undecided_referral(api):
    draft = factories.draft_referral()
    assert_problem(api(draft.referring_officer).post(url(draft, "withdraw"), {}, format="json"), 400, "reason")
    accepted = factories.accepted_referral()
    response = api(factories.coordinator()).post(url(accepted, "withdraw"), {"reason": "Moved away"}, format="json")
    assert_problem(response, 400, "state")


def test_the_referrer_withdraws(api):
    referral = factories.submitted_referral()
    response = api(referral.referring_officer).post(url(referral, "withdraw"), {"reason": "Deported"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "withdrawn"
    assert response.json()["withdrawal_reason"] == "Deported"


def test_a_sync_asks_for_referrals_changed_since_a_moment_with_any_offset(api):
    referral = factories.draft_referral()
    client = api(factories.coordinator())
    # PostgreSQL refuses offsets beyond 16 hours; ISO 8601 allows them, so the filter holds moments in UTC.
    assert client.get(url(), {"updated_since": "2001-03-13T10:54:42+19:48"}).json()["results"][0]["id"] == str(
        referral.pk
    )
    assert client.get(url(), {"updated_since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert_problem(client.get(url(), {"updated_since": "9999-12-31T23:00:00-05:00"}), 400, "updated_since")
