"""Messages about a transfer between areas: the co-ordinators of both areas hear of every change.

The emails carry the transfer's reference, the two areas, what changed and a link; never the person's
name or any detail of the case (an area's inbox and the other area's co-ordinators read them).
Dedupe key: ``transfer:<id>:<change>:<address>``.
"""

from __future__ import annotations

from typing import Any

from . import selectors
from .email import render_email
from .models import MessageKind
from .outbox import outbox_add

CHANGES = {"requested", "accepted", "declined", "withdrawn", "completed"}


def transfer_change_notify(*, transfer_id: Any, change: str, actor_id: int | None = None) -> int:
    """Tell the co-ordinators of the sending and the receiving area. Returns messages added."""
    from transfers.models import Transfer

    if change not in CHANGES:
        raise ValueError(f"No messages are defined for transfer {change}")
    transfer = Transfer.objects.select_related("sending_area", "receiving_area").get(pk=transfer_id)
    added = 0
    for area, side in ((transfer.sending_area, "sending"), (transfer.receiving_area, "receiving")):
        email = render_email("transfer_update", {"transfer": transfer, "change": change, "side": side})
        for user in selectors.coordinators(area):
            added += bool(
                outbox_add(
                    kind=MessageKind.TRANSFER_UPDATE,
                    recipient_email=user.email,
                    recipient_id=user.pk,
                    dedupe_key=f"transfer:{transfer.pk}:{change}:{user.email}",
                    email=email,
                    payload={"transfer_id": str(transfer.pk), "change": change, "actor_id": actor_id},
                )
            )
    return added
