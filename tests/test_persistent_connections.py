"""A web process keeps its PostgreSQL connection between requests, and a dropped one costs only a reconnect.

docs/performance.md: a new connection per request cost about 7 ms of waiting while PostgreSQL started a backend
for it. The connection is kept (``CONN_MAX_AGE``) and checked before each request reuses it
(``CONN_HEALTH_CHECKS``), so a database restart or a terminated backend does not turn the next page into an error.
Requests go through Django's own WSGI handler in this thread, as a gunicorn worker runs them (the test client
switches the per-request connection handling off).
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _get(path: str) -> tuple[str, bytes]:
    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET")
    status: list[str] = []
    response = WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        body = b"".join(response)
    finally:
        response.close()  # as the server does: Django's request_finished, where old connections are closed
    return status[0], body


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    with psycopg.connect(
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        user=params.get("user"),
        password=params.get("password") or "",
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture
def kept_as_served():
    """The production setting on this test's connection (the test settings close every connection after a
    request, so that pytest-django can drop the test database)."""
    from config.settings import base

    if connection.vendor != "postgresql":  # the postgres mark skips the test itself, after this fixture
        pytest.skip("kept connections are a PostgreSQL setting: set DATABASE_URL=postgres://... to run it")
    assert base.POSTGRESQL_CONN_MAX_AGE == 60, "served processes keep their connection for a minute"
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = base.POSTGRESQL_CONN_MAX_AGE
    yield
    connection.settings_dict["CONN_MAX_AGE"] = 0
    connection.close()


@pytest.mark.usefixtures("kept_as_served")
def test_the_connection_is_kept_between_requests_and_a_terminated_one_is_replaced_unnoticed():
    status, _ = _get("/healthz")
    assert status.startswith("200")
    assert connection.connection is not None, "the connection was closed at the end of the request"
    pid = connection.connection.info.backend_pid

    status, _ = _get("/healthz")
    assert status.startswith("200")
    assert connection.connection.info.backend_pid == pid, "the second request opened a new connection"

    _terminate(pid)  # as a database restart or an idle-session timeout would
    status, body = _get("/healthz")
    assert status.startswith("200"), body
    assert connection.connection.info.backend_pid != pid
