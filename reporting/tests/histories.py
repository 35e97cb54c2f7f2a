"""Building small histories for tests, through the same in-memory writer the generator uses."""

from __future__ import annotations

import random
from datetime import date

from mappa_workflow.models import Agency, AgencyType, Area
from referrals.models import Individual
from reporting.synthetic.timeline import BulkWriter, Plan
from tests.factories import IndividualFactory


def writer(area: Area, seed: int = 0) -> BulkWriter:
    police = Agency.objects.filter(area=area, agency_type=AgencyType.POLICE).order_by("pk").first()
    probation = Agency.objects.filter(area=area, agency_type=AgencyType.PROBATION).order_by("pk").first()
    return BulkWriter(area=area, lead_agency=lambda c: police if c == 1 else probation, rng=random.Random(seed))


def person(area: Area, *steps) -> Plan:
    plan = Plan(IndividualFactory.build(area=area, date_of_birth=date(1980, 1, 1)))
    for step in steps:
        plan.add(step)
    return plan


def write(area: Area, *plans: Plan) -> list[Individual]:
    w = writer(area)
    for plan in plans:
        w.add(plan)
    people = list(w.individuals)
    w.flush()
    return people


def add(area: Area, *plans: Plan) -> None:
    """More people, written after ``write``'s (another seed: other ids)."""
    w = writer(area, seed=len(plans) + area.pk * 7 + 1)
    for plan in plans:
        w.add(plan)
    w.flush()
