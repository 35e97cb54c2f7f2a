"""Importing an area's existing case histories (format: ``docs/import-format.md``).

Everything is read and checked first; any error (named by file, row and field) stops the import before a
single row is written. Then all rows are written in one transaction with ``bulk_create``.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area
from referrals.identifiers import NDELIUS_PATTERN, PNC_PATTERN, VISOR_PATTERN
from referrals.models import Category, ExitReason, Gender, Individual, LifeEvent, LifeEventType, Location, Registration
from referrals.services import INDIVIDUAL_FIELDS
from reporting.synthetic.timeline import BulkWriter, Event, Plan

FILES = ("individuals", "periods", "events")
ATTRIBUTES = ("category", "level", "location")
INDIVIDUAL_COLUMNS = ("reference", *INDIVIDUAL_FIELDS)
CATEGORY_1_EVENTS = {
    LifeEventType.BREACH_NOTIFICATION_CAUTION,
    LifeEventType.BREACH_NOTIFICATION_CONVICTION,
    LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
}


@dataclass
class ImportErrors(Exception):
    errors: list[str] = field(default_factory=list)

    def add(self, file: str, row: int, column: str, message: str) -> None:
        self.errors.append(f"{file}, row {row}, {column}: {message}")

    def __str__(self) -> str:
        return "\n".join(self.errors)


@dataclass
class ImportResult:
    individuals: int
    registrations: int
    periods: int
    events: int


def _find(folder: Path, name: str) -> Path | None:
    for suffix in (".csv", ".jsonl"):
        if (folder / f"{name}{suffix}").exists():
            return folder / f"{name}{suffix}"
    return None


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for a CSV file (row 1 is the header, so data starts at row 2) or JSON lines (from 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if path.suffix == ".csv":
            for number, row in enumerate(csv.DictReader(handle), start=2):
                yield number, {k.strip(): (v or "").strip() for k, v in row.items() if k}
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"not valid JSON ({exc.msg})"}
                    continue
                if not isinstance(data, dict):
                    yield number, {"__error__": "each line must be a JSON object"}
                    continue
                yield number, {k: "" if v is None else str(v).strip() for k, v in data.items()}


def _true(value: str) -> bool:
    return value.lower() in ("true", "yes", "1")


def _date(value: str) -> date:
    return date.fromisoformat(value)


class CaseImporter:
    def __init__(self, folder: str | Path, area: Area, progress: Callable[[int], None] | None = None) -> None:
        self.folder = Path(folder)
        self.area = area
        self.progress = progress
        self.errors = ImportErrors()
        self.people: dict[str, tuple[str, int, Individual]] = {}
        self.spells: dict[str, dict[str, list[tuple[date, date | None, Any, str, int, dict]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.events: dict[str, list[tuple[int, Event]]] = defaultdict(list)

    # -- reading and checking ----------------------------------------------------------------------

    def validate(self) -> list[tuple[Plan, list, list]]:
        files = {name: _find(self.folder, name) for name in FILES}
        if not self.folder.is_dir():
            self.errors.add(str(self.folder), 0, "path", "not a folder")
            raise self.errors
        for name in ("individuals", "periods"):
            if files[name] is None:
                self.errors.add(f"{name}.csv", 0, "file", f"missing: give {name}.csv or {name}.jsonl")
        if self.errors.errors:
            raise self.errors
        self._individuals(files["individuals"])  # type: ignore[arg-type]
        self._periods(files["periods"])  # type: ignore[arg-type]
        if files["events"] is not None:
            self._events(files["events"])
        plans = self._plans(files)
        if self.errors.errors:
            raise self.errors
        return plans

    def _tick(self) -> None:
        if self.progress:
            self.progress(1)

    def _individuals(self, path: Path) -> None:
        name = path.name
        existing = set(
            Individual.objects.filter(area=self.area)
            .exclude(visor_reference="")
            .values_list("visor_reference", flat=True)
        )
        for row_number, row in read_rows(path):
            self._tick()
            if "__error__" in row:
                self.errors.add(name, row_number, "line", row["__error__"])
                continue
            reference = row.get("reference", "")
            if not reference:
                self.errors.add(name, row_number, "reference", "enter the person's import reference")
            elif reference in self.people:
                self.errors.add(
                    name, row_number, "reference", f"'{reference}' is already used on row {self.people[reference][1]}"
                )
            for column in ("given_names", "family_name", "date_of_birth", "gender"):
                if not row.get(column):
                    self.errors.add(name, row_number, column, f"enter {column.replace('_', ' ')}")
            for column, pattern, example in (
                ("visor_reference", VISOR_PATTERN, "VSYN-004512"),
                ("pnc_reference", PNC_PATTERN, "PSYN/19/0012345K"),
                ("ndelius_reference", NDELIUS_PATTERN, "CSYN004512"),
            ):
                value = row.get(column, "")
                if value and not re.match(pattern, value):
                    self.errors.add(
                        name,
                        row_number,
                        column,
                        f"'{value}' is not a synthetic reference (like {example}): only synthetic data may be imported",
                    )
            if row.get("visor_reference") and row["visor_reference"] in existing:
                self.errors.add(
                    name, row_number, "visor_reference", f"{row['visor_reference']} is already recorded in {self.area}"
                )
            dob = None
            if row.get("date_of_birth"):
                try:
                    dob = _date(row["date_of_birth"])
                    if dob > timezone.localdate() or dob.year < 1900:
                        raise ValueError
                except ValueError:
                    self.errors.add(name, row_number, "date_of_birth", "enter a real past date as YYYY-MM-DD")
            gender = row.get("gender", "")
            if gender and gender not in Gender.values:
                self.errors.add(name, row_number, "gender", f"choose one of {', '.join(Gender.values)}")
            nfa = _true(row.get("no_fixed_abode", ""))
            if nfa and not row.get("area_of_closest_links"):
                self.errors.add(
                    name,
                    row_number,
                    "area_of_closest_links",
                    "enter the area of closest links when there is no fixed abode",
                )
            unknown = set(row) - set(INDIVIDUAL_COLUMNS)
            if unknown:
                self.errors.add(name, row_number, sorted(unknown)[0], "unknown column")
            if reference and reference not in self.people and dob:
                person = Individual(
                    area=self.area,
                    given_names=row["given_names"],
                    family_name=row["family_name"],
                    date_of_birth=dob,
                    gender=gender,
                    ethnicity_as_stated=row.get("ethnicity_as_stated", ""),
                    address=row.get("address", ""),
                    no_fixed_abode=nfa,
                    area_of_closest_links=row.get("area_of_closest_links", ""),
                    visor_reference=row.get("visor_reference", ""),
                    pnc_reference=row.get("pnc_reference", ""),
                    ndelius_reference=row.get("ndelius_reference", ""),
                    children_linked=_true(row.get("children_linked", "")),
                )
                try:
                    person.full_clean(exclude=["id"])
                except ValidationError as exc:
                    for column, messages in exc.message_dict.items():
                        self.errors.add(name, row_number, column, " ".join(messages))
                self.people[reference] = (name, row_number, person)

    def _rows_about_people(self, path: Path) -> Iterator[tuple[int, dict[str, str], str]]:
        """Rows that parse and name a person from the individuals file; the others are reported."""
        for row_number, row in read_rows(path):
            self._tick()
            if "__error__" in row:
                self.errors.add(path.name, row_number, "line", row["__error__"])
                continue
            reference = row.get("reference", "")
            if reference not in self.people:
                self.errors.add(
                    path.name, row_number, "reference", f"no individual '{reference}' in the individuals file"
                )
                continue
            yield row_number, row, reference

    def _periods(self, path: Path) -> None:
        name = path.name
        for row_number, row, reference in self._rows_about_people(path):
            attribute = row.get("attribute", "")
            if attribute not in ATTRIBUTES:
                self.errors.add(name, row_number, "attribute", "choose category, level or location")
                continue
            value: Any = row.get("value", "")
            if attribute == "category":
                if value not in ("1", "2", "3", "4"):
                    self.errors.add(name, row_number, "value", "a category is 1, 2, 3 or 4")
                    continue
                value = int(value)
            elif attribute == "level":
                if value not in ("1", "2", "3"):
                    self.errors.add(name, row_number, "value", "a level is 1, 2 or 3")
                    continue
                value = int(value)
            elif value not in Location.values:
                self.errors.add(name, row_number, "value", f"a location is {', '.join(Location.values)}")
                continue
            try:
                start = _date(row.get("start_date", ""))
            except ValueError:
                self.errors.add(name, row_number, "start_date", "enter the date as YYYY-MM-DD")
                continue
            end = None
            if row.get("end_date"):
                try:
                    end = _date(row["end_date"])
                except ValueError:
                    self.errors.add(
                        name,
                        row_number,
                        "end_date",
                        "enter the date as YYYY-MM-DD, or leave it blank if still in force",
                    )
                    continue
                if end <= start:
                    self.errors.add(
                        name,
                        row_number,
                        "end_date",
                        "must be after the start date (the end date is the first day not covered)",
                    )
                    continue
            if start > timezone.localdate():
                self.errors.add(name, row_number, "start_date", "must be today or in the past")
                continue
            exit_reason = row.get("exit_reason", "")
            if exit_reason and (attribute != "category" or exit_reason not in ExitReason.values):
                self.errors.add(
                    name, row_number, "exit_reason", f"only on category rows, one of {', '.join(ExitReason.values)}"
                )
                continue
            self.spells[reference][attribute].append((start, end, value, name, row_number, row))

    def _events(self, path: Path) -> None:
        name = path.name
        for row_number, row, reference in self._rows_about_people(path):
            kind = row.get("event_type", "")
            if kind not in LifeEventType.values:
                self.errors.add(name, row_number, "event_type", f"unknown event type '{kind}'")
                continue
            try:
                on = _date(row.get("occurred_on", ""))
                if on > timezone.localdate():
                    raise ValueError
            except ValueError:
                self.errors.add(name, row_number, "occurred_on", "enter a past date as YYYY-MM-DD")
                continue
            travel = _true(row.get("foreign_travel_restriction", ""))
            if travel and kind != LifeEventType.SHPO_IMPOSED:
                self.errors.add(
                    name,
                    row_number,
                    "foreign_travel_restriction",
                    "only an SHPO can carry a foreign travel restriction",
                )
                continue
            self.events[reference].append((row_number, Event(on, kind, foreign_travel_restriction=travel)))

    # -- merging spells into registrations and periods ---------------------------------------------

    def _plans(self, files: dict[str, Path | None]) -> list[tuple[Plan, list, list]]:
        """Per person: their registrations merged from the spells, and their events (checked against them)."""
        events_name = files["events"].name if files["events"] else "events"
        plans = []
        for reference, (_, _, person) in self.people.items():
            segments = self._segments(reference, self.spells.get(reference, {}))
            if segments is None:
                continue
            for row_number, event in self.events.get(reference, []):
                held = self._held_on(segments, event.on)
                if event.event_type in CATEGORY_1_EVENTS and (held is None or held["category"] != Category.SEXUAL):
                    self.errors.add(
                        events_name,
                        row_number,
                        "event_type",
                        "applies only to someone registered under Category 1 on that date",
                    )
            plans.append((Plan(person), segments, self.events.get(reference, [])))
        return plans

    @staticmethod
    def _held_on(segments, day: date) -> dict | None:  # type: ignore[no-untyped-def]
        for _, _, pieces, _ in segments:
            for start, end, values in pieces:
                if start <= day and (end is None or day < end):
                    return values
        return None

    def _segments(self, reference: str, spells: dict) -> list | None:  # type: ignore[type-arg]
        """Registrations (start, end, [(start, end, values)], exit reason) from the person's spells."""
        name, row_number, _ = self.people[reference]
        if not spells.get("category"):
            self.errors.add(
                name, row_number, "reference", "no category spell in the periods file: every person needs one"
            )
            return None
        ok = True
        chains: dict[str, list] = {}
        for attribute in ATTRIBUTES:
            rows = sorted(spells.get(attribute, []), key=lambda s: s[0])
            for previous, current in itertools.pairwise(rows):
                if previous[1] is None or previous[1] > current[0]:
                    self.errors.add(
                        current[3],
                        current[4],
                        "start_date",
                        f"this {attribute} spell overlaps the one on row {previous[4]}",
                    )
                    ok = False
            chains[attribute] = rows
        if not ok:
            return None
        # registrations: runs of contiguous category spells
        registrations: list[dict[str, Any]] = []
        for spell in chains["category"]:
            if registrations and registrations[-1]["end"] == spell[0]:
                registrations[-1]["end"] = spell[1]
                registrations[-1]["last_row"] = spell
            else:
                registrations.append({"start": spell[0], "end": spell[1], "last_row": spell})
        out = []
        for reg in registrations:
            start, end = reg["start"], reg["end"]
            exit_reason = reg["last_row"][5].get("exit_reason", "")
            if end is not None and not exit_reason:
                self.errors.add(
                    reg["last_row"][3],
                    reg["last_row"][4],
                    "exit_reason",
                    "the registration ends here: give the exit reason",
                )
                ok = False
            for attribute in ("level", "location"):
                covered = [s for s in chains[attribute] if s[0] < (end or date.max) and (s[1] is None or s[1] > start)]
                cursor = start
                for s in covered:
                    if s[0] > cursor or s[0] < start:
                        self.errors.add(
                            s[3],
                            s[4],
                            "start_date",
                            f"the {attribute} spells must cover the registration from {start} with no gap, starting on {cursor}",
                        )
                        ok = False
                        break
                    cursor = s[1] if s[1] is not None else date.max
                else:
                    if not covered or (end is not None and cursor < end) or (end is None and cursor != date.max):
                        row = reg["last_row"]
                        self.errors.add(
                            row[3],
                            row[4],
                            "start_date",
                            f"no {attribute} given for every day of the registration starting {start}",
                        )
                        ok = False
            if not ok:
                continue
            bounds = sorted(
                {start}
                | {s[0] for a in ATTRIBUTES for s in chains[a] if start < s[0] < (end or date.max)}
                | {s[1] for a in ATTRIBUTES for s in chains[a] if s[1] and start < s[1] < (end or date.max)}
            )
            pieces: list[tuple[Any, Any, dict[str, Any]]] = []
            for i, piece_start in enumerate(bounds):
                piece_end = bounds[i + 1] if i + 1 < len(bounds) else end
                values = {}
                for attribute in ATTRIBUTES:
                    for s in chains[attribute]:
                        if s[0] <= piece_start and (s[1] is None or piece_start < s[1]):
                            values[attribute] = s[2]
                if values["category"] == Category.OTHER_DANGEROUS and values["level"] == 1:
                    row = next(
                        s for s in chains["level"] if s[0] <= piece_start and (s[1] is None or piece_start < s[1])
                    )
                    self.errors.add(row[3], row[4], "value", "Category 3 cases are managed only at Level 2 or 3")
                    ok = False
                if pieces and pieces[-1][2] == values:
                    pieces[-1] = (pieces[-1][0], piece_end, values)  # same values: one period, not two
                else:
                    pieces.append((piece_start, piece_end, values))
            out.append((start, end, pieces, exit_reason))
        return out if ok else None

    # -- writing -------------------------------------------------------------------------------------

    def write(self, plans) -> ImportResult:  # type: ignore[no-untyped-def]
        police = Agency.objects.filter(area=self.area, agency_type=AgencyType.POLICE).order_by("pk").first()
        probation = Agency.objects.filter(area=self.area, agency_type=AgencyType.PROBATION).order_by("pk").first()
        if police is None or probation is None:
            self.errors.add("(area)", 0, "area", f"{self.area} needs a police and a probation agency to lead cases")
            raise self.errors
        writer = BulkWriter(area=self.area, lead_agency=lambda c: police if c == 1 else probation, rng=random.Random())
        for plan, segments, events in plans:
            self._write_person(writer, plan, segments, events)
        counts = ImportResult(
            len(writer.individuals), len(writer.registrations), len(writer.periods), len(writer.events)
        )
        with transaction.atomic():
            writer.flush(self.progress)
        return counts

    def _write_person(self, writer: BulkWriter, plan: Plan, segments, events) -> None:  # type: ignore[no-untyped-def]
        """Periods as given (events do not move them: the periods file is the record), events beside them."""
        writer.individuals.append(plan.individual)
        for start, end, pieces, exit_reason in segments:
            state: dict = {"registration": None, "period": None, "last_end": None, "pending": []}
            first_values = pieces[0][2]
            writer._open(
                plan.individual,
                state,
                start,
                first_values["category"],
                first_values["level"],
                first_values["location"],
                "Imported",
            )
            for piece_start, _, values in pieces[1:]:
                writer._change(state, piece_start, "Imported", **values)
            if end is not None:
                writer._exit(state, end, exit_reason)
            for values in state["pending"]:
                writer.registrations.append(Registration(area=self.area, **values))
            state["pending"] = []
        for _, event in events:
            writer.events.append(
                LifeEvent(
                    individual=plan.individual,
                    area=self.area,
                    event_type=event.event_type,
                    occurred_on=event.on,
                    foreign_travel_restriction=event.foreign_travel_restriction,
                )
            )


def import_cases(folder: str | Path, area: Area, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate every file completely, then write everything or nothing. Raises :class:`ImportErrors`."""
    importer = CaseImporter(folder, area, progress)
    plans = importer.validate()
    return importer.write(plans)
