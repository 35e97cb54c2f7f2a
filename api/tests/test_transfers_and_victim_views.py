"""The API for transfers and victims' views: 401 -> 403 -> 404 -> 400 -> success, as the pages."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType, Area, Role, RoleAssignment
from tests import factories
from transfers.models import Transfer, TransferState
from victims.models import VictimView

from .helpers import assert_problem

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def kent():
    return Area.objects.get(slug="kent")


def test_a_transfer_through_the_api(api, kent):
    action = factories.risk_action()
    registration = action.registration
    north = factories.coordinator()
    kent_coordinator = factories.coordinator(area=kent)
    body = {
        "registration": str(registration.pk),
        "receiving_area": "kent",
        "reason": "Moving to Canterbury.",
        "proposed_date": timezone.localdate().isoformat(),
    }
    assert api().post("/api/v1/transfers/", body, format="json").status_code in (401, 403)
    assert_problem(api(factories.smb_member()).post("/api/v1/transfers/", body, format="json"), 403)
    assert_problem(api(factories.chair()).post("/api/v1/transfers/", body, format="json"), 403)
    assert_problem(
        api(north).post("/api/v1/transfers/", {**body, "receiving_area": "nowhere"}, format="json"),
        400,
        "receiving_area",
    )
    assert_problem(api(north).post("/api/v1/transfers/", {**body, "reason": ""}, format="json"), 400, "reason")
    assert not Transfer.objects.exists()
    created = api(north).post("/api/v1/transfers/", body, format="json")
    assert created.status_code == 201, created.json()
    transfer_id = created.json()["id"]
    assert created.json()["handover_pack"]["open_actions"][0]["description"] == action.description

    as_kent = api(kent_coordinator)
    seen = as_kent.get(f"/api/v1/transfers/{transfer_id}/").json()
    assert seen["state"] == "requested" and seen["handover_pack"] is None
    assert (
        api(factories.coordinator(area=Area.objects.get(slug="essex")))
        .get(f"/api/v1/transfers/{transfer_id}/")
        .status_code
        == 404
    )
    assert_problem(as_kent.post(f"/api/v1/transfers/{transfer_id}/accept/", {}, format="json"), 400, "transfer_date")
    accepted = as_kent.post(
        f"/api/v1/transfers/{transfer_id}/accept/",
        {
            "transfer_date": timezone.localdate().isoformat(),
            "lead_agency": factories.agency(kent, AgencyType.POLICE).pk,
        },
        format="json",
    )
    assert accepted.status_code == 200 and accepted.json()["handover_pack"]["periods"]
    assert_problem(api(north).post(f"/api/v1/transfers/{transfer_id}/complete/", {"actions": []}, format="json"), 400)
    completed = api(north).post(
        f"/api/v1/transfers/{transfer_id}/complete/",
        {"actions": [{"action": str(action.pk), "outcome": "closed", "reason": "Curfew ends with the move."}]},
        format="json",
    )
    assert completed.status_code == 200 and completed.json()["state"] == TransferState.COMPLETED
    assert completed.json()["handover_pack"]["closed_actions"][0]["reason"] == "Curfew ends with the move."


def test_victims_views_through_the_api(api):
    registration = factories.registration_at_level(2)  # referred by probation
    vlo = factories.practitioner(AgencyType.PROBATION)
    RoleAssignment.objects.create(user=vlo, role=Role.VICTIM_LIAISON)
    body = {"registration": str(registration.pk), "views": "Wants to know when he is released.", "concerns": ""}
    assert_problem(
        api(factories.practitioner(AgencyType.PROBATION)).post("/api/v1/victim-views/", body, format="json"), 403
    )
    assert_problem(api(vlo).post("/api/v1/victim-views/", {**body, "views": ""}, format="json"), 400, "views")
    assert not VictimView.objects.exists()
    assert api(vlo).post("/api/v1/victim-views/", body, format="json").status_code == 201
    for reader, count in (
        (factories.coordinator(), 1),
        (factories.chair(), 1),
        (factories.practitioner(AgencyType.PROBATION), 1),
        (factories.practitioner(AgencyType.POLICE), 0),
        (factories.coordinator(area=Area.objects.get(slug="kent")), 0),
    ):
        assert api(reader).get("/api/v1/victim-views/").json()["count"] == count, reader
    assert_problem(api(factories.smb_member()).get("/api/v1/victim-views/"), 403)
