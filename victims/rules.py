"""Who may record and read victims' views (autodiscovered by ``rules``).

Narrower than the case: the area's co-ordinators and chairs, and the recording VLO's own agency.
Administrators, SMB members, lay advisers and every other agency never read them, whatever else
they may see of the case; Category 4 needs clearance as everywhere (``permissions.has_perm``).
"""

from __future__ import annotations

from typing import Any

import rules

from mappa_workflow.models import Role
from need_to_know.permissions import can_view_registration, is_practitioner, same_area

from . import selectors


@rules.predicate
def is_victim_liaison_officer(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and user.has_role(Role.VICTIM_LIAISON)


@rules.predicate
def registration_is_active(user: Any, registration: Any) -> bool:
    return registration is not None and registration.status != "exited"


@rules.predicate
def may_read_victim_view(user: Any, view: Any) -> bool:
    return view is not None and selectors.visible_victim_views(user).filter(pk=view.pk).exists()


# A VLO records for a case they may see (their agency is involved), while it is managed.
rules.add_perm(
    "victims.record_victim_view",
    is_practitioner & is_victim_liaison_officer & same_area & can_view_registration & registration_is_active,
)
rules.add_perm("victims.view_victim_view", may_read_victim_view)
