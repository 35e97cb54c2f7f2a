"""The API keeps its published contract (issue 20): JSON in the one error shape whatever is asked, a schema
that allows every value the API sends and documents the statuses it answers, and no query parameter
quietly ignored."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from meetings import selectors
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/referrals/", "/api/v1/individuals/", "/api/v1/meetings/", "/api/v1/actions/", "/api/v1/agencies/"]


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def is_json(response) -> bool:
    return response["Content-Type"] == "application/json"


# ---------------------------------------------------------------------------------------------
# JSON whatever the Accept header or method; Django's own refusals under /api/ too
# ---------------------------------------------------------------------------------------------


def test_a_browser_accept_header_still_gets_json(api):
    client = api(factories.coordinator())
    response = client.get("/api/v1/referrals/", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and is_json(response)
    assert "results" in response.json()


def test_an_error_asked_for_as_html_is_json_in_the_shared_shape(api):
    action = factories.risk_action()
    client = api(factories.coordinator())
    refused = client.post(f"/api/v1/actions/{action.pk}/close/", {}, format="json", HTTP_ACCEPT="text/html")
    assert is_json(refused)
    assert_problem(refused, 400, "outcome", "reason")
    wrong_method = client.get(f"/api/v1/actions/{action.pk}/close/", HTTP_ACCEPT="text/html")
    assert is_json(wrong_method)
    assert_problem(wrong_method, 405)
    assert is_json(api().get("/api/v1/actions/", HTTP_ACCEPT="text/html"))


def test_a_form_encoded_body_is_a_415_not_silently_read(api):
    action = factories.risk_action()
    response = api(factories.coordinator()).post(f"/api/v1/actions/{action.pk}/updates/", {"text": "Visited"})
    assert_problem(response, 415)


def test_a_body_value_of_the_wrong_type_or_format_is_a_400_not_coerced(api):
    action = factories.risk_action()
    client = api(factories.coordinator())
    assert_problem(client.post(f"/api/v1/actions/{action.pk}/updates/", {"text": 0}, format="json"), 400, "text")
    assert not action.updates.exists()
    complete = {"note": "Done", "completed_on": "2026-1-5"}
    response = client.post(f"/api/v1/actions/{action.pk}/complete/", complete, format="json")
    assert_problem(response, 400, "completed_on")
    referral = {"person": {"given_names": "Jo", "family_name": "Example", "date_of_birth": "1985-03-14"}}
    response = api(factories.practitioner()).post("/api/v1/referrals/", {**referral, "category": "2"}, format="json")
    assert_problem(response, 400, "category")
    attendance = {"attendance": [{"status": "present", "agency": "7", "name": 3}]}
    meeting = action.case_minutes.agenda_item.meeting
    response = client.put(f"/api/v1/meetings/{meeting.pk}/attendance/", attendance, format="json")
    assert_problem(response, 400, "attendance-1-agency", "attendance-1-name")


def test_a_server_error_under_the_api_is_json(monkeypatch):
    monkeypatch.setattr(selectors, "action_list", lambda **kwargs: 1 / 0)
    client = Client(raise_request_exception=False)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {factories.api_token(factories.coordinator())}"
    response = client.get("/api/v1/actions/", HTTP_ACCEPT="text/html")
    assert is_json(response)
    assert_problem(response, 500)
    assert "ZeroDivisionError" not in response.content.decode()


def test_a_request_django_will_not_read_is_a_json_400(api):
    too_many = "&".join(f"f{number}=1" for number in range(1001))  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = api(factories.coordinator()).get(f"/api/v1/referrals/?{too_many}", HTTP_ACCEPT="text/html")
    assert is_json(response)
    assert_problem(response, 400)


def test_a_database_that_is_away_is_a_503_with_retry_after(api, monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(selectors, "action_list", unreachable)
    response = api(factories.coordinator()).get("/api/v1/actions/")
    assert_problem(response, 503)
    assert int(response["Retry-After"]) > 0


def test_an_address_outside_v1_under_the_api_is_a_json_404():
    response = Client().get("/api/nothing-here", HTTP_ACCEPT="text/html")
    assert is_json(response)
    assert_problem(response, 404)
    assert Client().get("/no-such-page/")["Content-Type"].startswith("text/html")  # pages keep their pages


@pytest.mark.parametrize(("path", "status"), [("/api/v1/schema/", 406), ("/api/v1/docs/", 405)])
def test_the_schema_and_docs_refuse_in_json_though_they_answer_yaml_and_html(client, path, status):
    response = client.post(path, HTTP_ACCEPT="text/html")  # the schema is not offered as HTML: 406 first
    assert is_json(response)
    assert_problem(response, status)
    assert_problem(client.post(path), 405)
    assert client.get(path).status_code == 200


def test_a_csrf_failure_under_the_api_is_json_and_elsewhere_a_page():
    # Django's CSRF check runs before the view: a POST with no token to an address under /api/ that is not
    # a DRF view (which checks CSRF itself, for sessions only) is refused by Django.
    response = Client(enforce_csrf_checks=True).post("/api/v1/no-such-thing/", {"a": "b"}, HTTP_ACCEPT="text/html")
    assert is_json(response)
    body = assert_problem(response, 403)
    assert "CSRF" in body["detail"]
    page = Client(enforce_csrf_checks=True).post("/sign-in/", {"username": "x"})
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------------------------------------
# The schema allows what the API sends, and documents the statuses each operation answers
# ---------------------------------------------------------------------------------------------


def _allows(openapi, prop: dict, value) -> bool:
    options = prop.get("oneOf", [prop])
    for option in options:
        if "$ref" in option:
            option = openapi["components"]["schemas"][option["$ref"].rsplit("/", 1)[1]]
        if value in option.get("enum", []):
            return True
    return False


def test_blank_answers_a_draft_referral_shows_are_in_the_schema(api, openapi):
    draft = factories.draft_referral(risk_of_serious_harm="", current_location="")
    body = api(factories.coordinator()).get("/api/v1/referrals/").json()
    shown = next(r for r in body["results"] if r["id"] == str(draft.pk))
    referral = openapi["components"]["schemas"]["Referral"]["properties"]
    for name in ("risk_of_serious_harm", "current_location"):
        assert shown[name] == ""
        assert _allows(openapi, referral[name], ""), (name, referral[name])


def test_each_operation_documents_the_statuses_it_can_answer_and_no_others(openapi):
    paths = openapi["paths"]
    agencies = paths["/api/v1/agencies/"]["get"]["responses"]
    assert "403" not in agencies  # any signed-in user may list them
    assert {"400", "404", "503"} <= set(agencies)  # a bad parameter, a page beyond the last, no database
    retrieve = paths["/api/v1/referrals/{id}/"]["get"]["responses"]
    assert "400" not in retrieve and "415" not in retrieve
    resubmit = paths["/api/v1/referrals/{id}/resubmit/"]["post"]["responses"]
    assert "415" not in resubmit  # it reads no body
    assert {"400", "403", "409"} <= set(resubmit)
    for operations in paths.values():
        for operation in operations.values():
            for code, response in operation["responses"].items():
                if code >= "400":
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_the_schema_links_a_new_or_listed_record_to_what_can_be_done_with_it(openapi):
    created = openapi["paths"]["/api/v1/referrals/"]["post"]["responses"]["201"]["links"]
    assert created["referrals_submit_create"] == {
        "operationId": "referrals_submit_create",
        "parameters": {"id": "$response.body#/id"},
    }
    listed = openapi["paths"]["/api/v1/actions/"]["get"]["responses"]["200"]["links"]
    assert listed["actions_complete_create"]["parameters"] == {"id": "$response.body#/results/0/id"}
    operation_ids = {op["operationId"] for ops in openapi["paths"].values() for op in ops.values()}
    for operations in openapi["paths"].values():
        for operation in operations.values():
            for response in operation["responses"].values():
                assert set(response.get("links", {})) <= operation_ids


def test_the_api_reads_and_documents_json_only(openapi):
    close = openapi["paths"]["/api/v1/actions/{id}/close/"]["post"]
    assert set(close["requestBody"]["content"]) == {"application/json"}
    for operations in openapi["paths"].values():
        for operation in operations.values():
            assert set(operation["responses"]["200" if "200" in operation["responses"] else "201"]["content"]) == {
                "application/json"
            }


# ---------------------------------------------------------------------------------------------
# Unknown or malformed query parameters are refused, naming the parameter
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_an_unknown_query_parameter_is_a_400_naming_it(api, path):
    body = assert_problem(api(factories.coordinator()).get(path, {"stat": "draft"}), 400, "stat")
    assert "page_size" in body["errors"]["stat"][0]  # says what the list does take


@pytest.mark.parametrize("value", ["ten", "0", "-1", "201", "1.5", "٣"])
def test_a_page_size_that_is_not_a_whole_number_in_range_is_a_400(api, value):
    assert_problem(api(factories.coordinator()).get("/api/v1/referrals/", {"page_size": value}), 400, "page_size")


def test_a_page_that_is_not_a_number_is_a_400_and_beyond_the_last_a_404(api):
    client = api(factories.coordinator())
    assert_problem(client.get("/api/v1/agencies/", {"page": "last"}), 400, "page")
    assert_problem(client.get("/api/v1/agencies/", {"page": "0"}), 400, "page")
    assert_problem(client.get("/api/v1/agencies/", {"page": "999"}), 404)
    assert client.get("/api/v1/agencies/", {"page": "1", "page_size": "200"}).status_code == 200


def test_a_date_filter_that_is_not_a_date_is_a_400_naming_it(api):
    client = api(factories.coordinator())
    assert_problem(client.get("/api/v1/meetings/", {"starts_before": "next week"}), 400, "starts_before")
    assert_problem(client.get("/api/v1/referrals/", {"submitted_after": "2025-13-01"}), 400, "submitted_after")


def test_a_filter_given_with_no_value_or_a_boolean_that_is_not_true_or_false_is_a_400(api):
    client = api(factories.coordinator())
    assert_problem(client.get("/api/v1/meetings/", {"starts_before": ""}), 400, "starts_before")
    assert_problem(client.get("/api/v1/individuals/", {"registration_status": ""}), 400, "registration_status")
    assert_problem(client.get("/api/v1/actions/", {"unfinished": "yes please"}), 400, "unfinished")
    assert client.get("/api/v1/actions/", {"unfinished": "true", "overdue": "false"}).status_code == 200


def test_a_single_valued_filter_given_twice_is_a_400_and_state_may_repeat(api):
    client = api(factories.coordinator())
    assert_problem(client.get("/api/v1/referrals/?category=1&category=2"), 400, "category")
    assert client.get("/api/v1/referrals/?state=draft&state=submitted").status_code == 200
