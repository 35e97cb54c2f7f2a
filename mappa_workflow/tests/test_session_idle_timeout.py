"""The 30-minute idle timeout: a session lives SESSION_COOKIE_AGE after the last request (to within a
minute), though it is written at most once a minute instead of on every request."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db

IDLE = dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: c.now):
        yield c


@pytest.fixture
def user_client(client, clock):
    factories.verify_client(client, factories.coordinator())
    return client


def signed_in(client) -> bool:
    response = client.get(reverse("web:dashboard"))
    return response.status_code == 200


def session_writes(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert signed_in(client)
    return sum(1 for q in ctx.captured_queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT"))


def test_the_idle_timeout_is_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_session_idle_for_the_timeout_is_signed_out(user_client, clock):
    assert signed_in(user_client)
    clock.advance(seconds=IDLE.total_seconds() + 1)
    assert not signed_in(user_client)


def test_activity_extends_the_session_though_it_is_written_at_most_once_a_minute(user_client, clock):
    assert signed_in(user_client)
    writes = 0
    for _ in range(100):  # a request every 25 seconds for 41 minutes: well past the idle timeout
        clock.advance(seconds=25)
        writes += session_writes(user_client)
    assert 30 <= writes <= 50  # every third request or so (25 s apart, a write once 60 s have passed), not all
    clock.advance(seconds=IDLE.total_seconds() - 61)  # idle for the timeout less a minute: still signed in
    assert signed_in(user_client)


def test_the_session_expires_within_a_minute_of_the_timeout_after_the_last_request(user_client, clock):
    assert signed_in(user_client)
    clock.advance(seconds=59)
    assert session_writes(user_client) == 0  # saved less than a minute ago: no write
    last_request = clock.now
    expires = Session.objects.get(session_key=user_client.cookies[settings.SESSION_COOKIE_NAME].value).expire_date
    assert last_request + IDLE - dt.timedelta(minutes=1) <= expires <= last_request + IDLE
    clock.advance(seconds=(expires - last_request).total_seconds() + 1)
    assert not signed_in(user_client)


def test_signing_out_still_ends_the_session(user_client):
    assert signed_in(user_client)
    user_client.post(reverse("logout"))
    assert not signed_in(user_client)
