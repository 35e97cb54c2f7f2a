"""The layers of docs/architecture.md hold: import-linter keeps the contracts in pyproject.toml, and breaks
them when a lower layer imports a higher one or two modules of an app import each other."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = [
    "config",
    "mappa_workflow",
    "need_to_know",
    "referrals",
    "meetings",
    "case_reviews",
    "reporting",
    "oversight",
    "transfers",
    "victims",
    "release_planning",
    "level_one",
    "notifications",
    "web",
    "api",
    "administration",
]


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own virtualenv's lint-imports, fixed arguments)
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(where)},
    )


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    """The packages and the contracts, copied so a test can break them without touching the tree."""
    ignore = shutil.ignore_patterns("__pycache__", "templates", "static", "*.html", "*.txt", "*.md")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_its_layer_and_acyclic_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_a_case_app_that_imports_the_pages_breaks_the_layer_contract(copy_of_the_code: Path):
    models = copy_of_the_code / "referrals" / "models.py"
    models.write_text(models.read_text() + "\nimport web.views.cases  # noqa: E402,F401\n")

    result = lint_imports(copy_of_the_code)

    assert result.returncode != 0
    assert "referrals is not allowed to import web" in result.stdout


def test_the_base_app_that_reads_a_case_app_breaks_the_layer_contract(copy_of_the_code: Path):
    roles = copy_of_the_code / "mappa_workflow" / "roles.py"
    roles.write_text(
        roles.read_text() + "\n\ndef _late():\n    from referrals.models import Individual  # noqa: F401\n"
    )

    result = lint_imports(copy_of_the_code)

    assert result.returncode != 0
    assert "mappa_workflow is not allowed to import referrals" in result.stdout


def test_a_case_app_that_reads_the_need_to_know_rules_breaks_the_layer_contract(copy_of_the_code: Path):
    services = copy_of_the_code / "meetings" / "selectors.py"
    services.write_text(services.read_text() + "\nfrom need_to_know import permissions  # noqa: E402,F401\n")

    result = lint_imports(copy_of_the_code)

    assert result.returncode != 0
    assert "meetings is not allowed to import need_to_know" in result.stdout


def test_two_modules_of_an_app_importing_each_other_break_the_acyclic_contract(copy_of_the_code: Path):
    selectors = copy_of_the_code / "meetings" / "selectors.py"
    selectors.write_text(selectors.read_text() + "\n\ndef _late():\n    from meetings import ics  # noqa: F401\n")
    ics = copy_of_the_code / "meetings" / "ics.py"
    ics.write_text(ics.read_text() + "\n\ndef _later():\n    from meetings import selectors  # noqa: F401\n")

    result = lint_imports(copy_of_the_code)

    assert result.returncode != 0
    assert "No cycles are allowed in meetings" in result.stdout
