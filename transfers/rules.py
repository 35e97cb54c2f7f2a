"""Who may do what with a transfer (autodiscovered by ``rules``).

The sending area's co-ordinators request, withdraw and complete; the receiving area's co-ordinators
accept or decline. The co-ordinators and chairs of either area read the transfer; the receiving
area reads the handover pack from acceptance on. Nobody else (no practitioner, SMB member, lay
adviser or administrator) sees a transfer. Category 4 needs clearance (``permissions.has_perm``).
"""

from __future__ import annotations

from typing import Any

import rules

from need_to_know.permissions import is_chair, is_coordinator, same_area

from .models import PACK_STATES


@rules.predicate
def in_sending_area(user: Any, transfer: Any) -> bool:
    return transfer is not None and transfer.sending_area_id == getattr(user, "area_id", None)


@rules.predicate
def in_receiving_area(user: Any, transfer: Any) -> bool:
    return transfer is not None and transfer.receiving_area_id == getattr(user, "area_id", None)


@rules.predicate
def pack_released(user: Any, transfer: Any) -> bool:
    return transfer is not None and transfer.state in PACK_STATES


case_manager = is_coordinator | is_chair

rules.add_perm("transfers.request_transfer", is_coordinator & same_area)  # on the sending registration
rules.add_perm("transfers.withdraw_transfer", is_coordinator & in_sending_area)
rules.add_perm("transfers.complete_transfer", is_coordinator & in_sending_area)
rules.add_perm("transfers.decide_transfer", is_coordinator & in_receiving_area)
rules.add_perm("transfers.view_transfer", case_manager & (in_sending_area | in_receiving_area))
rules.add_perm("transfers.view_handover_pack", case_manager & (in_sending_area | (in_receiving_area & pack_released)))
