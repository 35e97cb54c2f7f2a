"""schemathesis against the API's own OpenAPI schema, through the WSGI application.

Signed in as a co-ordinator with an API token, over a small case (a referral awaiting screening,
a held panel with an action). Detail routes are pointed at those real records so generated bodies
reach the services rather than stopping at a 404. No response may be a server error or break the
schema (status codes, content types, headers and bodies as documented).
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mappa_workflow.wsgi import application
from reporting.statistics import current_reporting_year
from tests import factories

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _openapi() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


# Fuzzing only: the coverage phase's every-boundary sweep takes minutes and the endpoint tests pin the edges.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_dict(_openapi(), config=CONFIG)
schema.app = application


@pytest.fixture
def case_records(db):
    """A co-ordinator's token and one real record behind each kind of detail route."""
    # As Django's test client does: a request must not close the connection holding the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        action = factories.risk_action()
        referral = factories.submitted_referral()
        meeting = factories.held_meeting("level_2", days_ago=2)
        ids = {
            "referrals": referral.pk,
            "individuals": referral.individual_id,
            "meetings": meeting.pk,
            "actions": action.pk,
        }
        yield factories.api_token(factories.coordinator()), ids
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_honours_its_schema(case, case_records):
    token, ids = case_records
    if "id" in case.path_parameters:
        case.path_parameters["id"] = str(ids[case.path.split("/")[3]])
    if "area" in case.path_parameters:
        case.path_parameters["area"] = "northamptonshire"
        year = case.path_parameters["year"]
        if isinstance(year, int) and year % 2 == 0:  # half the time a year that has records
            case.path_parameters["year"] = current_reporting_year()
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
