"""A worker outlives Redis going away while it holds a message (docs/operations.md, "Redis down").

kombu (5.7.0) closes a consumer's channel during the reconnect after the transport under it was released;
with an unacknowledged message in hand it then tries to requeue it through that released transport and
raises, and the worker exits ("Unrecoverable error"). The fault test that stops Redis for 30 seconds met
this about one run in three. This test builds that state on a real Redis connection and closes the channel.
"""

from __future__ import annotations

import uuid

import kombu
import pytest
import redis

from conftest import skip_or_fail
from notifications.tests.conftest import TEST_REDIS_URL

pytestmark = pytest.mark.redis


def test_closing_a_channel_whose_connection_redis_dropped_leaves_the_worker_running():
    try:
        redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        skip_or_fail(f"Redis is not reachable at {TEST_REDIS_URL} ({type(exc).__name__})")
    import config.celery  # noqa: F401 - the worker's module, as `celery -A config` loads it

    queue = f"reconnect-{uuid.uuid4().hex}"
    connection = kombu.Connection(TEST_REDIS_URL)
    inbox = connection.SimpleQueue(queue)
    inbox.put({"task": "held"})
    held = inbox.get(timeout=2)  # taken, not acknowledged: the worker is holding it
    channel = connection.default_channel
    assert held.delivery_tag in channel.qos._delivered
    channel.connection.client = None  # what the reconnect leaves: the transport released under the channel
    try:
        channel.close()  # kombu alone: AttributeError: 'NoneType' object has no attribute 'hostname'
        assert channel.closed and not channel.qos._delivered
    finally:
        server = redis.Redis.from_url(TEST_REDIS_URL)
        server.delete(queue)
        server.hdel("unacked", held.delivery_tag)
        server.zrem("unacked_index", held.delivery_tag)
