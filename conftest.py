"""Test-wide fixtures and the rules for tests that need Chromium, Redis or PostgreSQL.

Without them those tests skip with a message; with CI=true a missing dependency is a failure.

The clock (see docs/contributing.md, "Testing at the hard dates"): ``--clock-at WHEN`` runs the whole session with the clock set to WHEN
(a name from tests/hard_dates.py or an ISO date-time) and ticking from there; ``--hard-dates`` runs
every test marked ``calendar`` once at each of the hard dates, in addition to nothing else changing.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
import time_machine

from tests import hard_dates

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this test must run)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _media_and_email(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _statistics_sql_built_afresh():
    """Each test builds the report's statements again (``reporting.compiled_sql`` keeps them per process): a test
    that changes how a query is built, or a mutant forked from the process that ran the tests once, is not handed
    a statement built before it."""
    from reporting import compiled_sql

    compiled_sql.forget()


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

    root = os.path.dirname(os.path.abspath(__file__))
    ours = {config.label for config in apps.get_app_configs() if os.path.dirname(config.path) == root}
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test has emptied every table, put the reference data back at once, committed.

    In one process pytest-django runs the transactional tests last, so nothing after them needs it; under
    xdist a worker runs whole files in the order it is sent them, and the next file's tests (each inside a
    rolled-back transaction) would find no areas."""
    try:
        return (yield)
    finally:
        if _is_transactional(item) and nextitem is not None:
            from pytest_django.plugin import blocking_manager_key

            from mappa_workflow.models import Area

            with item.config.stash[blocking_manager_key].unblock():
                if not Area.objects.exists():
                    reseed_reference_data()


@pytest.fixture(autouse=True)
def _transactional_database_for_live_servers(request):
    """A test with a live server (or a transactional marker) gets the transactional database; its reference data
    is there, from the migrations or put back after the test before it (``pytest_runtest_teardown``)."""
    if _is_transactional(request.node):
        request.getfixturevalue("transactional_db")


def pytest_addoption(parser):
    group = parser.getgroup("clock")
    group.addoption(
        "--clock-at",
        metavar="WHEN",
        help=f"run the session with the clock set to WHEN (ticking): one of {', '.join(hard_dates.SET)}, "
        "or an ISO date or date-time (London time unless it has an offset)",
    )
    group.addoption(
        "--hard-dates",
        action="store_true",
        help="run each test marked `calendar` at every hard date (see tests/hard_dates.py)",
    )


def pytest_configure(config):
    when = config.getoption("--clock-at")
    if when:
        # Started before Django and the test database exist, so everything sees the same clock.
        traveller = time_machine.travel(hard_dates.parse(when), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    when = config.getoption("--clock-at")
    if when:
        return f"clock: {hard_dates.parse(when).isoformat()} ({when}), ticking"
    return None


def pytest_generate_tests(metafunc):
    if metafunc.config.getoption("--hard-dates") and metafunc.definition.get_closest_marker("calendar"):
        moments = hard_dates.BROWSER_SET if metafunc.definition.get_closest_marker("browser") else hard_dates.SET
        metafunc.parametrize("_hard_date", moments, indirect=True, ids=[f"at={n}" for n in moments])


def pytest_collection_modifyitems(config, items):
    """Under --hard-dates a browser journey runs only without JavaScript (and only at hard_dates.BROWSER_SET):
    the run with JavaScript adds the axe-core checks, which do not depend on the date, and costs twice as much
    (both run in `make test`)."""
    if not config.getoption("--hard-dates"):
        return
    with_javascript = [item for item in items if _browser_variant(item) == "with JavaScript"]
    if with_javascript:
        config.hook.pytest_deselected(items=with_javascript)
        items[:] = [item for item in items if _browser_variant(item) != "with JavaScript"]


def _browser_variant(item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get("page") if callspec is not None else None


@pytest.fixture(autouse=True)
def _hard_date(request):
    """Under --hard-dates, a `calendar` test runs with the clock at its hard date, ticking."""
    name = getattr(request, "param", None)
    if name is None:
        yield None
        return
    with time_machine.travel(hard_dates.moment(name), tick=True):
        yield name


if "MUTANT_AFTER_SETUP" in os.environ:
    # One mutant run outside mutmut: by scripts/mutation_on_postgresql.py against PostgreSQL, or by hand to see
    # whether a new test kills it (docs/contributing.md). The mutant is switched on once the session starts,
    # after this file is read, so the test database is pytest-django's own (kept between runs with --reuse-db)
    # and not the in-memory one below.
    def pytest_sessionstart(session):
        os.environ["MUTANT_UNDER_TEST"] = os.environ["MUTANT_AFTER_SETUP"]

    @pytest.fixture(scope="session", autouse=True)
    def _reference_data_in_a_reused_database(django_db_setup, django_db_blocker):
        """A kept test database may have been left empty by the last run's transactional test."""
        from mappa_workflow.models import Area

        with django_db_blocker.unblock():
            if not Area.objects.exists():
                reseed_reference_data()


if "MUTANT_UNDER_TEST" in os.environ:
    # Under `make mutation` (mutmut) every mutant runs its tests in a process forked from the one that ran the
    # stats pass. Build the in-memory test database (migrations and their reference data) once, in that parent,
    # and keep it: each fork inherits a copy, so a mutant costs its tests, not a migration run.
    @pytest.fixture(scope="session")
    def django_db_setup(django_test_environment, django_db_blocker):
        from django.db import connection
        from django.test.utils import setup_databases

        if not str(connection.settings_dict["NAME"]).startswith("file:memorydb"):
            with django_db_blocker.unblock():
                setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
        yield
