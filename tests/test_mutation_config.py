"""`make mutation` copies the packages listed under [tool.mutmut] source_paths into mutants/ and runs the
tests there: an app left out is missing from the copy, Django cannot start, and no mutant is ever tested.
That happened when the case review, transfer, victim, release planning and Level 1 apps were added."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parent.parent


def _mutmut() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]


def test_every_app_of_the_project_is_copied_for_mutation_testing() -> None:
    ours = {
        Path(app.path).relative_to(ROOT).parts[0]
        for app in apps.get_app_configs()
        if Path(app.path).is_relative_to(ROOT) and not Path(app.path).relative_to(ROOT).parts[0].startswith(".")
    }
    missing = ours - set(_mutmut()["source_paths"])
    assert not missing, f"add to [tool.mutmut] source_paths in pyproject.toml: {sorted(missing)}"


def test_every_mutated_module_and_selected_test_exists() -> None:
    config = _mutmut()
    for pattern in config["only_mutate"]:
        assert list(ROOT.glob(pattern)), f"[tool.mutmut] only_mutate names nothing: {pattern}"
    for path in config["pytest_add_cli_args_test_selection"]:
        if not path.startswith("-"):
            assert (ROOT / path).exists(), f"[tool.mutmut] selects a test path that does not exist: {path}"


def test_the_documents_the_selected_tests_compare_with_are_copied() -> None:
    """The meeting tests check the state diagrams in docs/ against the code: without docs/ in the copy that test
    fails before any mutant runs ("failed to collect stats"), and again no mutant is tested."""
    config = _mutmut()
    assert "meetings/tests" in config["pytest_add_cli_args_test_selection"]
    assert "docs" in config["also_copy"], "add docs to [tool.mutmut] also_copy in pyproject.toml"


def test_the_postgresql_only_code_run_on_postgresql_still_exists_under_its_name() -> None:
    """scripts/mutation_on_postgresql.py finds the mutants of PostgreSQL-only branches by function name: a renamed
    or moved function would leave its PostgreSQL mutants silently unrun."""
    import ast
    import importlib.util

    spec = importlib.util.spec_from_file_location("mutation_on_postgresql", ROOT / "scripts/mutation_on_postgresql.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.POSTGRESQL_ONLY
    for function, tests in script.POSTGRESQL_ONLY.items():
        module, _, name = function.rpartition(".")
        source = ROOT / (module.replace(".", "/") + ".py")
        defined = {node.name for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.FunctionDef)}
        assert name.removeprefix("x_") in defined, f"{function}: no function {name[2:]} in {source}"
        for path in tests:
            assert (ROOT / path).exists(), f"{function}: its tests {path} do not exist"


def test_the_recheck_takes_only_the_survivors_asked_for_and_records_back_where_they_came_from(tmp_path) -> None:
    """scripts/mutation_recheck.py runs survivors again with newer tests: it must not run (or overwrite) a mutant
    mutmut already killed or never ran, and must write each result into the file the mutant came from."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("mutation_recheck", ROOT / "scripts/mutation_recheck.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    meta = tmp_path / "referrals" / "services" / "life_events.py.meta"
    meta.parent.mkdir(parents=True)
    prefix = "referrals.services.life_events.x_life_event_record__mutmut_"
    meta.write_text(json.dumps({"exit_code_by_key": {prefix + "1": 0, prefix + "2": 1, prefix + "3": None}}))
    other = tmp_path / "meetings" / "services" / "disclosures.py.meta"
    other.parent.mkdir(parents=True)
    other.write_text(json.dumps({"exit_code_by_key": {"meetings.services.disclosures.x_d__mutmut_1": 0}}))
    script.MUTANTS = tmp_path
    assert script.survivors(["referrals.services.life_events.*"]) == {prefix + "1": meta}
    assert set(script.survivors(["*"])) == {prefix + "1", "meetings.services.disclosures.x_d__mutmut_1"}
    assert set(script.survivors(["referrals.*"], not_run=True)) == {prefix + "1", prefix + "3"}
