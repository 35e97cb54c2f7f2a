"""Print the mutation score of each mutated module from mutmut's results (`make mutation` runs it).

mutmut 3 keeps each file's results in ``mutants/<path>.meta`` (JSON: ``exit_code_by_key``, one exit code per
mutant). A mutant is *killed* when a test failed (or timed out) with it in place, *survived* when every test
that reaches the mutated function passed, *no tests* when no focused test reaches that function at all.
Mutants that cannot change behaviour are listed, each with its reason, in ``scripts/mutation_equivalents.txt``
and left out of the denominator. The score is killed / (total - equivalent).

Usage: python scripts/mutation_score.py [--survivors]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = Path.cwd() / "mutants"  # where mutmut ran (the repository root under `make mutation`)
KILLED = {1, 3, 24, -24, 36, 152, 255}  # a failing test, pytest's internal error, or a timeout
SURVIVED = {0}
NO_TESTS = {5, 33}


def equivalents() -> dict[str, str]:
    """Mutant name -> why it cannot change behaviour."""
    listed = {}
    path = ROOT / "scripts" / "mutation_equivalents.txt"
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            listed[name] = reason.strip()
    return listed


def main(argv: list[str]) -> int:
    equivalent = equivalents()
    rows = []
    survivors = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        module = str(meta.relative_to(MUTANTS))[: -len(".py.meta")].replace("/", ".")
        results = json.loads(meta.read_text()).get("exit_code_by_key", {})
        if not results:
            continue
        count: Counter[str] = Counter()
        for name, code in results.items():
            if name in equivalent:
                count["equivalent"] += 1
            elif code in KILLED:
                count["killed"] += 1
            elif code in SURVIVED:
                count["survived"] += 1
                survivors.append(name)
            elif code in NO_TESTS:
                count["no tests"] += 1
                survivors.append(name)
            elif code is None:
                count["not run"] += 1
            else:
                count["other"] += 1
        total = len(results)
        scored = total - count["equivalent"] - count["not run"]
        score = f"{100 * count['killed'] / scored:.1f}%" if scored else "-"
        rows.append(
            (
                module,
                count["killed"],
                total,
                count["equivalent"],
                count["survived"],
                count["no tests"],
                count["not run"],
                score,
            )
        )
    print(
        f"{'module':<40} {'killed':>7} {'total':>6} {'equiv':>6} {'survived':>9} {'no tests':>9} {'not run':>8} {'score':>7}"
    )
    for module, killed, total, equiv, survived, no_tests, not_run, score in rows:
        print(f"{module:<40} {killed:>7} {total:>6} {equiv:>6} {survived:>9} {no_tests:>9} {not_run:>8} {score:>7}")
    if "--survivors" in argv:
        print("\nSurvivors (`.venv/bin/mutmut show NAME` shows the change):")
        for name in survivors:
            print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
