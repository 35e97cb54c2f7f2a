"""Messages about serious case reviews: when an SFO is recorded, the area's SMB members are told that the SMB's
decision on a review is due, and by when.

The message names no one: the review's reference, the due date and a link (an SMB member never sees whom a
review is about, and an inbox may be read by others). Every SMB member of the area is told: the board's chair,
who records the decision (docs/serious-case-reviews.md), is one of them, and the others advise it. Dedupe key: ``review:<id>:decision_due:<address>``.
"""

from __future__ import annotations

from typing import Any

from need_to_know import permissions

from . import selectors
from .email import render_email
from .models import MessageKind
from .outbox import outbox_add


def review_decision_due_notify(*, review_id: Any) -> int:
    """Tell each SMB member of the review's area who may read the review (a Category 4 one needs clearance) that a
    decision on it is due. Returns messages added."""
    from case_reviews.models import SeriousCaseReview

    review = SeriousCaseReview.objects.select_related("area").get(pk=review_id)
    email = render_email("review_decision_due", {"review": review})
    added = 0
    for user in selectors.smb_members(review.area):
        if not permissions.has_perm(user, "case_reviews.view_case_review", review):
            continue
        added += bool(
            outbox_add(
                kind=MessageKind.REVIEW_DECISION_DUE,
                recipient_email=user.email,
                recipient_id=user.pk,
                dedupe_key=f"review:{review.pk}:decision_due:{user.email}",
                email=email,
                payload={"review_id": str(review.pk), "change": "decision_due"},
            )
        )
    return added
