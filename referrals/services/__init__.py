"""Every change to individuals, referrals, registrations and life events.

Each public function is one user-visible action: it runs in one transaction, locks what it
changes, checks the rules (raising :class:`WorkflowError` with the field at fault, before
anything is written), writes an audit row, and sends its signals only after commit.
Views, API views, admin actions and management commands all call these functions.

One module per sub-capability: :mod:`.individuals`, :mod:`.registrations` (and their dated
periods), :mod:`.life_events` and :mod:`.referrals` (MAPPA A and screening). This package
re-exports every public service, so ``from referrals.services import referral_decide`` and
``services.referral_decide`` keep working.
"""

from .discard import referral_discard
from .individuals import INDIVIDUAL_FIELDS, individual_create, individual_update
from .life_events import NewRegistration, life_event_record
from .referrals import (
    REFERRAL_ANSWER_FIELDS,
    ScreeningDecision,
    first_meeting_due_date,
    referral_create,
    referral_decide,
    referral_request_more_information,
    referral_resubmit,
    referral_submit,
    referral_update,
    referral_withdraw,
)
from .registrations import (
    open_period,
    registration_change_circumstances,
    registration_change_level,
    registration_exit,
    registration_open,
)

__all__ = [
    "INDIVIDUAL_FIELDS",
    "REFERRAL_ANSWER_FIELDS",
    "NewRegistration",
    "ScreeningDecision",
    "first_meeting_due_date",
    "individual_create",
    "individual_update",
    "life_event_record",
    "open_period",
    "referral_create",
    "referral_decide",
    "referral_discard",
    "referral_request_more_information",
    "referral_resubmit",
    "referral_submit",
    "referral_update",
    "referral_withdraw",
    "registration_change_circumstances",
    "registration_change_level",
    "registration_exit",
    "registration_open",
]
