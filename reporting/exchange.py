"""Exchanging registrations with probation in the shape of its MAPPA details (docs/import-format.md,
"MAPPA details"): level, category, start date, review date, team, officer and notes, keyed by the
person's (synthetic) nDelius reference, as one JSON document.

The import is all or nothing, as ``import_cases``: every record is checked first (by file, record and
field) and nothing is written unless all are valid; then the writes run in one transaction through the
registration services, so each leaves its audit row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappa_workflow.models import Agency, AgencyType, Area
from mappa_workflow.validators import refuse_hidden_characters
from referrals import services as referral_services
from referrals.identifiers import NDELIUS_PATTERN
from referrals.models import Category, Individual, Location, Registration, RegistrationPeriod
from referrals.registration_details import registration_details_update

from .importer import ImportErrors

FORMAT = "mappa-details"
VERSION = 1
FIELDS = ("ndelius_reference", "category", "level", "start_date", "review_date", "team", "officer", "notes")
REQUIRED = ("ndelius_reference", "category", "level", "start_date")
LIMITS = {"team": 120, "officer": 200}


def export_mappa_details(area: Area) -> dict[str, Any]:
    """The area's active registrations of people with an nDelius reference, Category 4 left out
    (counter-terrorism cases are not exchanged this way). Three queries."""
    current = {
        p.registration_id: p
        for p in RegistrationPeriod.objects.filter(
            area=area, end_date__isnull=True, registration__ended_on__isnull=True
        )
    }
    category_4 = set(
        RegistrationPeriod.objects.filter(area=area, category=Category.TERRORISM).values_list(
            "individual_id", flat=True
        )
    )
    records = []
    for registration in (
        Registration.objects.active()
        .filter(area=area)
        .exclude(individual__ndelius_reference="")
        .select_related("individual")
        .order_by("individual__ndelius_reference")
    ):
        period = current.get(registration.pk)
        if period is None or registration.individual_id in category_4:
            continue
        records.append(
            {
                "ndelius_reference": registration.individual.ndelius_reference,
                "category": period.category,
                "level": period.level,
                "start_date": registration.started_on.isoformat(),
                "review_date": registration.next_review_due.isoformat() if registration.next_review_due else None,
                "team": registration.team,
                "officer": registration.officer_name,
                "notes": registration.notes,
            }
        )
    return {"format": FORMAT, "version": VERSION, "area": area.slug, "registrations": records}


@dataclass
class ExchangeResult:
    updated: int
    opened: int


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError
    return date.fromisoformat(value)


def _check_record(record: Any, errors: ImportErrors, name: str, n: int) -> dict[str, Any] | None:
    """The record's values, or ``None`` after adding its problems to ``errors``."""
    if not isinstance(record, dict):
        errors.add(name, n, "record", "must be a JSON object")
        return None
    before = len(errors.errors)
    for key in sorted(set(record) - set(FIELDS)):
        errors.add(name, n, key, f"is not a field of the MAPPA details (expected {', '.join(FIELDS)})")
    for key in REQUIRED:
        if record.get(key) in (None, ""):
            errors.add(name, n, key, "is required")
    values: dict[str, Any] = {}
    reference = record.get("ndelius_reference")
    if reference not in (None, ""):
        if not isinstance(reference, str) or not re.fullmatch(NDELIUS_PATTERN, reference):
            errors.add(name, n, "ndelius_reference", "must be a synthetic nDelius reference, like CSYN004512")
        values["ndelius_reference"] = reference
    for key, allowed in (("category", (1, 2, 3)), ("level", (1, 2, 3))):
        value = record.get(key)
        if value not in (None, ""):
            if type(value) is not int or value not in allowed:
                errors.add(name, n, key, "must be 1, 2 or 3" + (" (Category 4 is not exchanged)" if value == 4 else ""))
            values[key] = value
    if values.get("category") == 3 and values.get("level") == 1:
        errors.add(name, n, "level", "Category 3 cases are managed only at Level 2 or 3")
    for key in ("start_date", "review_date"):
        value = record.get(key)
        if value in (None, ""):
            values[key] = None
            continue
        try:
            values[key] = _date(value)
        except ValueError:
            errors.add(name, n, key, "must be a date written YYYY-MM-DD")
    if values.get("start_date") and values["start_date"] > timezone.localdate():
        errors.add(name, n, "start_date", "must be today or in the past")
    if values.get("start_date") and values.get("review_date") and values["review_date"] < values["start_date"]:
        errors.add(name, n, "review_date", "must be on or after the start date")
    for key in ("team", "officer", "notes"):
        value = record.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.add(name, n, key, "must be text")
            continue
        if key in LIMITS and len(value) > LIMITS[key]:
            errors.add(name, n, key, f"must be at most {LIMITS[key]} characters")
        try:
            refuse_hidden_characters(value)
        except ValidationError as exc:
            errors.add(name, n, key, " ".join(exc.messages))
        values[key] = value.strip()
    return values if len(errors.errors) == before else None


def import_mappa_details(path: str | Path, area: Area) -> ExchangeResult:
    """Read a MAPPA details document into ``area``: each record names a person of the area by nDelius
    reference. A person with an active registration here gets its officer, team, notes and review date
    (its category and level must already agree: those change by decisions, not imports); a person with
    none is registered from the start date, in the community, led by the area's probation service.
    Raises :class:`ImportErrors` (nothing written) on any problem."""
    path = Path(path)
    name = path.name
    errors = ImportErrors()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        errors.add(name, 0, "file", f"is not a readable JSON document ({exc})")
        raise errors from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        errors.add(name, 0, "format", f'must be "{FORMAT}", version {VERSION}')
        raise errors
    records = document.get("registrations")
    if not isinstance(records, list):
        errors.add(name, 0, "registrations", "must be a list of records")
        raise errors
    checked: list[tuple[int, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for n, record in enumerate(records, start=1):
        values = _check_record(record, errors, name, n)
        if values is None:
            continue
        reference = values["ndelius_reference"]
        if reference in seen:
            errors.add(name, n, "ndelius_reference", f"appears twice (first in record {seen[reference]})")
            continue
        seen[reference] = n
        checked.append((n, values))
    people = {
        p.ndelius_reference: p
        for p in Individual.objects.filter(area=area, ndelius_reference__in=list(seen)).prefetch_related(
            "registrations__periods"
        )
    }
    probation = Agency.objects.filter(area=area, agency_type=AgencyType.PROBATION).order_by("pk").first()
    plan: list[tuple[dict[str, Any], Individual, Registration | None]] = []
    for n, values in checked:
        person = people.get(values["ndelius_reference"])
        if person is None:
            errors.add(name, n, "ndelius_reference", f"no person in {area} has this nDelius reference")
            continue
        registrations = list(person.registrations.all())
        active = next((r for r in registrations if r.ended_on is None), None)
        if active is None:
            last_end = max((r.ended_on for r in registrations if r.ended_on), default=None)
            if last_end and values["start_date"] < last_end:
                errors.add(
                    name, n, "start_date", f"must be on or after {last_end:%-d %B %Y}, when the last registration ended"
                )
            if probation is None:
                errors.add(name, n, "ndelius_reference", f"{area} has no probation service to lead a new registration")
        else:
            current = next(p for p in active.periods.all() if p.end_date is None)
            for key, ours in (("category", current.category), ("level", current.level)):
                if values[key] != ours:
                    errors.add(name, n, key, f"is {ours} here: change it through a decision, not an import")
            if values["start_date"] != active.started_on:
                errors.add(name, n, "start_date", f"the registration here started on {active.started_on:%-d %B %Y}")
        plan.append((values, person, active))
    if errors.errors:
        raise errors
    opened = updated = 0
    with transaction.atomic():
        for values, person, active in plan:
            if active is None:
                assert probation is not None
                active = referral_services.registration_open(
                    actor=None,
                    individual=person,
                    area=area,
                    category=values["category"],
                    level=values["level"],
                    location=Location.COMMUNITY,
                    lead_agency=probation,
                    start_date=values["start_date"],
                    reason="Imported from probation's MAPPA details",
                )
                opened += 1
            else:
                updated += 1
            registration_details_update(
                actor=None,
                registration=active,
                officer_name=values["officer"],
                team=values["team"],
                notes=values["notes"],
                next_review_due=values["review_date"],
            )
    return ExchangeResult(updated=updated, opened=opened)
