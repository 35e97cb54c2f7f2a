"""The API for the work between meetings, walked as the house pattern says: 401 without credentials, 403 for
a role that never may, 404 for a record the user may not see, 400 with field errors, then success."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from level_one.models import LevelOneReview
from mappa_workflow.models import AgencyType
from release_planning.models import ReleasePlan, ThirdPartyNotification
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.registration_in_custody(referrer=probation)
    return {"probation": probation, "individual": registration.individual}


def _plan_body(case, weeks=8):
    return {
        "individual": str(case["individual"].pk),
        "expected_date": str(timezone.localdate() + dt.timedelta(weeks=weeks)),
    }


@pytest.mark.calendar
def test_release_plans_from_401_to_created_and_the_mappa_j_recorded(api, case):
    assert_problem(api().post("/api/v1/release-plans/", _plan_body(case), format="json"), 401)
    assert_problem(api(factories.smb_member()).post("/api/v1/release-plans/", _plan_body(case), format="json"), 403)
    outsider = factories.practitioner(AgencyType.HOUSING)
    assert_problem(api(outsider).post("/api/v1/release-plans/", _plan_body(case), format="json"), 400, "individual")
    bad = api(case["probation"]).post(
        "/api/v1/release-plans/", {**_plan_body(case), "expected_date": "2000-01-01"}, format="json"
    )
    assert_problem(bad, 400, "expected_date")
    assert not ReleasePlan.objects.exists()

    created = api(case["probation"]).post("/api/v1/release-plans/", _plan_body(case), format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert {item["kind"] for item in plan["items"]} >= {"mappa_j", "prison_report"}
    assert api(outsider).get(f"/api/v1/release-plans/{plan['id']}/").status_code == 404
    assert api(outsider).get("/api/v1/release-plans/").json()["results"] == []

    missing = api(case["probation"]).post(
        f"/api/v1/release-plans/{plan['id']}/complete-item/", {"kind": "mappa_j"}, format="json"
    )
    assert_problem(missing, 400, "notes")
    done = api(case["probation"]).post(
        f"/api/v1/release-plans/{plan['id']}/complete-item/",
        {"kind": "mappa_j", "notes": "MAPPA J sent via the MAPPA unit"},
        format="json",
    )
    assert done.status_code == 200
    assert next(i for i in done.json()["items"] if i["kind"] == "mappa_j")["completed_on"] == str(timezone.localdate())

    moved = api(case["probation"]).post(
        f"/api/v1/release-plans/{plan['id']}/change-date/",
        {"expected_date": str(timezone.localdate() + dt.timedelta(weeks=10)), "reason": "Hearing adjourned"},
        format="json",
    )
    assert moved.status_code == 200 and len(moved.json()["date_changes"]) == 2
    police = factories.practitioner(AgencyType.POLICE)
    assert api(police).get(f"/api/v1/release-plans/{plan['id']}/").status_code == 404


def test_third_party_notifications_need_every_answer_and_are_acknowledged(api, case):
    body = {
        "individual": str(case["individual"].pk),
        "recipient_type": "childrens_services",
        "recipient": "Children's Trust front door (synthetic)",
        "what_was_shared": "That the person is due for release to an address near a school",
        "why_necessary": "Children are linked to the address",
        "lawful_basis": "Children Act 2004 s.11",
        "why_proportionate": "Only the address and release date",
        "recipient_undertaking": "Used for safeguarding only",
        "individual_told": False,
        "sent_on": str(timezone.localdate()),
    }
    assert_problem(
        api(case["probation"]).post("/api/v1/third-party-notifications/", body, format="json"),
        400,
        "why_individual_not_told",
    )
    assert not ThirdPartyNotification.objects.exists()
    created = api(case["probation"]).post(
        "/api/v1/third-party-notifications/",
        {**body, "why_individual_not_told": "Would alert him to the family"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    notification = created.json()
    acknowledged = api(case["probation"]).post(
        f"/api/v1/third-party-notifications/{notification['id']}/acknowledge/", {}, format="json"
    )
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == "acknowledged"
    assert_problem(api(factories.lay_adviser()).get("/api/v1/third-party-notifications/"), 403)


def test_a_level_one_review_by_api_refers_to_level_2(api):
    probation = factories.practitioner(AgencyType.PROBATION)
    registration = factories.level_one_registration(referrer=probation)
    body = {
        "individual": str(registration.individual_id),
        "reviewed_on": str(timezone.localdate()),
        "risk_changed": True,
        "plan_robust": False,
        "refer_to_level_2": True,
        "notes": "New partner with children.",
    }
    assert_problem(
        api(factories.practitioner(AgencyType.POLICE)).post("/api/v1/level-one-reviews/", body, format="json"),
        400,
        "individual",
    )
    assert_problem(
        api(probation).post("/api/v1/level-one-reviews/", {**body, "notes": ""}, format="json"), 400, "notes"
    )
    created = api(probation).post("/api/v1/level-one-reviews/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["referral"]
    assert LevelOneReview.objects.get().referral.state == "submitted"
