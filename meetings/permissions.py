"""Who may run meetings and update actions, as `rules` permissions (loaded by the app config)."""

from __future__ import annotations

from typing import Any

import rules

from mappa_workflow.permissions import is_case_manager, is_practitioner, same_area


@rules.predicate
def action_owned_by_my_agency(user: Any, action: Any) -> bool:
    return action is not None and action.owning_agency_id == user.agency_id


rules.add_perm("meetings.manage_meeting", is_case_manager)
rules.add_perm(
    "meetings.update_risk_action", is_case_manager | (is_practitioner & same_area & action_owned_by_my_agency)
)
