"""National-scale benchmarks: `make bench` runs this and writes docs/performance.md.

One command from a clean checkout:

1. uses ``DATABASE_URL`` if set, else postgres://postgres@127.0.0.1:5432/mappa_bench (created if missing);
   never the ``test`` database CI uses;
2. migrates, and generates the national data set (``generate_synthetic_data --national``) unless the
   database already holds it (marker: 80,000+ individuals and Level 2/3 panels);
3. times the annual report for one area and for all 42 beside hand-written SQL for all its tables
   (``benchmarks/report_floor.py``, checked cell for cell) and beside a hand-written SQL snapshot query;
   then every figure of the SMB's indicators page for all 42 areas at once and for the largest alone;
4. counts each page's queries for the smallest and the largest area (five times the data), and times each
   page of the largest area (wall and CPU) beside its own SQL run again by hand (``benchmarks/pages.py``),
   and renders the case page with Django's templates and with a Jinja2 port (``benchmarks/template_engines.py``);
5. times the reminder sweep over all open actions (inside a transaction rolled back after);
   then each fix before and after, and the case-history import before and after (``benchmarks/import_cases.py``:
   20,000 people, then 150,000 with the current importer; ``--import-people``/``--import-national``, 0 skips;
   ``--import-results FILE`` takes them from a separate ``import_cases.py --json`` run instead);
6. starts gunicorn on 127.0.0.1, drives the five pages with 10 concurrent signed-in, two-factor-verified
   users (``benchmarks/load.py``), and stops it;
7. writes docs/performance.md (``benchmarks/report.py``).

Options: ``--seed`` (default 2025), ``--duration`` seconds of load per page (default 20), ``--users`` (10),
``--workers`` gunicorn workers (default 2 x cores + 1), ``--skip-load``, ``--output``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mappa_bench"
RESULTS = ROOT / "var" / "bench-results.json"  # the last run's figures, for --report-only
NATIONAL_MARKER = 80_000  # individuals: the national data set is about 110,000 with the leavers and custody


def _dates(obj: dict) -> object:
    return datetime.fromisoformat(obj["__datetime__"]) if "__datetime__" in obj else obj


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_URL)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.development"
    env["DEBUG"] = "false"  # as served: no debug query log, templates cached
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    return env


def _ensure_database(url: str) -> None:
    import environ
    import psycopg

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit(f"make bench needs PostgreSQL; DATABASE_URL is {url}")
    if config["NAME"] == "test":
        sys.exit("make bench never uses the 'test' database (CI uses it): set DATABASE_URL to another")
    with psycopg.connect(
        host=str(config.get("HOST") or "127.0.0.1"),
        port=int(config.get("PORT") or 5432),
        user=str(config.get("USER") or "postgres"),
        password=str(config.get("PASSWORD") or ""),
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
        if not exists:
            print(f"Creating database {config['NAME']}")
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def _static_current() -> bool:
    """Collected static files newer than every source file: collectstatic (slow, it compresses) can be skipped."""
    manifest = ROOT / "var" / "staticfiles" / "staticfiles.json"
    if not manifest.exists():
        return False
    collected = manifest.stat().st_mtime
    return all(f.stat().st_mtime <= collected for f in (ROOT / "static").rglob("*") if f.is_file())


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our own manage.py


def _vacuum(env: dict[str, str]) -> None:
    """VACUUM ANALYZE: each import benchmark writes about 200,000 people into a transaction it rolls back, which
    leaves their rows as dead tuples. With autovacuum off (as on the machines this runs on) they piled up to ten
    times the live periods, and PostgreSQL then planned the annual report's Level 2/3 query in parallel, which
    cost the report twice its database time."""
    print("Vacuuming")
    _manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')")


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def code_state() -> str:
    """The commit measured, and any uncommitted changes in the working tree (which gunicorn serves too)."""
    git = shutil.which("git")
    if git is None:
        return "git not installed"
    try:
        head = subprocess.run(  # noqa: S603 - git, fixed arguments
            [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - git, fixed arguments
            [git, "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    changed = sorted(line[3:] for line in dirty if line.strip())
    if not changed:
        return f"commit {head}, clean"
    return f"commit {head} plus uncommitted changes to {len(changed)} files: {', '.join(changed)}"


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_gunicorn(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    log = open(ROOT / "var" / "bench-gunicorn.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped at start: see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    _stop(process)
    sys.exit("gunicorn did not start within 60 s")


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group (gunicorn's)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the command: state, ppid, pgrp, ...; utime, stime at 11, 12
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per page")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a user's requests (2nd pass)")
    # CPU-bound pages: one worker per core and one to cover waits on PostgreSQL (2n+1 only adds cold caches)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--import-people", type=int, default=20_000, help="import benchmark size (0: skip)")
    parser.add_argument("--import-national", type=int, default=150_000, help="national import size (0: skip)")
    parser.add_argument(
        "--import-results",
        help="take the import figures from this file (written by `benchmarks/import_cases.py --json` in a "
        "separate run, the same day) instead of importing here",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the document from the last run's figures (after editing fixes.md)",
    )
    parser.add_argument("--output", default=str(ROOT / "docs" / "performance.md"))
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it happens under make

    env = _environment()
    os.environ.update(env)
    (ROOT / "var").mkdir(exist_ok=True)
    if args.report_only:
        from benchmarks import report

        saved = json.loads(RESULTS.read_text(), object_hook=_dates)
        Path(args.output).write_text(report.render(saved))
        print(f"Wrote {args.output} from {RESULTS}")
        return
    _ensure_database(env["DATABASE_URL"])
    print("Migrating")
    _manage(env, "migrate", "--no-input", "--verbosity", "0")
    if not _static_current():
        print("Collecting static files (a few minutes the first time)")
        _manage(env, "collectstatic", "--no-input", "--verbosity", "0")

    import django

    django.setup()
    from benchmarks import measure, report

    _vacuum(env)  # what an earlier run left (its rolled-back imports) must not slow this one's plans
    generation_seconds = None
    if not measure.national_data_present(NATIONAL_MARKER):
        if measure.any_individuals():
            name = env["DATABASE_URL"].rsplit("/", 1)[-1]
            sys.exit(
                f"The database {name} holds people but not the national data set (another data set, or an "
                "interrupted run): point DATABASE_URL at an empty database, or drop this one, and run make bench again."
            )
        print("Generating the national data set (about 4-6 minutes)")
        started = time.perf_counter()
        _manage(env, "generate_synthetic_data", "--national", "--seed", str(args.seed))
        generation_seconds = time.perf_counter() - started
        _manage(env, "shell", "-c", "from django.db import connection; connection.cursor().execute('ANALYZE')")

    results: dict = {
        "started": datetime.now(UTC),
        "machine": machine(),
        "load_before": load_average(),
        "generation_seconds": generation_seconds,
        "command": "make bench  (" + " ".join(["benchmarks/run.py", *sys.argv[1:]]) + ")",
        "database": env["DATABASE_URL"].rsplit("@", 1)[-1],
        "code": code_state(),
    }
    print("Data set")
    results["data"] = measure.data_set_size()
    print("Annual reports")
    results["reports"] = measure.annual_reports()
    print("The SMB's indicators, all areas")
    results["indicators"] = measure.indicators()
    print("Query counts of the pages (smallest and largest area)")
    fixtures = measure.page_fixtures(args.users)
    results["query_counts"] = measure.page_query_counts(fixtures)
    print("Each page against its SQL floor (largest area)")
    results["page_floors"] = measure.page_floors(fixtures)
    print("The case page's templates: Django's engine beside a Jinja2 port (largest area)")
    results["template_engines"] = measure.template_engines(fixtures)
    print("Statistics page with nothing cached, and its PDF (largest area)")
    results["statistics"] = measure.statistics_first_load(fixtures)
    print("Reminder sweep")
    results["sweep"] = measure.reminder_sweep()
    print("Before and after the fixes")
    results["fixes"] = measure.before_after()
    if args.import_results:
        results["import"] = json.loads(Path(args.import_results).read_text())
        results["import"]["separate_run"] = True
    elif args.import_people:
        from benchmarks import import_cases

        print(
            f"Importing case histories: {args.import_people:,} people before and after, then {args.import_national:,}"
        )
        results["import"] = import_cases.run(env=env, people=args.import_people, national=args.import_national)
        _vacuum(env)  # the imports were rolled back: their rows are dead tuples until vacuumed
    if not args.skip_load:
        from benchmarks import load

        port = _free_port()
        process = _start_gunicorn(env, port, args.workers)
        try:
            print(f"Load: {args.users} users, {args.duration:.0f} s per page, gunicorn {args.workers} workers")
            results["load_during"] = []
            results["load"] = load.run_all(
                port=port,
                targets=measure.load_targets(fixtures),
                users=args.users,
                duration=args.duration,
                think=args.think,
                cpu=lambda: group_cpu_seconds(process.pid),
                on_page=lambda: results["load_during"].append(load_average()),
            )
            results["workers"] = args.workers
            results["users"] = args.users
            results["duration"] = args.duration
            results["think"] = args.think
        finally:
            _stop(process)
    results["load_after"] = load_average()
    results["finished"] = datetime.now(UTC)
    RESULTS.write_text(json.dumps(results, default=lambda d: {"__datetime__": d.isoformat()}, indent=1))
    Path(args.output).write_text(report.render(results))
    print(f"Wrote {args.output}")
    for line in report.summary_lines(results):
        print(line)


if __name__ == "__main__":
    main()
