"""Fixtures for the notifications tests: a real Celery worker on a real Redis, and the cases it works on."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator

import pytest
from django.utils import timezone
from kombu import pools as kombu_pools

from config.celery import app
from conftest import skip_or_fail
from mappa_workflow.models import AgencyType
from tests import factories

# A database of its own so these tests never read or purge anyone else's queues.
TEST_REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/5"
UNREACHABLE_REDIS_URL = "redis://127.0.0.1:1/5"  # nothing listens on port 1


def wait_until(predicate: Callable[[], bool], *, timeout: float = 20, what: str = "the worker") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"Timed out after {timeout}s waiting for {what}")


def use_broker(url: str) -> None:
    """Point the Celery app at ``url``, dropping pooled connections to the old broker."""
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
    # kombu keeps connection pools in a global registry keyed by URL, and a stopped worker leaves
    # them closed: start from fresh ones.
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    # A failed publish pauses publishing in this process for a while; a new broker starts afresh.
    from notifications import outbox

    outbox.publish_resume()


@pytest.fixture
def redis_broker() -> Iterator[str]:
    import redis
    from django.db import connection

    if connection.vendor != "postgresql":
        # A worker thread writing to SQLite's shared in-memory test database meets "table is locked".
        skip_or_fail("Worker tests need PostgreSQL (set DATABASE_URL)")

    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except Exception as exc:
        skip_or_fail(f"Redis is not reachable at {TEST_REDIS_URL} ({type(exc).__name__})")
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    use_broker(TEST_REDIS_URL)
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    yield TEST_REDIS_URL
    use_broker(previous[0])
    app.conf.broker_transport_options = previous[1]


@pytest.fixture
def fast_retries(settings):
    settings.NOTIFICATIONS_RETRY_BACKOFF_SECONDS = 0.5
    settings.NOTIFICATIONS_DRAIN_GRACE_SECONDS = 0
    return settings


@pytest.fixture
def start_celery_worker(redis_broker, fast_retries):
    """Start a real worker thread consuming from Redis; returns a context manager."""
    from celery.contrib.testing.worker import start_worker

    def start():  # type: ignore[no-untyped-def]
        # No ping check: it needs a result backend, and tasks here store no results. start_worker
        # still waits until the consumer is ready.
        return start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20, loglevel="WARNING")

    return start


@pytest.fixture
def area():
    return factories.northamptonshire()


@pytest.fixture
def agency_inboxes(area):
    """Give every agency of the area a shared MAPPA inbox (the reference data has none)."""
    from mappa_workflow.models import Agency

    for agency in Agency.objects.filter(area=area):
        agency.email = f"mappa.{agency.agency_type}.{agency.pk}@example.invalid"
        agency.save(update_fields=["email"])
    return area


def next_weekday_at(hour: int, days_ahead: int = 7) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def schedule_level_2(area, registration):  # type: ignore[no-untyped-def]
    """A Level 2 panel next week for ``registration``, scheduled by a co-ordinator of ``area``."""
    from meetings import services as meeting_services
    from meetings.models import MeetingType

    return meeting_services.meeting_schedule(
        actor=factories.coordinator(area),
        area=area,
        meeting_type=MeetingType.LEVEL_2,
        starts_at=next_weekday_at(10),
        chair=factories.chair(area),
        venue="Wootton Hall, Northampton",
        registrations=[registration],
    )


def level_2_case():  # type: ignore[no-untyped-def]
    return factories.accepted_referral(level=2).registration


def officer(agency_type: str = AgencyType.PROBATION):  # type: ignore[no-untyped-def]
    return factories.practitioner(agency_type)


def risk_actions(owner, due_dates):  # type: ignore[no-untyped-def]
    """Actions owned by ``owner``, one per due date, agreed at a Level 2 panel held ten days ago."""
    from meetings import services as meeting_services
    from meetings.models import CaseDecision, MeetingType, PlanHeading

    coordinator = factories.coordinator()
    registration = factories.accepted_referral(
        level=2, decided_on=timezone.localdate() - dt.timedelta(days=20)
    ).registration
    meeting = meeting_services.meeting_schedule(
        actor=coordinator,
        area=registration.area,
        meeting_type=MeetingType.LEVEL_2,
        starts_at=timezone.now() - dt.timedelta(days=10),
        chair=factories.chair(),
        venue="Wootton Hall, Northampton",
        registrations=[registration],
        allow_past=True,
    )
    meeting = meeting_services.meeting_record_held(actor=coordinator, meeting=meeting)
    item = meeting.agenda_items.get()
    minutes = meeting_services.case_minutes_record(
        actor=coordinator,
        item=item,
        minutes=meeting_services.MinutesInput(
            risk_summary="High risk to a former partner.",
            decision=CaseDecision.SAME_LEVEL,
            rationale="Risk unchanged; plan in place.",
        ),
    )
    return [
        meeting_services.risk_action_create(
            actor=coordinator,
            case_minutes=minutes,
            heading=PlanHeading.SUPERVISION,
            description=f"Home visit number {n}",
            owning_agency=owner.agency,
            officer_name=str(owner),
            officer=owner,
            due_date=due,
        )
        for n, due in enumerate(due_dates, start=1)
    ]
