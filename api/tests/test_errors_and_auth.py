"""One error body for every 4xx, token and session sign-in, throttling, and the self-hosted docs."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from api.access import ApiUserRateThrottle
from api.errors import exception_handler, flatten
from mappa_workflow.exceptions import ConcurrentChangeError, NotPermitted, WorkflowError
from mappa_workflow.models import AuditEvent
from referrals.models import Referral
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


def test_an_address_under_the_api_that_does_not_exist_is_a_json_404(api):
    assert_problem(api(factories.coordinator()).get("/api/v1/no-such-thing/"), 404)
    assert_problem(api().get("/api/v1/"), 404)


def test_a_wrong_method_is_a_405_in_the_same_shape(api):
    body = assert_problem(api(factories.coordinator()).delete("/api/v1/referrals/"), 405)
    assert "DELETE" in body["detail"]


def test_malformed_json_is_a_400(api):
    client = api(factories.practitioner())
    response = client.post("/api/v1/referrals/", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_an_unsupported_media_type_is_a_415(api):
    client = api(factories.practitioner())
    assert_problem(client.post("/api/v1/referrals/", data="<x/>", content_type="application/xml"), 415)


def test_throttled_requests_get_429_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(ApiUserRateThrottle, "rate", "2/minute", raising=False)
    client = api(factories.coordinator())
    assert client.get("/api/v1/referrals/").status_code == 200
    assert client.get("/api/v1/referrals/").status_code == 200
    response = client.get("/api/v1/referrals/")
    assert_problem(response, 429)
    assert int(response["Retry-After"]) > 0


def test_401_says_how_to_authenticate(api):
    response = api().get("/api/v1/referrals/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Token"


def test_the_workflow_exceptions_become_400_409_and_403():
    refused = exception_handler(WorkflowError({"state": "You cannot submit it"}), {})
    assert (refused.status_code, refused.data["errors"]) == (400, {"state": ["You cannot submit it"]})
    clash = exception_handler(ConcurrentChangeError("This action"), {})
    assert clash.status_code == 409
    assert clash.data["title"] == "Conflict"
    assert "changed by someone else" in clash.data["errors"]["__all__"][0]
    forbidden = exception_handler(NotPermitted("x may not screen referral"), {})
    assert (forbidden.status_code, forbidden.data["detail"]) == (403, "x may not screen referral")
    assert exception_handler(RuntimeError("a bug"), {}) is None  # not a 4xx: Django's 500 and the error log


def test_nested_errors_are_named_as_the_services_name_them():
    assert flatten({"attendance": [{}, {"name": ["Required"]}], "non_field_errors": ["Bad"]}) == {
        "attendance-2-name": ["Required"],
        "__all__": ["Bad"],
    }
    assert flatten({"registrations": {0: ["Not a UUID"]}}) == {"registrations-1": ["Not a UUID"]}
    assert flatten(["Whole request"]) == {"__all__": ["Whole request"]}


# ---------------------------------------------------------------------------------------------
# Session authentication (the browser) keeps CSRF protection
# ---------------------------------------------------------------------------------------------


def test_a_signed_in_browser_reads_but_must_send_the_csrf_token_to_change(api):
    practitioner = factories.practitioner()
    client = factories.verify_client(APIClient(enforce_csrf_checks=True), practitioner)  # password and 2FA done
    assert client.get("/api/v1/referrals/").status_code == 200
    body = assert_problem(client.post("/api/v1/referrals/", {}, format="json"), 403)
    assert "CSRF" in body["detail"]
    assert not Referral.objects.exists()


# ---------------------------------------------------------------------------------------------
# Issuing tokens
# ---------------------------------------------------------------------------------------------


def test_issue_api_token_prints_a_working_token_and_audits_it(api, capsys):
    officer = factories.practitioner(username="police.system")
    call_command("issue_api_token", "police.system")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=officer).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/actions/").status_code == 200
    assert AuditEvent.objects.filter(object_id=str(officer.pk), reason="API token issued").exists()
    assert key not in str(list(AuditEvent.objects.values_list("details", "reason")))


def test_rotate_replaces_the_token_and_revoke_removes_it(capsys):
    factories.practitioner(username="police.system")
    call_command("issue_api_token", "police.system")
    first = capsys.readouterr().out.strip()
    call_command("issue_api_token", "police.system")
    assert capsys.readouterr().out.strip() == first
    call_command("issue_api_token", "police.system", "--rotate")
    second = capsys.readouterr().out.strip()
    assert second != first
    assert not Token.objects.filter(key=first).exists()
    call_command("issue_api_token", "police.system", "--revoke")
    assert not Token.objects.exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {second}")
    assert_problem(client.get("/api/v1/actions/"), 401)


def test_issue_api_token_names_the_problem():
    with pytest.raises(CommandError, match="username: there is no user called 'nobody'"):
        call_command("issue_api_token", "nobody")
    factories.practitioner(username="gone", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("issue_api_token", "gone")


def test_a_deactivated_users_token_stops_working(api):
    officer = factories.practitioner()
    client = api(officer)
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert_problem(client.get("/api/v1/actions/"), 401)


# ---------------------------------------------------------------------------------------------
# Schema and docs
# ---------------------------------------------------------------------------------------------


def test_the_schema_is_openapi_3_with_every_endpoint(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/referrals/{id}/decide/",
        "/api/v1/individuals/{id}/",
        "/api/v1/meetings/{id}/attendance/",
        "/api/v1/actions/{id}/complete/",
        "/api/v1/statistics/{area}/{year}/",
    } <= set(schema["paths"])
    decide = schema["paths"]["/api/v1/referrals/{id}/decide/"]["post"]["responses"]
    assert {"200", "400", "401", "403", "404", "409"} <= set(decide)


def test_the_docs_are_self_hosted_with_no_inline_script_or_style(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html
    assert "<script>" not in html
    assert "cdn." not in html and "https://" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content
