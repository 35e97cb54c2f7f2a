"""Run surviving mutants again against tests written since `mutmut run`, and record which the new tests kill.

`mutmut run` takes hours for the state-change services on a 2-core machine, and the tests written for its
survivors are not in the copy it made. This script switches each named mutant on in turn inside one pytest session
(the test database is built once), runs the given test files until one fails, and writes killed or survived into
`mutants/<path>.meta` as `mutmut` would, so `scripts/mutation_score.py` counts them. The files' current versions are
copied into `mutants/` first (helpers they import, such as `tests/factories.py`, are not: copy those by hand).
Each result is written as soon as it is known; for a mutant the run never reached (`--not-run`), only a kill. A test
that fails with no mutant switched on stops it before anything is recorded.

Usage (from the repository root, after `mutmut run`):
    python scripts/mutation_recheck.py --tests referrals/tests/test_life_event_stories.py [--tests ...] \\
        --mutants 'referrals.services.life_events.*'       # fnmatch patterns; default: every survivor
        [--not-run]                                         # and the mutants a stopped run never reached
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
SURVIVED, KILLED = 0, 1

_failures: list[str] = []
_names: list[str] = []
_results: dict[str, int] = {}
_found: dict[str, Path] = {}
_not_run: set[str] = set()  # mutants `mutmut run` never reached: only a kill is recorded for them


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        _failures.append(report.nodeid)


def _run_all(items: list[pytest.Item], *, stop_at_first: bool) -> None:
    for i, item in enumerate(items):
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=items[i + 1] if i + 1 < len(items) else None)
        if stop_at_first and _failures:
            return


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> bool:
    os.environ.pop("MUTANT_UNDER_TEST", None)
    _run_all(session.items, stop_at_first=False)
    if _failures:
        raise SystemExit(f"the tests fail with no mutant switched on: {_failures}")
    for number, name in enumerate(_names, 1):
        os.environ["MUTANT_UNDER_TEST"] = name
        _failures.clear()
        _run_all(session.items, stop_at_first=True)
        _results[name] = KILLED if _failures else SURVIVED
        if _failures or name not in _not_run:  # a test elsewhere may yet kill a mutant these files miss
            _record(name, _results[name])  # as it goes, so a run stopped part-way keeps what it found
        print(f"\n[{number}/{len(_names)}] {name}: {'killed' if _failures else 'survived'}", flush=True)
    os.environ.pop("MUTANT_UNDER_TEST", None)
    return True


def _record(name: str, result: int) -> None:
    meta = _found[name]
    data = json.loads(meta.read_text())
    data["exit_code_by_key"][name] = result
    meta.write_text(json.dumps(data, indent=4))


def survivors(patterns: list[str], *, not_run: bool = False) -> dict[str, Path]:
    """Mutant name -> its .meta file, for every survivor matching one of ``patterns`` (and, with ``not_run``, every
    mutant `mutmut run` was stopped before reaching)."""
    wanted = {SURVIVED, None} if not_run else {SURVIVED}
    found = {}
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".py.meta")].replace("/", ".")
        for name, code in json.loads(meta.read_text()).get("exit_code_by_key", {}).items():
            if code in wanted and any(fnmatch.fnmatch(name, p) for p in patterns):
                assert name.startswith(module + "."), name
                found[name] = meta
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", action="append", required=True, help="a test file (repeat for more)")
    parser.add_argument("--mutants", action="append", default=None, help="fnmatch pattern of mutant names")
    parser.add_argument(
        "--not-run",
        action="store_true",
        help="also the mutants a stopped `mutmut run` never reached, tested with the given files only (so a "
        "survivor may yet be killed by a test elsewhere: the result is a lower bound)",
    )
    args = parser.parse_args(argv)
    if not MUTANTS.is_dir():
        print("No mutants/ here: run `make mutation` (mutmut run) first", file=sys.stderr)
        return 2
    found = survivors(args.mutants or ["*"], not_run=args.not_run)
    if not found:
        print("No survivors match")
        return 0
    for test in args.tests:
        shutil.copyfile(ROOT / test, MUTANTS / test)
    _names.extend(found)
    _found.update(found)
    for name, meta in found.items():
        if json.loads(meta.read_text())["exit_code_by_key"][name] is None:
            _not_run.add(name)
    os.chdir(MUTANTS)
    sys.path.insert(0, str(MUTANTS))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    code = pytest.main(
        [*args.tests, "-q", "-p", "no:randomly", "-p", "no:cacheprovider"], plugins=[sys.modules[__name__]]
    )
    if code not in (0, 5) and not _results:
        return int(code)
    killed = sum(1 for r in _results.values() if r == KILLED)
    print(f"\n{killed} of {len(_results)} killed; recorded in mutants/")
    for name, result in _results.items():
        if result == SURVIVED:
            print(f"survived: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
