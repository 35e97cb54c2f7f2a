"""Forms of the pages for the work between meetings: release planning, third-party notifications,
requests to share minutes, and Level 1 reviews. They check the shape of input; the services the rules."""

from __future__ import annotations

from typing import Any

from release_planning.models import RecipientType

from .forms_base import YES_NO, GovukForm, _area, _date, _radios, _text


def yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class ReleasePlanStartForm(GovukForm):
    expected_date = _date("Expected release or discharge date", what="expected release or discharge date")


class ReleaseDateChangeForm(GovukForm):
    expected_date = _date("New expected date", what="new expected date")
    reason = _area("Why the date changed", rows=3, message="Enter why the date changed")


class ReleaseLevelForm(GovukForm):
    level = _radios(
        "Level decided for release",
        [("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")],
        message="Select the level decided for release",
    )
    decided_on = _date("Date decided", what="decision date")
    rationale = _area("Rationale", rows=4, message="Enter the rationale for the level")


class ChecklistItemForm(GovukForm):
    completed_on = _date("Date done", what="date it was done")
    notes = _area("What was done", rows=3, message="Say what was done")


class ReleasePlanCloseForm(GovukForm):
    outcome = _radios(
        "What happened",
        [("released", "Released or discharged"), ("withdrawn", "No longer expected")],
        message="Select released or no longer expected",
    )
    closed_on = _date("Date", what="date")
    note = _area("Note", rows=3, message="Enter a note")


class ThirdPartyNotificationForm(GovukForm):
    recipient_type = _radios("Sent to", RecipientType.choices, message="Select who the notification went to")
    recipient = _text(
        "Recipient", max_length=200, help_text="The office or person, for example a Jobcentre Plus office"
    )
    what_was_shared = _area("What was shared", rows=3, message="Enter what was shared")
    why_necessary = _area("Why it was necessary", rows=3, message="Enter why sharing was necessary")
    lawful_basis = _area("Lawful basis", rows=2, message="Enter the lawful basis for sharing")
    why_proportionate = _area("Why it was proportionate", rows=3, message="Enter why sharing was proportionate")
    recipient_undertaking = _area(
        "Recipient's undertaking", rows=2, message="Enter what the recipient undertook to do with it"
    )
    individual_told = _radios("Was the person told?", YES_NO, message="Say whether the person was told")
    why_individual_not_told = _area("If not, why not", required=False, rows=2)
    sent_on = _date("Date sent", what="date it was sent")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stack("recipient_type")


class AcknowledgeForm(GovukForm):
    acknowledged_on = _date("Date acknowledged", what="date of the acknowledgement")


class SharingRequestForm(GovukForm):
    requested_by = _text("Who asked", max_length=200, help_text="The person and their organisation")
    purpose = _area("What the minutes are wanted for", rows=3, message="Enter what the minutes are wanted for")
    requested_on = _date("Date of the request", what="date of the request")


class SharingDecisionForm(GovukForm):
    outcome = _radios(
        "Decision",
        [
            ("agreed_in_full", "Agree: share the minutes in full"),
            ("agreed_summary", "Agree: share an executive summary only"),
            ("refused", "Refuse"),
        ],
        message="Select a decision",
    )
    reason = _area("Reason", rows=3, message="Enter the reason for the decision")


class LevelOneReviewForm(GovukForm):
    reviewed_on = _date("Date of the review", what="date of the review")
    risk_changed = _radios("Has the risk changed?", YES_NO, message="Say whether the risk has changed")
    plan_robust = _radios("Is the risk management plan robust?", YES_NO, message="Say whether the plan is robust")
    refer_to_level_2 = _radios(
        "Refer the case to Level 2?",
        YES_NO,
        message="Say whether to refer the case to Level 2",
        help_text="Yes sends a MAPPA A referral to the co-ordinator now, carrying over the last referral's answers",
    )
    notes = _area("What was considered and why", rows=4, message="Enter what was considered and why")

    field_aliases = {"registration": "notes"}
