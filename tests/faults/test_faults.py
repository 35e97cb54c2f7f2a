"""Nothing lost, nothing doubled, nothing down: the plugs pulled on real processes (issue 14).

Each test starts its own redis-server, SMTP sink, Celery worker(s) and beat (see conftest.py and
harness.py), causes messages through the services as the web pages do, pulls a plug, and counts
what the SMTP sink accepted by Message-ID. Every wait has a deadline.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter

import psycopg
import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from meetings import services as meeting_services
from meetings.models import Meeting, MeetingType
from notifications import services as notification_services
from notifications.models import MessageStatus, OutboxMessage
from notifications.tests.conftest import officer, risk_actions
from tests import factories

from .harness import Processes, wait_until
from .report import figures

pytestmark = [
    pytest.mark.faults,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def slot(n: int) -> dt.datetime:
    """The n-th two-hour slot, four a weekday, from a week today: distinct for distinct n."""
    day, weekdays = timezone.localdate() + dt.timedelta(days=7), n // 4
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    while weekdays:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            weekdays -= 1
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9 + 2 * (n % 4))))


def schedule_meetings(count: int, *, first: int = 0) -> tuple[list[Meeting], list[float]]:
    """``count`` threshold meetings, four a day on weekdays from next week; returns them and each call's seconds."""
    area = factories.northamptonshire()
    coordinator, chair = factories.coordinator(area), factories.chair(area)
    meetings, seconds = [], []
    for n in range(first, first + count):
        started = time.monotonic()
        meetings.append(
            meeting_services.meeting_schedule(
                actor=coordinator,
                area=area,
                meeting_type=MeetingType.THRESHOLD,
                starts_at=slot(n),
                chair=chair,
                venue="Wootton Hall, Northampton",
                referrals=[],
            )
        )
        seconds.append(time.monotonic() - started)
    return meetings, seconds


def invitees(meetings: list[Meeting]) -> int:
    """What the domain says should be sent: one invitation per invitee per meeting (not read from the outbox)."""
    total = 0
    for meeting in Meeting.objects.filter(pk__in=[m.pk for m in meetings]).select_related("chair"):
        total += len(notification_services.meeting_recipients(meeting))
    return total


def all_accepted(rig, mark: int, expected: int):  # type: ignore[no-untyped-def]
    return lambda: len(rig.sink.counts(mark)) >= expected


def everything_sent() -> bool:
    return not OutboxMessage.objects.exclude(status=MessageStatus.SENT).exists()


def wait_settled(rig, mark: int, expected: int, *, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    """Wait for ``expected`` distinct messages; returns the monotonic time the last one was accepted.

    After ``timeout`` it returns anyway: the figures then show what was lost, and the test's
    ``lost == 0`` assertion says so (rather than a bare time-out).
    """
    try:
        wait_until(all_accepted(rig, mark, expected), timeout=timeout, what=what, every=0.25)
    except AssertionError:
        return time.monotonic()
    settled = time.monotonic()
    wait_until(everything_sent, timeout=30, what="every outbox row marked sent")
    time.sleep(2)  # a late double would arrive now
    return settled


class Browser:
    """Pages and API endpoints a user has open, as the web server answers them; counts 5xx."""

    def __init__(self) -> None:
        self.client = factories.verify_client(Client(), factories.smb_member())
        self.client.raise_request_exception = False
        self.api = APIClient()
        self.api.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(factories.practitioner())}")
        self.api.raise_request_exception = False
        self.statuses: Counter[int] = Counter()
        self.health: Counter[str] = Counter()

    def visit(self) -> None:
        for response in (self.client.get("/statistics/"), self.api.get("/api/v1/actions/")):
            self.statuses[response.status_code] += 1
        health = self.client.get("/healthz")
        self.statuses[health.status_code] += 1
        self.health[health.json().get("status", "?")] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def test_redis_stopped_for_30_seconds_while_meetings_are_scheduled_and_reminders_swept(rig):
    rig.processes.worker()
    rig.processes.beat()
    owner = officer()
    risk_actions(owner, [timezone.localdate() - dt.timedelta(days=1)])  # one overdue action: one reminder due
    browser = Browser()
    wait_until(everything_sent, timeout=60, what="the set-up messages to be sent")
    mark = rig.sink.mark()

    rig.redis.stop()
    outage_started = time.monotonic()
    meetings, seconds = [], []
    for n in range(50):
        made, took = schedule_meetings(1, first=n)
        meetings += made
        seconds += took
        browser.visit()
    reminders = notification_services.action_reminders_send()  # the sweep, as its task would run it
    while time.monotonic() - outage_started < 30:
        browser.visit()
        time.sleep(0.5)
    health_during = dict(browser.health)
    rig.redis.start()  # empty: every task queued before the outage is gone; the outbox is the record
    restarted = time.monotonic()

    expected = invitees(meetings) + 1
    assert reminders == 1
    assert OutboxMessage.objects.filter(created_at__gte=timezone.now() - dt.timedelta(minutes=5)).count() >= expected
    settled = wait_settled(rig, mark, expected, timeout=120, what="every message after Redis came back")
    for _ in range(3):
        browser.visit()
    result = figures(
        "redis_outage",
        expected=expected,
        received=rig.sink.counts(mark),
        server_errors=browser.server_errors,
        drain_seconds=settled - restarted,
        requests=sum(browser.statuses.values()),
        slowest_scheduling_s=round(max(seconds), 2),
        healthz_during=health_during,
    )
    assert result["lost"] == 0, result
    assert result["doubled"] == 0
    assert result["server_errors"] == 0, browser.statuses
    assert health_during.get("degraded", 0) > 0 and "ok" not in health_during
    assert max(seconds) < 2.0, f"scheduling took up to {max(seconds):.1f}s with Redis down"


def _admin() -> psycopg.Connection:
    """A connection of our own to the test database, outside Django, to terminate others with."""
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    )


def _terminate(pids: list[int]) -> int:
    """pg_terminate_backend each of ``pids``; returns how many were ended."""
    with _admin() as admin:
        return sum(bool(admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]) for pid in pids)


def _other_backends() -> list[int]:
    """Every other connection to the test database: the workers', beat's (and not the admin's own)."""
    with _admin() as admin:
        rows = admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def test_database_connections_terminated_after_commit_and_while_sending(rig):
    rig.processes.worker()
    rig.processes.beat()
    wait_until(everything_sent, timeout=60, what="the set-up messages to be sent")

    # 1. Right after each change commits: the web process's connection is terminated before any
    #    after-commit hook can use it (as a failover or a restart would).
    mark = rig.sink.mark()
    killed_after_commit, meetings = 0, []
    for n in range(10):
        with transaction.atomic():
            pid = connection.connection.info.backend_pid
            transaction.on_commit(lambda pid=pid: _terminate([pid]))  # runs first, before the publish hooks
            made, _ = schedule_meetings(1, first=n)
            meetings += made
        connection.close()  # the request ends; the next one reconnects
        killed_after_commit += 1
    expected = invitees(meetings)
    started = time.monotonic()
    settled = wait_settled(rig, mark, expected, timeout=45, what="the messages of changes whose connection was killed")
    after_commit = figures(
        "db_killed_after_commit",
        expected=expected,
        received=rig.sink.counts(mark),
        server_errors=0,
        drain_seconds=settled - started,
        connections_terminated=killed_after_commit,
    )
    assert after_commit["lost"] == 0, after_commit
    assert after_commit["doubled"] == 0

    # 2. While sending: every worker connection terminated every 0.3 s for 6 s.
    rig.sink.delay = 0.15  # 80 messages on 2 processes: sending spans the 6 s of killing
    mark = rig.sink.mark()
    meetings, _ = schedule_meetings(20, first=20)
    expected = invitees(meetings)
    connection.close()  # the test's own connection is not a worker's; keep it out of the list
    kills: list[float] = []
    terminated = 0
    until = time.monotonic() + 6
    while time.monotonic() < until:
        terminated += _terminate(_other_backends())
        kills.append(time.monotonic())
        time.sleep(0.3)
    fault_over = time.monotonic()
    settled = wait_settled(rig, mark, expected, timeout=120, what="every message after the connections were killed")
    received = rig.sink.since(mark)
    counts = Counter(r.message_id for r in received)
    first_accepted = {}
    for r in received:
        first_accepted.setdefault(r.message_id, r.at)
    doubled_ids = [mid for mid, n in counts.items() if n > 1]
    near_a_kill = [mid for mid in doubled_ids if any(abs(first_accepted[mid] - k) < 1.5 for k in kills)]
    while_sending = figures(
        "db_killed_while_sending",
        expected=expected,
        received=counts,
        server_errors=0,
        drain_seconds=settled - fault_over,
        connections_terminated=terminated,
        doubles_near_a_kill=len(near_a_kill),
    )
    assert while_sending["lost"] == 0, while_sending
    assert terminated > 0
    # A double only for a message accepted at the instant its sender's connection was killed.
    assert sorted(near_a_kill) == sorted(doubled_ids)
    assert while_sending["doubled"] <= terminated


def test_worker_sigkilled_mid_send_and_restarted(rig):
    worker = rig.processes.worker(concurrency=2)
    rig.processes.beat()
    wait_until(everything_sent, timeout=60, what="the set-up messages to be sent")
    rig.sink.delay = 0.4  # every send is in flight for 0.4 s
    mark = rig.sink.mark()
    meetings, _ = schedule_meetings(12)
    expected = invitees(meetings)
    wait_until(lambda: len(rig.sink.counts(mark)) >= 10, timeout=60, what="the first sends")

    in_flight = OutboxMessage.objects.filter(status=MessageStatus.SENDING).count()
    Processes.kill(worker)
    killed_at = time.monotonic()
    rig.processes.worker(concurrency=2)
    restarted = time.monotonic()
    settled = wait_settled(rig, mark, expected, timeout=90, what="the rest after the worker was restarted")
    result = figures(
        "worker_sigkilled",
        expected=expected,
        received=rig.sink.counts(mark),
        server_errors=0,
        drain_seconds=settled - killed_at,
        in_flight_at_kill=in_flight,
        seconds_from_restart_to_last=round(settled - restarted, 1),
    )
    assert result["lost"] == 0, result
    assert result["doubled"] <= max(in_flight, 2), "only messages in flight at the kill may arrive twice"
    assert result["seconds_from_restart_to_last"] <= 60


def test_beat_restarted_twice_with_two_workers_sends_nothing_twice(rig):
    from notifications.tasks import drain_outbox, send_action_reminders

    rig.processes.worker(concurrency=2, name="a")
    rig.processes.worker(concurrency=2, name="b")
    beat = rig.processes.beat()
    owner = officer()
    risk_actions(owner, [timezone.localdate()])
    wait_until(everything_sent, timeout=60, what="the set-up messages to be sent")
    rig.sink.delay = 0.02
    mark = rig.sink.mark()
    meetings: list[Meeting] = []
    for wave in range(3):
        made, _ = schedule_meetings(8, first=8 * wave)
        meetings += made
        for _ in range(2):  # as if two beats ran the daily sweep and the drain
            send_action_reminders.delay()
            drain_outbox.delay()
        time.sleep(2)
        if wave < 2:  # restarted twice, mid-flow
            Processes.stop(beat)
            beat = rig.processes.beat()
    fault_over = time.monotonic()
    expected = invitees(meetings) + 1  # and one reminder, however often the sweep ran
    settled = wait_settled(rig, mark, expected, timeout=90, what="every message with two workers and a restarted beat")
    result = figures(
        "beat_restarted_two_workers",
        expected=expected,
        received=rig.sink.counts(mark),
        server_errors=0,
        drain_seconds=settled - fault_over,
        beat_restarts=2,
        workers=2,
    )
    assert result["lost"] == 0, result
    assert result["doubled"] == 0
