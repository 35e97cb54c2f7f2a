"""Recording an individual and changing their details and aliases."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from mappa_workflow import roles
from mappa_workflow.audit import audit_record
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import Area, AuditAction, User
from mappa_workflow.validators import hidden_character

from ..models import (
    Alias,
    Individual,
)
from ._common import _clean

INDIVIDUAL_FIELDS = (
    "given_names",
    "family_name",
    "date_of_birth",
    "gender",
    "ethnicity_as_stated",
    "address",
    "no_fixed_abode",
    "area_of_closest_links",
    "visor_reference",
    "pnc_reference",
    "ndelius_reference",
    "children_linked",
)


def _validate_individual(individual: Individual) -> None:
    _clean(individual)


def _checked_aliases(aliases: Iterable[str]) -> set[str]:
    """The aliases to keep, each a name a reader can see (raises naming ``aliases``)."""
    wanted = {a.strip() for a in aliases if a.strip()}
    for alias in sorted(wanted):
        found = hidden_character(alias)
        if found is not None:
            raise WorkflowError(
                {"aliases": f"Remove the hidden or control character ({found}) from the alias {alias!r}"}
            )
    return wanted


def individual_create(
    *, actor: User | None, area: Area, aliases: list[str] | tuple[str, ...] = (), **fields: Any
) -> Individual:
    """Record a new (synthetic) individual in ``area``."""
    roles.require(actor, "referrals.create_individual", area)
    unknown = set(fields) - set(INDIVIDUAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown individual fields: {sorted(unknown)}")
    individual = Individual(area=area, **fields)
    _validate_individual(individual)
    wanted = _checked_aliases(aliases)
    with transaction.atomic():
        individual.save(force_insert=True)
        for name in wanted:
            Alias.objects.create(individual=individual, name=name)
        audit_record(actor=actor, action=AuditAction.CREATE, obj=individual)
    return individual


def individual_update(
    *, actor: User | None, individual: Individual, aliases: list[str] | None = None, **fields: Any
) -> Individual:
    roles.require(actor, "referrals.edit_individual", individual)
    unknown = set(fields) - set(INDIVIDUAL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown individual fields: {sorted(unknown)}")
    checked = None if aliases is None else _checked_aliases(aliases)
    with transaction.atomic():
        locked = Individual.objects.select_for_update().get(pk=individual.pk)
        changed = [name for name, value in fields.items() if getattr(locked, name) != value]
        for name, value in fields.items():
            setattr(locked, name, value)
        _validate_individual(locked)
        if changed:
            locked.save(update_fields=changed)
        if checked is not None:
            wanted = checked
            existing = set(locked.aliases.values_list("name", flat=True))
            locked.aliases.filter(name__in=existing - wanted).delete()
            Alias.objects.bulk_create([Alias(individual=locked, name=n) for n in wanted - existing])
            if wanted != existing:
                changed.append("aliases")
        if changed:
            audit_record(actor=actor, action=AuditAction.CHANGE, obj=locked, details={"fields": changed})
    return locked
