"""Run the mutants of PostgreSQL-only code against PostgreSQL, and record which the tests kill.

`make mutation` runs every mutant on SQLite (one in-memory database, forked per mutant). Some code does
something only on PostgreSQL, so its mutants can only be told apart there:
- whole branches (today ``reporting.statistics.data_version``, which fingerprints the report's rows from
  transaction ids on PostgreSQL and by hashing them elsewhere, and the branch of ``cached_annual_reports`` taken
  when that fingerprint is unknown, inside a transaction that has written);
- row locks: SQLite ignores ``select_for_update``, so a mutant of a lock (``of=("self",)`` dropped or misspelt,
  which PostgreSQL refuses beside an outer join or as an unknown name) survives there whatever the tests do.

This script runs each such SQLite survivor's tests on PostgreSQL, one pytest per mutant (the test database kept
between them with ``--reuse-db``; ``-x``, so a killed mutant stops at its first failing test), and writes the
result into mutmut's ``mutants/<path>.meta``, so ``scripts/mutation_score.py`` counts it: killed if a test
failed, survived if all passed. The tests are the ones named below, or else those mutmut found reaching the
function (``mutants/mutmut-stats.json``), fastest first.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mutation python scripts/mutation_on_postgresql.py

Use a database name of its own (the tests run in ``test_<name>``), never one another run is using.
"""

from __future__ import annotations

import ast
import difflib
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
    "reporting.statistics.x_cached_annual_reports": ["reporting/tests/test_report_cache.py"],
}
# a mutant that changes a line with one of these is PostgreSQL-only wherever it is
POSTGRESQL_ONLY_CALLS = ("select_for_update",)


def _equivalents() -> set[str]:
    lines = EQUIVALENTS.read_text().splitlines() if EQUIVALENTS.exists() else []
    return {line.split()[0] for line in lines if line.strip() and not line.lstrip().startswith("#")}


def _changed_lines(source: str, tree: ast.Module, name: str) -> list[str]:
    """The lines mutant ``name`` (a function of the mutated module) changes, from its ``_orig``."""
    short = name.rpartition(".")[2]
    function = short.partition("__mutmut_")[0]
    nodes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    if short not in nodes or f"{function}__mutmut_orig" not in nodes:
        return []
    original = (ast.get_source_segment(source, nodes[f"{function}__mutmut_orig"]) or "").splitlines()[1:]
    mutant = (ast.get_source_segment(source, nodes[short]) or "").splitlines()[1:]
    return [line[1:] for line in difflib.ndiff(original, mutant) if line[:1] in "-+"]


def _candidates(results: dict[str, int | None], module_source: str, equivalent: set[str]) -> list[str]:
    tree = ast.parse(module_source)
    chosen = []
    for name, code in results.items():
        if code != 0 or name in equivalent:
            continue
        function = name.partition("__mutmut_")[0]
        if function in POSTGRESQL_ONLY or any(
            call in line for line in _changed_lines(module_source, tree, name) for call in POSTGRESQL_ONLY_CALLS
        ):
            chosen.append(name)
    return chosen


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database of its own (postgres://...)", file=sys.stderr)
        return 2
    stats_path = MUTANTS / "mutmut-stats.json"
    if not stats_path.exists():
        print(f"{stats_path}: missing (run `make mutation` first)", file=sys.stderr)
        return 2
    stats = json.loads(stats_path.read_text())
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    env.pop("MUTANT_UNDER_TEST", None)
    python = str(Path(sys.executable))
    equivalent = _equivalents()

    def run_tests(tests: list[str], mutant: str) -> int:
        return subprocess.run(  # noqa: S603 - pytest, fixed arguments
            [python, "-m", "pytest", *tests, "-q", "-x", "--reuse-db", "-p", "no:randomly", "-p", "no:xdist"],
            cwd=MUTANTS,
            env={**env, "MUTANT_AFTER_SETUP": mutant},
            capture_output=True,
            text=True,
        ).returncode

    def tests_of(function: str) -> list[str]:
        if function in POSTGRESQL_ONLY:
            return POSTGRESQL_ONLY[function]
        durations = stats.get("duration_by_test", {})
        return sorted(stats["tests_by_mangled_function_name"].get(function, []), key=lambda t: durations.get(t, 0))

    baseline: dict[str, int] = {}  # the tests, joined -> pytest's exit code without a mutant
    for meta_path in sorted(MUTANTS.rglob("*.py.meta")):
        meta = json.loads(meta_path.read_text())
        results = meta.get("exit_code_by_key", {})
        pending = _candidates(results, meta_path.with_suffix("").read_text(), equivalent)
        if not pending:
            continue
        print(f"{meta_path.relative_to(MUTANTS)}: {len(pending)} SQLite survivors to run on PostgreSQL", flush=True)
        for number, name in enumerate(pending, 1):
            tests = tests_of(name.partition("__mutmut_")[0])
            if not tests:
                continue
            key = " ".join(tests)
            if key not in baseline:
                baseline[key] = run_tests(tests, "none")
            if baseline[key] != 0:  # without a mutant the tests must pass, or a failure says nothing
                print(f"  [{number}/{len(pending)}] {name}: skipped, its tests fail on PostgreSQL as they are")
                continue
            code = run_tests(tests, name)
            results[name] = code if code in (0, 1) else None  # anything else (an error): not run
            outcome = {1: "killed", 0: "survived"}.get(code, f"not run (pytest exit {code})")
            print(f"  [{number}/{len(pending)}] {name}: {outcome}", flush=True)
            meta_path.write_text(json.dumps(meta, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
