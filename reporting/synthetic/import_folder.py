"""A synthetic folder for ``import_cases`` (format: ``docs/import-format.md``), the same for the same seed.

Used by the import tests and benchmarks: every row is valid, and the shape follows the national synthetic
data (about 7.9 spells and 1.7 life events a person, a quarter of people registered twice).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.utils import timezone

from referrals.models import ExitReason, Gender, LifeEventType, Location
from referrals.services import INDIVIDUAL_FIELDS

FIRST_START = date(2008, 1, 1)
# Events that need no particular category; the Category 1 ones are added only on Category 1 days.
ANY_DAY_EVENTS = (
    LifeEventType.SHPO_IMPOSED,
    LifeEventType.NOTIFICATION_ORDER_IMPOSED,
    LifeEventType.SRO_MADE,
    LifeEventType.RELEASED,
    LifeEventType.HOSPITAL_ADMISSION,
    LifeEventType.HOSPITAL_DISCHARGE,
    LifeEventType.TRANSFERRED_IN,
)
CATEGORY_1_EVENTS = (LifeEventType.BREACH_NOTIFICATION_CAUTION, LifeEventType.BREACH_NOTIFICATION_CONVICTION)
EXIT_REASONS = tuple(r for r in ExitReason.values if r != ExitReason.LIFETIME_NOTIFICATION_REVOKED)


@dataclass
class FolderSize:
    individuals: int
    spells: int
    events: int


def _split(rng: random.Random, start: date, end: date, pieces: int) -> list[date]:
    """Up to ``pieces - 1`` distinct cut days strictly inside (start, end), in order."""
    days = (end - start).days
    if days < 2 or pieces < 2:
        return []
    return sorted({start + timedelta(days=rng.randint(1, days - 1)) for _ in range(pieces - 1)})


def write_import_folder(folder: str | Path, *, people: int, seed: int = 2025, today: date | None = None) -> FolderSize:
    """Write individuals.csv, periods.csv and events.jsonl for ``people`` synthetic people into ``folder``."""
    rng = random.Random(seed)
    today = today or timezone.localdate()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spells = events = 0
    with (
        (folder / "individuals.csv").open("w", newline="", encoding="utf-8") as individuals_file,
        (folder / "periods.csv").open("w", newline="", encoding="utf-8") as periods_file,
        (folder / "events.jsonl").open("w", encoding="utf-8") as events_file,
    ):
        individuals = csv.writer(individuals_file)
        columns = ("reference", *INDIVIDUAL_FIELDS)
        individuals.writerow(columns)
        periods = csv.writer(periods_file)
        periods.writerow(["reference", "attribute", "value", "start_date", "end_date", "exit_reason"])
        for n in range(1, people + 1):
            reference = f"S{n:07d}"
            nfa = rng.random() < 0.03
            person = {
                "reference": reference,
                "given_names": rng.choice(("Adam", "Ben", "Carl", "Dean", "Eve", "Faye", "Gary")),
                "family_name": f"Synthetic{rng.randint(1, 999)}",
                "date_of_birth": (date(1950, 1, 1) + timedelta(days=rng.randint(0, 18_000))).isoformat(),
                "gender": rng.choices(Gender.values, weights=(90, 8, 1, 1))[0],
                "ethnicity_as_stated": rng.choice(("White British", "Black British", "Prefer not to say", "")),
                "no_fixed_abode": "true" if nfa else "false",
                "area_of_closest_links": "Northampton" if nfa else "",
                "visor_reference": f"VSYN-{n:06d}" if rng.random() < 0.9 else "",
                "pnc_reference": f"PSYN/{rng.randint(10, 24)}/{n:07d}K" if rng.random() < 0.7 else "",
                "ndelius_reference": f"CSYN{n:06d}" if rng.random() < 0.7 else "",
                "children_linked": "true" if rng.random() < 0.2 else "false",
            }
            individuals.writerow([person.get(column, "") for column in columns])
            last = today - timedelta(days=2)
            starts = [FIRST_START + timedelta(days=rng.randint(0, (last - FIRST_START).days - 40))]
            twice = rng.random() < 0.25
            ends: list[date | None] = []
            first_end = starts[0] + timedelta(days=rng.randint(30, 2000))
            if twice and first_end + timedelta(days=20) < last:
                ends.append(first_end)
                starts.append(first_end + timedelta(days=rng.randint(1, max(1, (last - first_end).days - 10))))
            ends.append(None if rng.random() < 0.8 else last)
            for start, end in zip(starts, ends, strict=True):
                stop = end or today
                category = rng.choices((1, 2, 3, 4), weights=(70, 24, 5, 1))[0]
                cuts = _split(rng, start, stop, rng.choice((1, 1, 2)))
                categories = [category] + [rng.choice((1, 2)) if category != 3 else 3 for _ in cuts]
                bounds: list[date | None] = [start, *cuts, end]
                for i, value in enumerate(categories):
                    exit_reason = rng.choice(EXIT_REASONS) if end is not None and i == len(categories) - 1 else ""
                    periods.writerow([reference, "category", value, bounds[i], bounds[i + 1] or "", exit_reason])
                    spells += 1
                low = 2 if 3 in categories else 1
                for attribute, choices, pieces in (
                    ("level", list(range(low, 4)), rng.choice((1, 2, 3, 3, 4))),
                    ("location", Location.values, rng.choice((1, 2, 3, 3, 4))),
                ):
                    cuts = _split(rng, start, stop, pieces)
                    bounds = [start, *cuts, end]
                    for i in range(len(bounds) - 1):
                        periods.writerow([reference, attribute, rng.choice(choices), bounds[i], bounds[i + 1] or ""])
                        spells += 1
                for _ in range(rng.choice((0, 1, 1, 1, 2, 3))):
                    on = start + timedelta(days=rng.randint(0, (stop - start).days - 1))
                    kind = rng.choice(ANY_DAY_EVENTS)
                    if categories == [1] and rng.random() < 0.3:
                        kind = rng.choice(CATEGORY_1_EVENTS)
                    record: dict[str, object] = {"reference": reference, "event_type": kind, "occurred_on": str(on)}
                    if kind == LifeEventType.SHPO_IMPOSED:
                        record["foreign_travel_restriction"] = rng.random() < 0.3
                    events_file.write(json.dumps(record) + "\n")
                    events += 1
    return FolderSize(people, spells, events)
