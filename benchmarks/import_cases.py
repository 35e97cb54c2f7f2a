"""Importing case histories: the importer before (``benchmarks/legacy_import.py``) and now, in one run.

``benchmarks/run.py`` calls :func:`run`; alone: ``python benchmarks/import_cases.py --people 20000`` (uses
``DATABASE_URL``, default SQLite in ``var/``). Each import runs in its own process, so its peak memory
(max RSS) is its own, into a fresh area created for it, inside a transaction rolled back afterwards: the
database is left as it was. Runs alternate old, new, old, new... so both see the same machine load.

Also timed: how long a folder whose last periods row is bad takes to be refused (nothing written).
Wall time is what the targets are written in; CPU time is shown beside it because this machine is shared
and wall time there is mostly waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IMPLEMENTATIONS = {"before": "benchmarks.legacy_import", "after": "reporting.importer"}


def _child(implementation: str, folder: str) -> dict[str, Any]:
    """One import in this process (run as ``--child``): its wall and CPU seconds, peak memory, outcome."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    import django

    django.setup()
    import importlib

    from django.db import transaction

    from mappa_workflow.models import Agency, AgencyType, Area

    module = importlib.import_module(IMPLEMENTATIONS[implementation])

    class Rollback(Exception):
        pass

    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            area = Area.objects.create(slug="import-benchmark", name="Import benchmark", country="england")
            for kind in (AgencyType.POLICE, AgencyType.PROBATION):
                Agency.objects.create(area=area, name=f"Benchmark {kind}", agency_type=kind)
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                result = module.import_cases(folder, area)
                outcome["rows"] = vars(result)
            except module.ImportErrors as exc:
                outcome["refused"] = exc.errors[:3]
            outcome["wall_s"] = time.perf_counter() - wall
            outcome["cpu_s"] = time.process_time() - cpu
            raise Rollback
    except Rollback:
        pass
    outcome["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcome


def _one(implementation: str, folder: Path, env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - this file, run by this interpreter; the folder is ours
        [sys.executable, __file__, "--child", implementation, str(folder)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _bad_last_row(good: Path, bad: Path) -> None:
    """The same folder with its very last periods row made invalid."""
    bad.mkdir(exist_ok=True)
    for name in ("individuals.csv", "events.jsonl"):
        (bad / name).write_bytes((good / name).read_bytes())
    lines = (good / "periods.csv").read_text().splitlines()
    reference, attribute, _, *rest = lines[-1].split(",")
    lines[-1] = ",".join([reference, attribute, "9", *rest])
    (bad / "periods.csv").write_text("\n".join(lines) + "\n")


def run(
    *,
    env: dict[str, str],
    people: int,
    national: int = 0,
    rounds: int = 2,
    legacy_limit: int = 20_000,
    log: Any = print,
) -> dict[str, Any]:
    """Time both importers on ``people`` (``rounds`` each, interleaved) and the current one on ``national``.

    The old importer is run only up to ``legacy_limit`` people (it took over 20 minutes nationally); above,
    its time is extrapolated linearly from the ``people`` runs and marked as such.
    """
    sys.path.insert(0, str(ROOT))
    from reporting.synthetic.import_folder import write_import_folder

    results: dict[str, Any] = {
        "people": people,
        "runs": {"before": [], "after": []},
        "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "load_before": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    with tempfile.TemporaryDirectory(prefix="import-bench-") as tmp:
        folder, bad = Path(tmp) / "good", Path(tmp) / "bad"
        size = write_import_folder(folder, people=people)
        results["size"] = vars(size)
        _bad_last_row(folder, bad)
        for round_number in range(rounds):
            for implementation in ("before", "after") if round_number % 2 == 0 else ("after", "before"):
                if implementation == "before" and people > legacy_limit:
                    continue
                outcome = _one(implementation, folder, env)
                log(
                    f"  import {people:,} people, {implementation}: {outcome['wall_s']:.1f} s, {outcome['max_rss_mb']:.0f} MB"
                )
                results["runs"][implementation].append(outcome)
        results["bad_last_row"] = {}
        for implementation in ("before", "after"):
            if implementation == "before" and people > legacy_limit:
                continue
            outcome = _one(implementation, bad, env)
            log(f"  bad last row, {implementation}: refused after {outcome['wall_s']:.1f} s")
            results["bad_last_row"][implementation] = outcome
        if national:
            national_folder = Path(tmp) / "national"
            results["national"] = {
                "people": national,
                "size": vars(write_import_folder(national_folder, people=national)),
            }
            outcome = _one("after", national_folder, env)
            log(f"  import {national:,} people, after: {outcome['wall_s']:.1f} s, {outcome['max_rss_mb']:.0f} MB")
            results["national"]["after"] = outcome
            before = results["runs"]["before"]
            if before:
                per_person = min(r["wall_s"] for r in before) / people
                results["national"]["before_extrapolated_s"] = per_person * national
    results["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return results


TARGET_SECONDS, TARGET_MB, NATIONAL_TARGET_SECONDS = 15, 300, 120


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The least disturbed run (fastest wall time) of an implementation."""
    return min(runs, key=lambda r: r["wall_s"])


def target_rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Rows for the targets table: the 20,000-person import and the national one."""
    after = _best(results["runs"]["after"])
    rows = [
        (
            f"Import of {results['people']:,} people <= {TARGET_SECONDS} s and <= {TARGET_MB} MB",
            f"{after['wall_s']:.1f} s ({after['cpu_s']:.1f} s CPU), {after['max_rss_mb']:.0f} MB",
            "**met**"
            if after["wall_s"] <= TARGET_SECONDS and after["max_rss_mb"] <= TARGET_MB
            else f"**not met**: {after['wall_s']:.1f} s, {after['max_rss_mb']:.0f} MB",
        )
    ]
    national = results.get("national")
    if national:
        run = national["after"]
        rows.append(
            (
                f"National import ({national['people']:,} people) <= {NATIONAL_TARGET_SECONDS // 60} min",
                f"{run['wall_s']:.0f} s ({run['cpu_s']:.0f} s CPU), {run['max_rss_mb']:.0f} MB",
                "**met**" if run["wall_s"] <= NATIONAL_TARGET_SECONDS else f"**not met**: {run['wall_s']:.0f} s",
            )
        )
    return rows


def section(results: dict[str, Any]) -> list[str]:
    """The import section of docs/performance.md."""
    size = results["size"]
    lines = [
        "## Importing case histories",
        "",
        f"`import_cases` on a generated folder (`reporting/synthetic/import_folder.py`): {size['individuals']:,} "
        f"people, {size['spells']:,} spells, {size['events']:,} life events; each import in its own process "
        "(so max RSS is its own), into a fresh area, rolled back afterwards. Before = the importer as it was "
        "(`benchmarks/legacy_import.py`), after = `reporting/importer.py`; runs interleaved.",
        "",
        f"Measured {results['started']}; load average (1, 5, 15 min) before {results['load_before']}, after "
        f"{results['load_after']} on {os.cpu_count()} cores shared with other work: wall time is mostly waiting "
        "for a core, so CPU time is shown beside it.",
        "",
        "| importer | run | wall | CPU | max RSS | rows written |",
        "|---|---|---|---|---|---|",
    ]
    for implementation in ("before", "after"):
        for number, run in enumerate(results["runs"][implementation], start=1):
            rows = run.get("rows", {})
            lines.append(
                f"| {implementation} | {number} | {run['wall_s']:.1f} s | {run['cpu_s']:.1f} s | "
                f"{run['max_rss_mb']:.0f} MB | {sum(rows.values()):,} |"
            )
    lines.append("")
    bad = results.get("bad_last_row", {})
    if bad:
        lines.append(
            "A folder whose very last periods row is bad, refused with nothing written: "
            + "; ".join(f"{k}: {v['wall_s']:.1f} s ({v['cpu_s']:.1f} s CPU)" for k, v in bad.items())
            + "."
        )
        lines.append("")
    national = results.get("national")
    if national:
        run = national["after"]
        lines.append(
            f"National size ({national['size']['individuals']:,} people, {national['size']['spells']:,} spells, "
            f"{national['size']['events']:,} events), after only: {run['wall_s']:.0f} s wall, {run['cpu_s']:.0f} s "
            f"CPU, {run['max_rss_mb']:.0f} MB."
            + (
                f" The old importer was not run at this size: extrapolated linearly from its fastest "
                f"{results['people']:,}-person run, about {national['before_extrapolated_s'] / 60:.0f} min "
                "(an extrapolation, not a measurement)."
                if national.get("before_extrapolated_s")
                else ""
            )
        )
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--child", nargs=2, metavar=("IMPLEMENTATION", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--national", type=int, default=0, help="also import this many people (current importer)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(*args.child)))
        return
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.development")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", env["DJANGO_SETTINGS_MODULE"])
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    results = run(env=env, people=args.people, national=args.national, rounds=args.rounds)
    text = json.dumps(results, indent=2)
    if args.json:
        Path(args.json).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
