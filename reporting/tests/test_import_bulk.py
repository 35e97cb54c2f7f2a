"""The bulk importer: the same rows and messages as the importer it replaced, refusals wherever the bad row is,
and no query per row.

``benchmarks/legacy_import.py`` is the importer as it was before the bulk rewrite, kept as the reference.
"""

from __future__ import annotations

import csv
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from benchmarks import legacy_import
from referrals.models import Individual, LifeEvent, Registration, RegistrationPeriod
from referrals.services import INDIVIDUAL_FIELDS
from reporting import importer
from reporting.statistics import compute_annual_report, current_reporting_year
from reporting.synthetic.import_folder import write_import_folder
from tests.factories import northamptonshire

from .test_import import INDIVIDUALS, counts, folder

pytestmark = pytest.mark.django_db

PERSON = (*INDIVIDUAL_FIELDS, "is_synthetic")


class Rollback(Exception):
    pass


def tables() -> dict[str, list[tuple]]:
    """Every imported row by its content (ids are random either way), people by their own fields."""
    people = {pk: values for pk, *values in Individual.objects.values_list("pk", *PERSON)}
    started = dict(Registration.objects.values_list("pk", "started_on"))
    return {
        "individuals": sorted(map(tuple, people.values())),
        "registrations": sorted(
            (*people[i], status, start, end, reason, notes)
            for i, status, start, end, reason, notes in Registration.objects.values_list(
                "individual", "status", "started_on", "ended_on", "exit_reason", "exit_notes"
            )
        ),
        "periods": sorted(
            (*people[i], started[r], *rest)
            for i, r, *rest in RegistrationPeriod.objects.values_list(
                "individual",
                "registration",
                "area",
                "start_date",
                "end_date",
                "category",
                "level",
                "location",
                "lead_agency",
                "change_reason",
            )
        ),
        "events": sorted(
            (*people[i], *rest)
            for i, *rest in LifeEvent.objects.values_list(
                "individual",
                "area",
                "registration",
                "event_type",
                "occurred_on",
                "foreign_travel_restriction",
                "details",
            )
        ),
    }


def imported_by(module, path) -> tuple[dict[str, list[tuple]], dict]:  # type: ignore[no-untyped-def]
    """The tables and the last reporting year's report after importing ``path`` with ``module``, rolled back."""
    area = northamptonshire()
    try:
        with transaction.atomic():
            module.import_cases(path, area)
            result = tables(), compute_annual_report(areas=[area], year=current_reporting_year()).as_dict()
            raise Rollback
    except Rollback:
        return result


def test_a_generated_folder_imports_to_the_same_rows_and_report_as_before(tmp_path):
    write_import_folder(tmp_path, people=150, seed=7)
    before_tables, before_report = imported_by(legacy_import, tmp_path)
    after_tables, after_report = imported_by(importer, tmp_path)
    assert len(after_tables["individuals"]) == 150 and after_tables["periods"] and after_tables["events"]
    for name in before_tables:
        assert after_tables[name] == before_tables[name], name
    assert after_report == before_report
    assert counts() == (0, 0, 0, 0)


def test_every_message_of_a_bad_folder_is_the_same_as_before(tmp_path):
    """Includes the rules ``full_clean`` gave (a name too long, a date of birth in the future)."""
    bad_individuals = (
        INDIVIDUALS
        + "P3,Real,Person,1970-01-01,male,AB12/345678,,\nP1,Dup,Licate,1990-13-01,male,,,\n"
        + f"P4,{'A' * 101},Synthetic,2999-01-01,alien,,,\nP5,,Synthetic,1980-01-01,male,VSYN-1,,\n"
    )
    bad_periods = (
        "reference,attribute,value,start_date,end_date,exit_reason\n"
        "P1,category,1,2019-01-01,,\nP1,level,1,2019-01-01,2019-01-01,\nP1,location,moon,2019-01-01,,\n"
        "P2,category,3,2022-01-01,2024-12-01,\nP2,level,1,2022-01-01,,\nP2,location,community,2023-01-01,,\n"
        "P4,category,2,2020-01-01,,risk_reduced\nP4,level,2,2020-01-01,,transferred_out\nP9,level,2,2020-01-01,,\n"
    )
    bad_events = (
        '{"reference": "P2", "event_type": "breach_notification_caution", "occurred_on": "2023-01-01"}\n'
        '{"reference": "P2", "event_type": "released", "occurred_on": "2023-01-01", '
        '"foreign_travel_restriction": true}\nnot json\n[1]\n'
    )
    path = folder(tmp_path, bad_individuals, bad_periods, bad_events)
    messages = []
    for module in (legacy_import, importer):
        with pytest.raises(module.ImportErrors) as caught:
            module.import_cases(path, northamptonshire())
        messages.append(caught.value.errors)
    assert messages[1] == messages[0]
    assert any("given_names: Ensure this value has at most 100 characters" in m for m in messages[1])
    assert counts() == (0, 0, 0, 0)


def _rewrite(path, row_index: int, column: str, value: str) -> int:  # type: ignore[no-untyped-def]
    """Set one field of one data row (0 = first, -1 = last) of a CSV or JSON lines file; its row number."""
    if path.suffix == ".csv":
        with path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        rows[row_index][column] = value
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        return (row_index % len(rows)) + 2
    lines = path.read_text().splitlines()
    record = json.loads(lines[row_index])
    record[column] = value
    lines[row_index] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    return (row_index % len(lines)) + 1


@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.parametrize(
    ("file", "column", "value", "message"),
    [
        ("individuals.csv", "date_of_birth", "1980-02-30", "enter a real past date as YYYY-MM-DD"),
        ("periods.csv", "start_date", "2020-13-01", "enter the date as YYYY-MM-DD"),
        ("events.jsonl", "occurred_on", "yesterday", "enter a past date as YYYY-MM-DD"),
    ],
)
def test_one_bad_row_anywhere_is_refused_by_file_row_and_field_with_nothing_written(
    tmp_path, file, column, value, message, position
):
    write_import_folder(tmp_path, people=120, seed=3)
    rows = sum(1 for _ in (tmp_path / file).open()) - (1 if file.endswith(".csv") else 0)
    index = {"first": 0, "middle": rows // 2, "last": -1}[position]
    row = _rewrite(tmp_path / file, index, column, value)
    with pytest.raises(CommandError) as caught:
        call_command("import_cases", str(tmp_path), "--area", "northamptonshire")
    assert f"{file}, row {row}, {column}: {message}" in str(caught.value)
    assert counts() == (0, 0, 0, 0)


def test_checks_and_writes_take_as_many_queries_for_many_people_as_for_few(tmp_path):
    queries = []
    for people in (20, 200):
        path = tmp_path / str(people)
        write_import_folder(path, people=people, seed=5)
        try:
            with transaction.atomic():
                with CaptureQueriesContext(connection) as captured:
                    result = importer.import_cases(path, northamptonshire())
                raise Rollback
        except Rollback:
            pass
        assert result.individuals == people
        queries.append(len(captured))
    assert queries[0] == queries[1]


def test_progress_counts_every_row_read_and_written(tmp_path):
    size = write_import_folder(tmp_path, people=1500, seed=11, today=date(2025, 6, 1))
    reported: list[int] = []
    result = importer.import_cases(tmp_path, northamptonshire(), progress=reported.append)
    read = size.individuals + size.spells + size.events
    written = result.individuals + result.registrations + result.periods + result.events
    assert sum(reported) == read + written
    assert len(reported) > 3  # in steps as it goes, not once at the end
