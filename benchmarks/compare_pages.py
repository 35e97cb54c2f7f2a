"""CPU per request of the five pages, before and after a change, in one run: two code trees alternately.

    python benchmarks/compare_pages.py --before <commit> [--rounds 6] [--repeat 10]

``--before`` is extracted with ``git archive`` into var/compare/<commit> (the working tree is "after").
Each round starts one process per tree, in alternating order, against the same database (``DATABASE_URL``,
default the ``make bench`` database); each process signs in as the largest area's co-ordinator and fetches
every page ``--repeat`` times, pages interleaved, timing each request's CPU (``benchmarks/pages.py``).
The medians over all rounds are printed, so the machine's load (other engineers' tests) falls on both alike.
``--profile PAGE`` instead prints a pyinstrument profile of one page (the working tree).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics as stats
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mappa_bench"


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_URL)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.development"
    env["DEBUG"] = "false"
    env.setdefault("SECRET_KEY", "compare-pages-" + "x" * 50)
    return env


def _extract(commit: str) -> Path:
    git = shutil.which("git") or "git"
    sha = subprocess.run(  # noqa: S603 - git, fixed arguments
        [git, "rev-parse", "--short", commit],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    target = ROOT / "var" / "compare" / sha
    if not target.exists():
        archive = subprocess.run(  # noqa: S603
            [git, "archive", sha],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
        target.mkdir(parents=True)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
        if not (target / "static" / "govuk").exists():  # copied from node_modules, not in git
            (target / "static").mkdir(exist_ok=True)
            (target / "static" / "govuk").symlink_to(ROOT / "static" / "govuk")
        (target / "var").mkdir()
        (target / "var" / "staticfiles").symlink_to(ROOT / "var" / "staticfiles")
    # the measuring code is the working tree's in both trees (the older commit may not have it)
    (target / "benchmarks" / "pages.py").write_text((ROOT / "benchmarks" / "pages.py").read_text())
    return target


def _child(tree: Path, repeat: int, env: dict[str, str]) -> dict[str, list[float]]:
    out = subprocess.run(  # noqa: S603 - this script, as a child in the other tree
        [sys.executable, __file__, "--child", str(tree), "--repeat", str(repeat)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def _setup(tree: Path) -> None:
    sys.path.insert(0, str(tree))
    import django

    django.setup()


def child(tree: Path, repeat: int) -> None:
    _setup(tree)
    from benchmarks import measure, pages  # this script's own tree's measuring code (same in both)

    largest, _ = measure.largest_and_smallest_areas()
    fixture = measure._fixture(largest)
    print(json.dumps(pages.page_cpu(measure._client(fixture), fixture.urls, repeat=repeat)))


def profile(page: str, repeat: int) -> None:
    _setup(ROOT)
    from pyinstrument import Profiler

    from benchmarks import measure, pages

    largest, _ = measure.largest_and_smallest_areas()
    fixture = measure._fixture(largest)
    client = measure._client(fixture)
    url = fixture.urls[page]
    pages._get(client, url)
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            pages._get(client, url)
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", default="main")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile", help="a page name: print a pyinstrument profile of it instead")
    args = parser.parse_args()
    env = _environment()
    if args.child:
        os.environ.update(env)
        child(Path(args.child), args.repeat)
        return
    if args.profile:
        os.environ.update(env)
        profile(args.profile, args.repeat)
        return
    before = _extract(args.before)
    trees = {"before": before, "after": ROOT}
    runs: dict[str, dict[str, list[float]]] = {"before": {}, "after": {}}
    load = [os.getloadavg()[0]]
    for round_ in range(args.rounds):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for name in order:
            for page, values in _child(trees[name], args.repeat, env).items():
                runs[name].setdefault(page, []).extend(values)
        load.append(os.getloadavg()[0])
    print(
        f"CPU ms per request, median (min) of {args.rounds} x {args.repeat}; before = {args.before}, after = working tree"
    )
    print(f"load average (1 min) during the run: {min(load):.1f}-{max(load):.1f}")
    for page in runs["after"]:
        b, a = runs["before"][page], runs["after"][page]
        print(
            f"{page:16} before {stats.median(b):6.1f} ({min(b):5.1f})   after {stats.median(a):6.1f} ({min(a):5.1f})"
            f"   {stats.median(a) / stats.median(b):.2f}x"
        )


if __name__ == "__main__":
    main()
