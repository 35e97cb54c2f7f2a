"""Release planning's state changes, one function each (re-exported from their modules)."""

from .disclosures import (
    SHARING_OUTCOMES,
    sharing_request_decide,
    sharing_request_record,
    third_party_notification_acknowledge,
    third_party_notification_record,
)
from .plans import (
    CLOSE_OUTCOMES,
    checklist_item_complete,
    item_due_dates,
    level_decision_due,
    release_plan_change_date,
    release_plan_close,
    release_plan_create,
    release_plan_decide_level,
)

__all__ = [
    "CLOSE_OUTCOMES",
    "SHARING_OUTCOMES",
    "checklist_item_complete",
    "item_due_dates",
    "level_decision_due",
    "release_plan_change_date",
    "release_plan_close",
    "release_plan_create",
    "release_plan_decide_level",
    "sharing_request_decide",
    "sharing_request_record",
    "third_party_notification_acknowledge",
    "third_party_notification_record",
]
