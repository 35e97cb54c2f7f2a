"""Test-wide fixtures and the rules for tests that need Chromium, Redis or PostgreSQL.

Without them those tests skip with a message; with CI=true a missing dependency is a failure.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_and_email(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker is not None and marker.kwargs.get("transaction")) or any(
        name in fixtures for name in ("transactional_db", "live_server")
    )


def reseed_reference_data() -> None:
    """Run the forward code of every data migration of this project's apps again, in migration order.

    Transactional tests (live server, Celery worker, row-lock races) empty every table when they end,
    taking the data migrations' reference data (areas, agencies, panels, schedules) with it. The data
    migrations are idempotent (get_or_create), so running them again restores exactly that data.
    """
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    ours = {"mappa_workflow", "referrals", "meetings", "reporting", "notifications", "web", "api"}
    loader = MigrationLoader(connection)
    seen = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key in seen or key[0] not in ours:
                continue
            seen.add(key)
            for operation in loader.graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    # The data migrations need only the connection of the schema editor they are given.
                    operation.code(apps, SimpleNamespace(connection=connection))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    from mappa_workflow.models import Area

    if not Area.objects.exists():
        reseed_reference_data()
