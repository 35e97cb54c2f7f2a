"""Fixtures for the fault tests: real processes around the test database (PostgreSQL only)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app
from conftest import skip_or_fail
from notifications import outbox

from .harness import Processes, RedisServer, SmtpSink

DRAIN_EVERY_SECONDS = 2


@dataclass
class Rig:
    redis: RedisServer
    sink: SmtpSink
    processes: Processes


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _point_this_process_at(redis_url: str, settings) -> None:  # type: ignore[no-untyped-def]
    """The test process plays the web server: the same cache and broker settings as production."""
    from config.settings.base import REDIS_BROKER_TRANSPORT_OPTIONS, redis_cache

    settings.CACHES = {"default": redis_cache(redis_url)}
    app.conf.broker_url = redis_url
    app.conf.broker_transport_options = dict(REDIS_BROKER_TRANSPORT_OPTIONS)
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    outbox.publish_resume()


def _drain_often() -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(every=DRAIN_EVERY_SECONDS, period="seconds")
    PeriodicTask.objects.filter(task="notifications.drain_outbox").update(interval=interval)


def _agency_inboxes() -> None:
    from mappa_workflow.models import Agency

    for agency in Agency.objects.all():
        agency.email = f"mappa.{agency.agency_type}.{agency.pk}@example.invalid"
        agency.save(update_fields=["email"])


@pytest.fixture
def rig(settings, tmp_path) -> Iterator[Rig]:
    if connection.vendor != "postgresql":
        skip_or_fail("Fault tests need PostgreSQL (set DATABASE_URL=postgres://...)")
    if not shutil.which("redis-server"):
        skip_or_fail("Fault tests need redis-server installed (they start a private one)")
    redis, sink = RedisServer(tmp_path), SmtpSink()
    redis.start()
    sink.start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis.url,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "PYTHONPATH": str(settings.BASE_DIR),
    }
    processes = Processes(env=env, logdir=tmp_path)
    previous = (app.conf.broker_url, app.conf.broker_transport_options)
    _point_this_process_at(redis.url, settings)
    _drain_often()
    _agency_inboxes()
    try:
        yield Rig(redis, sink, processes)
    finally:
        processes.stop_all()
        redis.stop()
        sink.stop()
        app.conf.broker_url, app.conf.broker_transport_options = previous
        outbox.publish_resume()
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
