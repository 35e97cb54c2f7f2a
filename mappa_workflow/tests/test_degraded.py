"""Degrade, don't fail: Redis unreachable or a dropped database connection never become a 500."""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.urls import reverse
from rest_framework.test import APIClient

from mappa_workflow.cache import FallbackRedisCache, cache_reachable
from tests import factories

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "mappa_workflow.cache.FallbackRedisCache",
            "LOCATION": UNREACHABLE,
            "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 1},
        }
    }
    yield caches["default"]


def test_the_cache_falls_back_to_this_process_memory_quickly(redis_down):
    cache = redis_down
    assert isinstance(cache, FallbackRedisCache)
    started = time.monotonic()
    cache.set("figure", 42)
    assert cache.get("figure") == 42
    assert cache.degraded
    for _ in range(50):  # later calls do not try Redis again for a while
        cache.get("figure")
    assert time.monotonic() - started < 1
    assert cache_reachable() is False


def test_pages_and_the_api_answer_while_redis_is_unreachable(redis_down, client):
    reader = factories.smb_member()
    factories.verify_client(client, reader)
    assert client.get(reverse("web:statistics")).status_code == 200

    practitioner = factories.practitioner()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(practitioner)}")
    for _ in range(3):
        assert api.get("/api/v1/actions/").status_code == 200
    # The throttle still counts, in this process: its history is in the fallback memory cache.
    assert any("throttle" in key for key in redis_down._local._cache)


def test_healthz_says_degraded_when_the_cache_is_unreachable(redis_down, client):
    with mock.patch("notifications.broker.broker_status", return_value="ok"):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"


def test_a_dropped_database_connection_is_a_503_sorry_page_and_the_next_request_works(client):
    coordinator = factories.coordinator()
    factories.verify_client(client, coordinator)
    client.raise_request_exception = False
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(coordinator)}")
    api.raise_request_exception = False
    dropped = OperationalError("server closed the connection unexpectedly")

    with mock.patch("meetings.selectors.cases_due", side_effect=dropped):
        page = client.get(reverse("web:dashboard"))
    with mock.patch("meetings.selectors.action_list", side_effect=dropped):
        answer = api.get("/api/v1/actions/")

    assert page.status_code == 503
    assert "Sorry, there is a problem with the service" in page.content.decode()
    assert answer.status_code == 503
    assert answer.json()["status"] == 503
    assert client.get(reverse("web:dashboard")).status_code == 200
    assert api.get("/api/v1/actions/").status_code == 200


def test_other_server_errors_stay_500(client):
    factories.verify_client(client, factories.coordinator())
    client.raise_request_exception = False
    with mock.patch("meetings.selectors.cases_due", side_effect=RuntimeError("a bug")):
        assert client.get(reverse("web:dashboard")).status_code == 500


def test_a_database_error_while_scheduling_is_not_reported_as_a_validation_error():
    from meetings.models import Meeting
    from notifications.tests.conftest import schedule_level_2

    area = factories.northamptonshire()
    registration = factories.accepted_referral(level=2).registration
    with (
        mock.patch.object(Meeting, "full_clean", side_effect=OperationalError("connection lost")),
        pytest.raises(OperationalError),
    ):
        schedule_level_2(area, registration)


def test_a_database_error_while_changing_arrangements_is_not_reported_as_a_validation_error():
    from meetings import services as meeting_services
    from meetings.models import Meeting
    from notifications.tests.conftest import schedule_level_2

    area = factories.northamptonshire()
    meeting = schedule_level_2(area, factories.accepted_referral(level=2).registration)
    with (
        mock.patch.object(Meeting, "full_clean", side_effect=OperationalError("connection lost")),
        pytest.raises(OperationalError),
    ):
        meeting_services.meeting_update_arrangements(
            actor=factories.coordinator(area), meeting=meeting, venue="Elsewhere"
        )
