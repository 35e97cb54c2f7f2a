"""Who may review a Level 1 case (autodiscovered by ``rules``): the area's co-ordinators and chairs, and
the practitioners of the case's lead agency who may see the person."""

from __future__ import annotations

from typing import Any

import rules

from need_to_know.permissions import can_view_individual, is_case_manager, is_practitioner


@rules.predicate
def may_see_the_person(user: Any, registration: Any) -> bool:
    return registration is not None and can_view_individual(user, registration.individual)


@rules.predicate
def of_the_lead_agency(user: Any, registration: Any) -> bool:
    """The user's agency leads the case now (the registration's open period)."""
    if registration is None or user.agency_id is None:
        return False
    lead = registration.periods.filter(end_date__isnull=True).values_list("lead_agency_id", flat=True).first()
    return lead == user.agency_id


rules.add_perm(
    "level_one.review_case",
    (is_case_manager & may_see_the_person) | (is_practitioner & may_see_the_person & of_the_lead_agency),
)
