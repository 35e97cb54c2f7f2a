"""Who may record the SMB's decision on a serious case review (autodiscovered by ``rules``).

MAPPA Guidance ch. 20: the SMB chair decides, within 5 working days, whether a serious further offence calls for a
review. The chair is whoever holds the board's chair tenure today (``oversight.governance``), linked to the account
they sign in with on the governance page; an SMB member who is not the chair reads the review but does not decide.
Registered here, not with the other need-to-know rules, because it reads the board's tenures, which live in this
app above ``need_to_know`` (docs/serious-case-reviews.md, docs/smb.md).
"""

from __future__ import annotations

from typing import Any

import rules

from need_to_know.permissions import can_view_case_review, is_smb_member, same_area

from .governance.selectors import board_chair_on


@rules.predicate
def chairs_the_board_today(user: Any, review: Any) -> bool:
    """``user`` holds the chair's tenure of the review's area today (London date)."""
    if review is None or getattr(user, "pk", None) is None:
        return False
    chair = board_chair_on(area_id=review.area_id)
    return chair is not None and chair.user_id == user.pk


rules.add_perm(
    "case_reviews.decide_case_review", is_smb_member & same_area & can_view_case_review & chairs_the_board_today
)
