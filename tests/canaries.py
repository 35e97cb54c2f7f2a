"""Helpers for the need-to-know tests: everything a reader could get out of a response or a message."""

from __future__ import annotations

import json
from typing import Any

from notifications.email import Attachment


def outbox_text(message: Any) -> str:
    """Everything an outbox message carries to its reader: subject, both bodies, the payload and each
    attachment decoded (the .ics), as one string to search."""
    attachments = [Attachment.from_json(a).content for a in message.payload.get("attachments", [])]
    return "\n".join(
        [
            message.subject,
            message.body_text,
            message.body_html,
            json.dumps({k: v for k, v in message.payload.items() if k != "attachments"}),
            *(content.decode("utf-8", errors="replace") for content in attachments),
        ]
    )
