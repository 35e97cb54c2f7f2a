"""Importing an area's existing case histories (format: ``docs/import-format.md``).

Two streaming passes over the files. The first checks every row and keeps only what the checks across
rows and files need, packed one integer per spell or event: any error (named by file, row and field) stops
the import before a single row is written. The second pass reads the individuals file again and writes
people, registrations, periods and events in batches of people, in one transaction (``COPY`` on
PostgreSQL, ``executemany`` elsewhere): all or nothing, and no model instance per row.

Every check of a row is set-based or in memory: no query per row (the old per-row ``full_clean`` cost two
queries a person). A column's value is checked by :func:`field_problems`, the one place for a rule about a
single field.

One module on purpose, though it passes 500 lines: the two passes share the packed spells and events and
the row formats of the bulk writer, and splitting them would put each half's internals in the other's
module.
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
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area
from referrals.identifiers import NDELIUS_PATTERN, PNC_PATTERN, VISOR_PATTERN
from referrals.models import (
    Category,
    ExitReason,
    Gender,
    Individual,
    LifeEvent,
    LifeEventType,
    Location,
    Registration,
    RegistrationPeriod,
    RegistrationStatus,
)
from referrals.services import INDIVIDUAL_FIELDS

from .synthetic.timeline import uuid_from

FILES = ("individuals", "periods", "events")
ATTRIBUTES = ("category", "level", "location")
INDIVIDUAL_COLUMNS = ("reference", *INDIVIDUAL_FIELDS)
CATEGORY_1_EVENTS = {
    LifeEventType.BREACH_NOTIFICATION_CAUTION,
    LifeEventType.BREACH_NOTIFICATION_CONVICTION,
    LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
}
SYNTHETIC_REFERENCES = {
    "visor_reference": (VISOR_PATTERN, "VSYN-004512"),
    "pnc_reference": (PNC_PATTERN, "PSYN/19/0012345K"),
    "ndelius_reference": (NDELIUS_PATTERN, "CSYN004512"),
}
# The Individual columns a row supplies, checked with the model field's own rules (as full_clean did).
# ``area`` (the command's), ``id``, ``is_synthetic`` and ``created_at`` are set by the importer.
MODEL_CHECKED = tuple(
    f for f in Individual._meta.concrete_fields if f.name not in ("id", "area", "is_synthetic", "created_at")
)
PEOPLE_PER_BATCH = 5000
PROGRESS_EVERY = 1000

# Packing: a spell is one int, row << 53 | start << 31 | end << 9 | attribute << 6 | value << 3 | exit reason;
# an event is row << 27 | day << 5 | type << 1 | travel. Day numbers are date ordinals (< 2**22 up to 9999).
# The choices as plain tuples: an enum's ``.values`` is rebuilt on every access, and this is per row.
LOCATIONS = tuple(Location.values)
EXIT_REASONS = ("", *ExitReason.values)
EVENT_TYPES = tuple(LifeEventType.values)
GENDERS = tuple(Gender.values)
DAY_BITS = 22
DAY_MASK = (1 << DAY_BITS) - 1
if len(EXIT_REASONS) > 8 or len(LOCATIONS) > 8 or len(EVENT_TYPES) > 16:  # pragma: no cover - a new choice
    raise ImportError("a choice list outgrew its bits in the importer's packing: widen the fields above")


def _pack_spell(row: int, start: date, end: date | None, attribute: int, value: int, exit_reason: int) -> int:
    end_day = end.toordinal() if end else 0
    return (((((row << DAY_BITS | start.toordinal()) << DAY_BITS | end_day) << 3 | attribute) << 3 | value) << 3) | (
        exit_reason
    )


def _unpack_spell(packed: int, name: str) -> tuple[str, tuple[date, date | None, Any, str, int, str]]:
    exit_reason = packed & 7
    value = packed >> 3 & 7
    attribute = packed >> 6 & 7
    end = packed >> 9 & DAY_MASK
    start = packed >> (9 + DAY_BITS) & DAY_MASK
    row = packed >> (9 + 2 * DAY_BITS)
    spell_value: Any = LOCATIONS[value] if attribute == 2 else value
    return ATTRIBUTES[attribute], (
        date.fromordinal(start),
        date.fromordinal(end) if end else None,
        spell_value,
        name,
        row,
        EXIT_REASONS[exit_reason],
    )


@dataclass(frozen=True)
class ImportedEvent:
    row: int
    on: date
    event_type: str
    foreign_travel_restriction: bool


def _pack_event(row: int, on: date, event_type: str, travel: bool) -> int:
    return ((row << DAY_BITS | on.toordinal()) << 4 | EVENT_TYPES.index(event_type)) << 1 | int(travel)


def _unpack_event(packed: int) -> ImportedEvent:
    return ImportedEvent(
        row=packed >> (5 + DAY_BITS),
        on=date.fromordinal(packed >> 5 & DAY_MASK),
        event_type=EVENT_TYPES[packed >> 1 & 15],
        foreign_travel_restriction=bool(packed & 1),
    )


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


def field_problems(column: str, value: str) -> list[str]:
    """What is wrong with one individuals column's value on its own (empty when nothing).

    The one place for a rule about a single field: the synthetic-reference formats here; the model's own
    field rules (length, choices, validators) are checked with the rest of the person by
    :meth:`CaseImporter._model_problems`.
    """
    problems = []
    if column in SYNTHETIC_REFERENCES and value:
        pattern, example = SYNTHETIC_REFERENCES[column]
        if not re.match(pattern, value):
            problems.append(
                f"'{value}' is not a synthetic reference (like {example}): only synthetic data may be imported"
            )
    return problems


class _Inserter:
    """Rows of one table written as given: ``COPY`` on PostgreSQL, ``executemany`` elsewhere.

    Values are converted with each field's own ``get_db_prep_save``, as ``bulk_create`` would; no model
    instance, no signal (``bulk_create`` sends none either).
    """

    def __init__(self, model: type[Model], columns: tuple[str, ...]) -> None:
        fields = [model._meta.get_field(c) for c in columns]
        self.table = model._meta.db_table
        self.columns: list[str] = [f.column for f in fields]  # type: ignore[union-attr,misc]
        self.convert = [self._converter(f) for f in fields]

    @staticmethod
    def _converter(model_field: Any) -> Callable[[Any], Any] | None:
        """How a Python value becomes a database value, as the field's ``get_db_prep_save`` would do it.

        Spelt out for the three types that need converting, because the generic call costs a microsecond
        or two per value and a national import has millions.
        """
        target = model_field.target_field if model_field.is_relation else model_field
        kind = target.get_internal_type()
        if kind == "UUIDField" and not connection.features.has_native_uuid_field:
            return lambda value: value.hex if value is not None else None
        if kind == "DateField":
            return connection.ops.adapt_datefield_value
        if kind == "DateTimeField":
            return lambda value: model_field.get_db_prep_save(value, connection)
        return None

    def write(self, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        if not rows:
            return
        quote = connection.ops.quote_name
        names = ", ".join(quote(c) for c in self.columns)
        converters = [(i, c) for i, c in enumerate(self.convert) if c is not None]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # psycopg 3 adapts dates, UUIDs and booleans itself in COPY.
                with cursor.cursor.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            prepared = []
            for row in rows:
                values = list(row)
                for i, convert in converters:
                    values[i] = convert(values[i])
                prepared.append(values)
            placeholders = ", ".join(["%s"] * len(self.columns))
            # Table and column names come from the model's metadata, quoted; every value is a parameter.
            sql = f"INSERT INTO {quote(self.table)} ({names}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
            cursor.executemany(sql, prepared)


INDIVIDUAL_ROW = ("id", "area", *INDIVIDUAL_FIELDS, "is_synthetic", "created_at")
REGISTRATION_ROW = (
    "id",
    "individual",
    "area",
    "status",
    "started_on",
    "ended_on",
    "exit_reason",
    "exit_notes",
    "first_meeting_due",
    "next_review_due",
)
PERIOD_ROW = (
    "registration",
    "individual",
    "area",
    "start_date",
    "end_date",
    "category",
    "level",
    "location",
    "lead_agency",
    "change_reason",
)
EVENT_ROW = (
    "id",
    "individual",
    "area",
    "registration",
    "event_type",
    "occurred_on",
    "foreign_travel_restriction",
    "details",
    "recorded_by",
    "recorded_at",
)


class CaseImporter:
    def __init__(self, folder: str | Path, area: Area, progress: Callable[[int], None] | None = None) -> None:
        self.folder = Path(folder)
        self.area = area
        self.progress = progress
        self.errors = ImportErrors()
        self.today = timezone.localdate()
        self.files: dict[str, Path | None] = {}
        self.individuals_name = "individuals.csv"
        self.periods_name = "periods.csv"
        # What the checks across rows and files need, and no more: the person's row, spells and events packed.
        self.people: dict[str, int] = {}
        self.spells: dict[str, list[int]] = defaultdict(list)
        self.events: dict[str, list[int]] = defaultdict(list)
        self._unticked = 0
        # Version 4 UUIDs from a generator seeded by the system: os.urandom per id is slower under load.
        self.rng = random.Random()

    # -- reading and checking ----------------------------------------------------------------------

    def validate(self) -> None:
        """The first pass: every file read and checked; raises :class:`ImportErrors` before anything is written."""
        self.files = files = {name: _find(self.folder, name) for name in FILES}
        if not self.folder.is_dir():
            self.errors.add(str(self.folder), 0, "path", "not a folder")
            raise self.errors
        for name in ("individuals", "periods"):
            if files[name] is None:
                self.errors.add(f"{name}.csv", 0, "file", f"missing: give {name}.csv or {name}.jsonl")
        if self.errors.errors:
            raise self.errors
        self.individuals_name = files["individuals"].name  # type: ignore[union-attr]
        self.periods_name = files["periods"].name  # type: ignore[union-attr]
        self._individuals(files["individuals"])  # type: ignore[arg-type]
        self._periods(files["periods"])  # type: ignore[arg-type]
        if files["events"] is not None:
            self._events(files["events"])
        self._check_histories()
        self._flush_ticks()
        if self.errors.errors:
            raise self.errors

    def _tick(self, rows: int = 1) -> None:
        # tqdm's update costs more than a row's checks: report in steps.
        self._unticked += rows
        if self._unticked >= PROGRESS_EVERY:
            self._flush_ticks()

    def _flush_ticks(self) -> None:
        if self.progress and self._unticked:
            self.progress(self._unticked)
        self._unticked = 0

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
                    name, row_number, "reference", f"'{reference}' is already used on row {self.people[reference]}"
                )
            for column in ("given_names", "family_name", "date_of_birth", "gender"):
                if not row.get(column):
                    self.errors.add(name, row_number, column, f"enter {column.replace('_', ' ')}")
            for column in SYNTHETIC_REFERENCES:
                for problem in field_problems(column, row.get(column, "")):
                    self.errors.add(name, row_number, column, problem)
            if row.get("visor_reference") and row["visor_reference"] in existing:
                self.errors.add(
                    name, row_number, "visor_reference", f"{row['visor_reference']} is already recorded in {self.area}"
                )
            dob = None
            if row.get("date_of_birth"):
                try:
                    dob = _date(row["date_of_birth"])
                    if dob > self.today or dob.year < 1900:
                        raise ValueError
                except ValueError:
                    self.errors.add(name, row_number, "date_of_birth", "enter a real past date as YYYY-MM-DD")
            gender = row.get("gender", "")
            if gender and gender not in GENDERS:
                self.errors.add(name, row_number, "gender", f"choose one of {', '.join(GENDERS)}")
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
                for column, messages in self._model_problems(row, dob, nfa).items():
                    self.errors.add(name, row_number, column, " ".join(messages))
                self.people[reference] = row_number

    @staticmethod
    def _individual_values(row: dict[str, str], dob: date, nfa: bool) -> dict[str, Any]:
        values: dict[str, Any] = {column: row.get(column, "") for column in INDIVIDUAL_FIELDS}
        values.update(date_of_birth=dob, no_fixed_abode=nfa, children_linked=_true(values["children_linked"]))
        return values

    def _model_problems(self, row: dict[str, str], dob: date, nfa: bool) -> dict[str, list[str]]:
        """The messages ``Individual.full_clean`` gave, field by field, without an instance or a query.

        Field rules as ``Model.clean_fields`` runs them, then ``Individual.clean``. The model's check
        constraints (always synthetic; no fixed abode needs an area) cannot fail once those pass, so the two
        queries a person that ``validate_constraints`` ran are not needed.
        """
        values = self._individual_values(row, dob, nfa)
        problems: dict[str, list[str]] = {}
        for model_field in MODEL_CHECKED:
            value = values[model_field.attname]
            if model_field.blank and value in model_field.empty_values:
                continue
            try:
                model_field.clean(value, None)
            except ValidationError as exc:
                problems[model_field.name] = list(exc.messages)
        try:
            Individual.clean(SimpleNamespace(**values))  # type: ignore[arg-type]
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                problems.setdefault(column, []).extend(messages)
        return problems

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
            value = row.get("value", "")
            if attribute == "category":
                if value not in ("1", "2", "3", "4"):
                    self.errors.add(name, row_number, "value", "a category is 1, 2, 3 or 4")
                    continue
                code = int(value)
            elif attribute == "level":
                if value not in ("1", "2", "3"):
                    self.errors.add(name, row_number, "value", "a level is 1, 2 or 3")
                    continue
                code = int(value)
            elif value not in LOCATIONS:
                self.errors.add(name, row_number, "value", f"a location is {', '.join(LOCATIONS)}")
                continue
            else:
                code = LOCATIONS.index(value)
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
            if start > self.today:
                self.errors.add(name, row_number, "start_date", "must be today or in the past")
                continue
            exit_reason = row.get("exit_reason", "")
            if exit_reason and (attribute != "category" or exit_reason not in EXIT_REASONS[1:]):
                self.errors.add(
                    name, row_number, "exit_reason", f"only on category rows, one of {', '.join(EXIT_REASONS[1:])}"
                )
                continue
            self.spells[reference].append(
                _pack_spell(row_number, start, end, ATTRIBUTES.index(attribute), code, EXIT_REASONS.index(exit_reason))
            )

    def _events(self, path: Path) -> None:
        name = path.name
        for row_number, row, reference in self._rows_about_people(path):
            kind = row.get("event_type", "")
            if kind not in EVENT_TYPES:
                self.errors.add(name, row_number, "event_type", f"unknown event type '{kind}'")
                continue
            try:
                on = _date(row.get("occurred_on", ""))
                if on > self.today:
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
            self.events[reference].append(_pack_event(row_number, on, kind, travel))

    # -- merging spells into registrations and periods ---------------------------------------------

    def _spells_of(self, reference: str) -> dict[str, list]:  # type: ignore[type-arg]
        spells: dict[str, list] = {}  # type: ignore[type-arg]
        for packed in self.spells.get(reference, ()):
            attribute, spell = _unpack_spell(packed, self.periods_name)
            spells.setdefault(attribute, []).append(spell)
        return spells

    def _check_histories(self) -> None:
        """Per person, in file order: registrations merge from the spells, and events fit them."""
        events_file = self.files.get("events")
        events_name = events_file.name if events_file else "events"
        for reference, row_number in self.people.items():
            segments = self._segments(row_number, self._spells_of(reference))
            if segments is None:
                continue
            for packed in self.events.get(reference, ()):
                event = _unpack_event(packed)
                held = self._held_on(segments, event.on)
                if event.event_type in CATEGORY_1_EVENTS and (held is None or held["category"] != Category.SEXUAL):
                    self.errors.add(
                        events_name,
                        event.row,
                        "event_type",
                        "applies only to someone registered under Category 1 on that date",
                    )

    @staticmethod
    def _held_on(segments, day: date) -> dict | None:  # type: ignore[no-untyped-def]
        for _, _, pieces, _ in segments:
            for start, end, values in pieces:
                if start <= day and (end is None or day < end):
                    return values
        return None

    def _segments(self, row_number: int, spells: dict) -> list | None:  # type: ignore[type-arg]
        """Registrations (start, end, [(start, end, values)], exit reason) from the person's spells.

        Spells are (start, end, value, file name, row, exit reason); problems are added to the errors.
        """
        name = self.individuals_name
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
            exit_reason = reg["last_row"][5]
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

    # -- writing: the second pass ------------------------------------------------------------------

    def write(self) -> ImportResult:
        """Everything in one transaction, a batch of people at a time; call only after :meth:`validate`."""
        police = Agency.objects.filter(area=self.area, agency_type=AgencyType.POLICE).order_by("pk").first()
        probation = Agency.objects.filter(area=self.area, agency_type=AgencyType.PROBATION).order_by("pk").first()
        if police is None or probation is None:
            self.errors.add("(area)", 0, "area", f"{self.area} needs a police and a probation agency to lead cases")
            raise self.errors
        self.lead_agency = {c: police.pk if c == Category.SEXUAL else probation.pk for c in Category.values}
        tables = {
            "individuals": _Inserter(Individual, INDIVIDUAL_ROW),
            "registrations": _Inserter(Registration, REGISTRATION_ROW),
            "periods": _Inserter(RegistrationPeriod, PERIOD_ROW),
            "events": _Inserter(LifeEvent, EVENT_ROW),
        }
        batch: dict[str, list[tuple]] = {name: [] for name in tables}  # type: ignore[type-arg]
        counts = dict.fromkeys(tables, 0)
        people_in_batch = 0
        with transaction.atomic():
            for row_number, row in read_rows(self.files["individuals"]):  # type: ignore[arg-type]
                reference = row.get("reference", "")
                if self.people.get(reference) != row_number:
                    continue  # (cannot happen after a clean validate: every row is a person)
                self._person_rows(row, reference, batch)
                people_in_batch += 1
                if people_in_batch == PEOPLE_PER_BATCH:
                    self._write_batch(tables, batch, counts)
                    people_in_batch = 0
            self._write_batch(tables, batch, counts)
        return ImportResult(counts["individuals"], counts["registrations"], counts["periods"], counts["events"])

    def _write_batch(self, tables: dict[str, _Inserter], batch: dict[str, list[tuple]], counts: dict[str, int]) -> None:  # type: ignore[type-arg]
        for name, inserter in tables.items():
            inserter.write(batch[name])
            counts[name] += len(batch[name])
            if self.progress:
                self.progress(len(batch[name]))
            batch[name] = []

    def _person_rows(self, row: dict[str, str], reference: str, batch: dict[str, list[tuple]]) -> None:  # type: ignore[type-arg]
        """The person's rows: periods as given (events do not move them: the periods file is the record)."""
        now = timezone.now()
        area = self.area.pk
        person = uuid_from(self.rng)
        values = self._individual_values(row, _date(row["date_of_birth"]), _true(row.get("no_fixed_abode", "")))
        batch["individuals"].append((person, area, *(values[c] for c in INDIVIDUAL_FIELDS), True, now))
        segments = self._segments(self.people[reference], self._spells_of(reference))
        for start, end, pieces, exit_reason in segments or ():
            registration = uuid_from(self.rng)
            status = RegistrationStatus.EXITED if end is not None else f"level_{pieces[-1][2]['level']}"
            batch["registrations"].append(
                (registration, person, area, status, start, end, exit_reason if end else "", "", None, None)
            )
            for piece_start, piece_end, piece in pieces:
                batch["periods"].append(
                    (
                        registration,
                        person,
                        area,
                        piece_start,
                        piece_end,
                        piece["category"],
                        piece["level"],
                        piece["location"],
                        self.lead_agency[piece["category"]],
                        "Imported",
                    )
                )
        for packed in self.events.get(reference, ()):
            event = _unpack_event(packed)
            batch["events"].append(
                (
                    uuid_from(self.rng),
                    person,
                    area,
                    None,
                    event.event_type,
                    event.on,
                    event.foreign_travel_restriction,
                    "",
                    None,
                    now,
                )
            )


def import_cases(folder: str | Path, area: Area, progress: Callable[[int], None] | None = None) -> ImportResult:
    """Validate every file completely, then write everything or nothing. Raises :class:`ImportErrors`."""
    importer = CaseImporter(folder, area, progress)
    importer.validate()
    return importer.write()
