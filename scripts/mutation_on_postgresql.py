"""Run the mutants of PostgreSQL-only code against PostgreSQL, and record which the tests kill.

`make mutation` runs every mutant on SQLite (one in-memory database, forked per mutant). A few functions take
a PostgreSQL-only path (today: ``reporting.statistics.data_version``, which fingerprints the report's rows from
transaction ids on PostgreSQL and by hashing them elsewhere). Their PostgreSQL mutants can only survive there.
This script runs each such survivor's tests on PostgreSQL, one pytest per mutant (the test database kept
between them with ``--reuse-db``), and writes the result into mutmut's ``mutants/<path>.meta``, so
``scripts/mutation_score.py`` counts it: killed if a test failed, survived if all passed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mutation python scripts/mutation_on_postgresql.py

Use a database name of its own (the tests run in ``test_<name>``), never one another run is using.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

MUTANTS = Path.cwd() / "mutants"
EQUIVALENTS = Path(__file__).resolve().parent / "mutation_equivalents.txt"

# function (as mutmut names it) -> the tests that reach its PostgreSQL path
POSTGRESQL_ONLY = {
    "reporting.statistics.x_data_version": ["reporting/tests/test_report_cache.py"],
    # the branch taken when the data version is unknown (a transaction that has written, PostgreSQL only)
    "reporting.statistics.x_cached_annual_reports": ["reporting/tests/test_report_cache.py"],
}


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database of its own (postgres://...)", file=sys.stderr)
        return 2
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    env.pop("MUTANT_UNDER_TEST", None)
    python = str(Path(sys.executable))
    equivalent = {
        line.split()[0]
        for line in EQUIVALENTS.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    }

    def run_tests(tests: list[str], mutant: str) -> int:
        return subprocess.run(  # noqa: S603 - pytest, fixed arguments
            [python, "-m", "pytest", *tests, "-q", "-x", "--reuse-db", "-p", "no:randomly", "-p", "no:xdist"],
            cwd=MUTANTS,
            env={**env, "MUTANT_ON_POSTGRESQL": mutant},
            capture_output=True,
            text=True,
        ).returncode

    for function, tests in POSTGRESQL_ONLY.items():
        meta_path = MUTANTS / (function.rsplit(".", 1)[0].replace(".", "/") + ".py.meta")
        if not meta_path.exists():
            print(f"{meta_path}: not generated (run `make mutation` first)", file=sys.stderr)
            return 2
        meta = json.loads(meta_path.read_text())
        results = meta["exit_code_by_key"]
        pending = [
            name
            for name, code in results.items()
            if name.startswith(function + "__mutmut_") and code == 0 and name not in equivalent
        ]
        print(f"{function}: {len(pending)} survivors on SQLite to run on PostgreSQL", flush=True)
        if pending and (code := run_tests(tests, "none")) != 0:  # no mutant: the tests must pass as they are
            print(f"  the tests fail on PostgreSQL without a mutant (pytest exit {code}): nothing recorded")
            return 1
        for number, name in enumerate(pending, 1):
            code = run_tests(tests, name)
            results[name] = code if code in (0, 1) else None  # anything else (an error): not run
            outcome = {1: "killed", 0: "survived"}.get(code, f"not run (pytest exit {code})")
            print(f"  [{number}/{len(pending)}] {name}: {outcome}", flush=True)
            meta_path.write_text(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
