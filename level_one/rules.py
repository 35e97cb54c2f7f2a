"""Who may review a Level 1 case (autodiscovered by ``rules``): the area's co-ordinators and chairs, and
the practitioners of the case's lead agency who may see the person."""

from __future__ import annotations

import rules

from mappa_workflow.permissions import is_case_manager, is_practitioner
from release_planning.rules import may_see_the_person, of_the_lead_agency

rules.add_perm(
    "level_one.review_case",
    (is_case_manager & may_see_the_person) | (is_practitioner & may_see_the_person & of_the_lead_agency),
)
