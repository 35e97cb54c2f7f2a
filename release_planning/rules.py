"""Who may do what with release plans, third-party notifications and requests to share minutes
(autodiscovered by ``rules``). Seeing them follows the person: ``release_planning.selectors.visible_*``."""

from __future__ import annotations

from typing import Any

import rules

from need_to_know.permissions import can_view_individual, is_case_manager, is_chair, is_practitioner, same_area


def _individual(obj: Any) -> Any:
    return obj if type(obj).__name__ == "Individual" else getattr(obj, "individual", None)


@rules.predicate
def may_see_the_person(user: Any, obj: Any) -> bool:
    return obj is not None and can_view_individual(user, _individual(obj))


@rules.predicate
def of_the_lead_agency(user: Any, obj: Any) -> bool:
    """The user's agency leads the case: a plan's lead agency, or a registration's open period's."""
    if obj is None or user.agency_id is None:
        return False
    lead = getattr(obj, "lead_agency_id", None)
    if lead is None and type(obj).__name__ == "Registration":
        lead = obj.periods.filter(end_date__isnull=True).values_list("lead_agency_id", flat=True).first()
    return lead == user.agency_id


@rules.predicate
def sent_by_my_agency(user: Any, notification: Any) -> bool:
    return notification is not None and notification.sent_by_agency_id == user.agency_id


# A plan (or, to make one, the registration) is kept by the area's co-ordinators and chairs and by the lead agency.
rules.add_perm(
    "release_planning.manage_release_plan",
    (is_case_manager & may_see_the_person) | (is_practitioner & may_see_the_person & of_the_lead_agency),
)
# Anyone working the case records what their agency shared; the sending agency records the acknowledgement.
rules.add_perm("release_planning.record_notification", (is_case_manager | is_practitioner) & may_see_the_person)
rules.add_perm(
    "release_planning.acknowledge_notification",
    (is_case_manager & may_see_the_person) | (is_practitioner & may_see_the_person & sent_by_my_agency),
)
rules.add_perm("release_planning.record_sharing_request", (is_case_manager | is_practitioner) & may_see_the_person)
# MAPPA D: minutes are not shared onward without the chair's agreement.
rules.add_perm("release_planning.decide_sharing_request", is_chair & same_area & may_see_the_person)
