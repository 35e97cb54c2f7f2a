"""Risk management actions through the API: an agency's system lists its actions, logs progress, completes or closes them."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from mappa_workflow.audit import audit_trail_for
from mappa_workflow.models import AgencyType, Area
from meetings import services as meeting_services
from meetings.models import RiskAction, RiskActionState
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def url(action: RiskAction | None = None, verb: str = "") -> str:
    if action is None:
        return "/api/v1/actions/"
    return f"/api/v1/actions/{action.pk}/" + (f"{verb}/" if verb else "")


def police_officer():
    return factories.practitioner(AgencyType.POLICE)


@pytest.fixture
def action() -> RiskAction:
    return factories.risk_action(AgencyType.POLICE)


# ---------------------------------------------------------------------------------------------
# List mine
# ---------------------------------------------------------------------------------------------


def test_list_needs_credentials(api):
    assert_problem(api().get(url()), 401)


@pytest.mark.parametrize("role", ["smb_member", "lay_adviser"])
def test_statistics_only_roles_may_not_list_actions(api, role):
    assert_problem(api(getattr(factories, role)()).get(url()), 403)


def test_a_practitioner_lists_their_own_agency_actions_only(api, action):
    housing_action = factories.risk_action(AgencyType.HOUSING)
    police = api(police_officer()).get(url()).json()
    assert [a["id"] for a in police["results"]] == [str(action.pk)]
    assert police["results"][0]["owning_agency"]["agency_type"] == "police"
    housing = api(factories.practitioner(AgencyType.HOUSING)).get(url()).json()
    assert [a["id"] for a in housing["results"]] == [str(housing_action.pk)]


def test_a_coordinator_lists_the_area_and_filters(api, action):
    housing_action = factories.risk_action(AgencyType.HOUSING, due_in_days=3)
    client = api(factories.coordinator())
    assert client.get(url()).json()["count"] == 2
    by_agency = client.get(url(), {"owning_agency": housing_action.owning_agency_id}).json()
    assert [a["id"] for a in by_agency["results"]] == [str(housing_action.pk)]
    due_soon = client.get(url(), {"due_before": str(TODAY + dt.timedelta(days=5))}).json()
    assert [a["id"] for a in due_soon["results"]] == [str(housing_action.pk)]
    assert client.get(url(), {"overdue": "true"}).json()["count"] == 0


def test_another_area_sees_none(api, action):
    outsider = factories.coordinator(area=Area.objects.exclude(pk=action.area_id).first())
    assert api(outsider).get(url()).json()["count"] == 0


def test_a_bad_filter_value_is_a_400(api):
    assert_problem(api(police_officer()).get(url(), {"due_before": "soon"}), 400, "due_before")


def test_action_list_costs_the_same_queries_for_one_or_many(api, django_assert_num_queries):
    officer = police_officer()
    client = api(officer)
    factories.risk_action(AgencyType.POLICE)
    client.get(url())
    # token + user, roles, area, count, page (agency, person and meeting joined)
    with django_assert_num_queries(5 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(url()).json()["count"] == 1
    for _ in range(3):
        factories.risk_action(AgencyType.POLICE)
    with django_assert_num_queries(5 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        assert client.get(url()).json()["count"] == 4


# ---------------------------------------------------------------------------------------------
# Read one
# ---------------------------------------------------------------------------------------------


def test_read_needs_credentials(api, action):
    assert_problem(api().get(url(action)), 401)


def test_read_is_refused_to_statistics_roles_and_hidden_from_other_areas(api, action):
    assert_problem(api(factories.smb_member()).get(url(action)), 403)
    outsider = factories.practitioner(AgencyType.POLICE, area=Area.objects.exclude(pk=action.area_id).first())
    assert_problem(api(outsider).get(url(action)), 404)
    assert_problem(api(police_officer()).get(f"/api/v1/actions/{uuid.uuid4()}/"), 404)


def test_the_owning_agency_reads_the_action_with_its_update_log(api, action):
    response = api(police_officer()).get(url(action))
    assert response.status_code == 200
    body = response.json()
    assert body["description"].startswith("Home visit")
    assert body["individual"]["id"] == str(action.registration.individual_id)
    assert body["updates"] == []


# ---------------------------------------------------------------------------------------------
# Update (a progress note), start, complete, close
# ---------------------------------------------------------------------------------------------

VERBS = ["updates", "start", "complete", "close"]
# A body each verb would accept, so that only the credentials, role or record can refuse it.
ANY_VERB = {"text": "Visited", "note": "Visited", "outcome": "closed_not_possible", "reason": "Moved away"}


@pytest.mark.parametrize("verb", VERBS)
def test_changes_need_credentials(api, action, verb):
    assert_problem(api().post(url(action, verb), ANY_VERB, format="json"), 401)


@pytest.mark.parametrize("verb", VERBS)
def test_statistics_only_roles_may_not_change_actions(api, action, verb):
    for user in (factories.smb_member(), factories.lay_adviser()):
        assert_problem(api(user).post(url(action, verb), ANY_VERB, format="json"), 403)


@pytest.mark.parametrize("verb", VERBS)
def test_another_agency_may_see_the_case_but_not_update_its_action(api, action, verb):
    # Probation referred the person, so a probation practitioner sees the case and its actions...
    probation = factories.practitioner(AgencyType.PROBATION)
    assert api(probation).get(url(action)).status_code == 200
    # ...but only the owning agency (police) may change the action.
    response = api(probation).post(url(action, verb), ANY_VERB, format="json")
    assert_problem(response, 403)
    action.refresh_from_db()
    assert action.state == RiskActionState.OPEN


@pytest.mark.parametrize("verb", VERBS)
def test_changes_to_an_unknown_action_are_not_found(api, verb):
    missing = f"/api/v1/actions/{uuid.uuid4()}/{verb}/"
    assert_problem(api(police_officer()).post(missing, ANY_VERB, format="json"), 404)


def test_an_update_needs_text(api, action):
    assert_problem(api(police_officer()).post(url(action, "updates"), {"text": "  "}, format="json"), 400, "text")
    assert_problem(api(police_officer()).post(url(action, "updates"), {}, format="json"), 400, "text")
    assert not action.updates.exists()


def test_the_owning_agency_logs_progress(api, action):
    response = api(police_officer()).post(
        url(action, "updates"), {"text": "Curfew address visited; equipment working."}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["text"] == "Curfew address visited; equipment working."
    assert response.json()["state_after"] == "open"
    assert action.updates.get().text == "Curfew address visited; equipment working."


def test_start_is_refused_once_started(api, action):
    client = api(police_officer())
    assert client.post(url(action, "start"), {}, format="json").json()["state"] == "in_progress"
    assert_problem(client.post(url(action, "start"), {}, format="json"), 400, "state")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "note"),
        ({"note": "  "}, "note"),
        ({"note": "Done", "completed_on": "yesterday"}, "completed_on"),
        ({"note": "Done", "completed_on": "2999-01-01"}, "completed_on"),
    ],
)
def test_complete_with_bad_input_is_a_400_naming_the_field(api, action, payload, field):
    assert_problem(api(police_officer()).post(url(action, "complete"), payload, format="json"), 400, field)
    action.refresh_from_db()
    assert action.state == RiskActionState.OPEN


def test_a_completed_action_cannot_be_completed_again(api, action):
    meeting_services.risk_action_complete(actor=police_officer(), action=action, note="Done")
    response = api(police_officer()).post(url(action, "complete"), {"note": "Done again"}, format="json")
    assert_problem(response, 400, "state")


def test_the_owning_agency_completes_the_action(api, action):
    response = api(police_officer()).post(
        url(action, "complete"), {"note": "Home visit done.", "completed_on": str(TODAY)}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "completed"
    assert body["completed_on"] == str(TODAY)
    assert [u["text"] for u in body["updates"]] == ["Home visit done."]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "outcome"),
        ({"outcome": "completed", "reason": "Done"}, "outcome"),
        ({"outcome": "not_possible", "reason": "Moved away"}, "outcome"),
        ({"outcome": "closed_not_done"}, "reason"),
        ({"outcome": "closed_not_done", "reason": "  "}, "reason"),
    ],
)
def test_close_with_bad_input_is_a_400_naming_the_field(api, action, payload, field):
    assert_problem(api(police_officer()).post(url(action, "close"), payload, format="json"), 400, field)
    action.refresh_from_db()
    assert action.state == RiskActionState.OPEN
    assert not action.updates.exists()


@pytest.mark.parametrize("finish", ["complete", "close"])
def test_a_finished_action_cannot_be_closed(api, action, finish):
    officer = police_officer()
    if finish == "complete":
        meeting_services.risk_action_complete(actor=officer, action=action, note="Done")
    else:
        meeting_services.risk_action_close(
            actor=officer, action=action, outcome=RiskActionState.CLOSED_NOT_DONE, reason="Not resourced"
        )
    finished = RiskAction.objects.get(pk=action.pk).state
    response = api(officer).post(
        url(action, "close"), {"outcome": "closed_not_possible", "reason": "Moved away"}, format="json"
    )
    assert_problem(response, 400, "state")
    assert RiskAction.objects.get(pk=action.pk).state == finished


def test_the_owning_agency_closes_an_action_that_is_no_longer_possible(api, action):
    officer = police_officer()
    response = api(officer).post(
        url(action, "close"),
        {"outcome": "closed_not_possible", "reason": "Moved out of the force area; case transferred."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "closed_not_possible"
    assert body["closed_reason"] == "Moved out of the force area; case transferred."
    assert [u["state_after"] for u in body["updates"]] == ["closed_not_possible"]
    action.refresh_from_db()
    assert action.state == RiskActionState.CLOSED_NOT_POSSIBLE
    event = audit_trail_for(action)[-1]
    assert (event.actor, event.transition, event.from_state, event.to_state) == (
        officer,
        "close_not_possible",
        "open",
        "closed_not_possible",
    )
    assert event.reason == "Moved out of the force area; case transferred."


def test_a_coordinator_closes_a_started_action_as_not_done(api, action):
    meeting_services.risk_action_start(actor=police_officer(), action=action)
    coordinator = factories.coordinator()
    response = api(coordinator).post(
        url(action, "close"), {"outcome": "closed_not_done", "reason": "Police did not resource it."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "closed_not_done"
    event = audit_trail_for(RiskAction.objects.get(pk=action.pk))[-1]
    assert (event.actor, event.from_state, event.to_state) == (coordinator, "in_progress", "closed_not_done")
