"""Page forms of Level 2/3 meetings: scheduling, invitations, attendance, minutes, actions and disclosures.

Each only cleans what the user typed; the services in ``meetings.services`` decide and save.
"""

from __future__ import annotations

from typing import Any

from django import forms

from mappa_workflow.models import Seniority
from meetings.models import AttendanceStatus, CaseDecision, MeetingType, PlanHeading
from referrals.models import ExitReason

from .forms_base import YES_NO, GovukForm, _area, _date, _radios, _text


def time_and_length_messages(fields: dict[str, forms.Field]) -> None:
    """The start time's and length's messages, the same when a meeting is scheduled and when it moves."""
    fields["start_time"].error_messages.update(
        required="Enter the start time", invalid="Enter the start time as hours and minutes, like 10:00"
    )
    fields["duration_minutes"].error_messages.update(
        required="Enter the length of the meeting in minutes",
        invalid="Enter the length as a whole number of minutes",
        min_value="The meeting must be at least 15 minutes long",
        max_value="The meeting must be no longer than 8 hours",
    )


class ScheduleForm(GovukForm):
    meeting_type = _radios(
        "Type of meeting",
        MeetingType.choices,
        message="Select the type of meeting",
    )
    meeting_date = _date("Date of the meeting", help_text="For example, 14 5 2026", what="date of the meeting")
    start_time = forms.TimeField(label="Start time", help_text="For example, 10:00", input_formats=["%H:%M", "%H.%M"])
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=480, initial=120)
    chair = forms.ChoiceField(label="Chair", choices=[])
    venue = _text("Venue", required=False, max_length=200, help_text="Or give a video link below")
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        time_and_length_messages(self.fields)
        self.fields["video_link"].error_messages["invalid"] = "Enter the video link as a full web address"
        self.stack("meeting_type")
        self.fields["chair"].error_messages["required"] = "Select the chair"

    def set_chairs(self, chairs: list[tuple[str, str]]) -> None:
        self.choice_field("chair").choices = [("", "Select the chair"), *chairs]


class AttendanceRowForm(GovukForm):
    status = forms.ChoiceField(
        label="Attendance", choices=[("", "Not recorded"), *AttendanceStatus.choices], required=False
    )
    name = _text("Name", required=False, max_length=200)
    role = _text("Role", required=False, max_length=200)
    seniority = forms.ChoiceField(label="Seniority", choices=[("", "Not recorded"), *Seniority.choices], required=False)
    confidentiality_acknowledged = forms.BooleanField(
        label="Acknowledged the confidentiality statement (MAPPA D)", required=False
    )


class CaseMinutesForm(GovukForm):
    risk_summary = _area("Summary of risk of serious harm", message="Enter the summary of risk", rows=4)
    decision = forms.ChoiceField(label="Decision", choices=[("", "Select a decision"), *CaseDecision.choices])
    rationale = _area("Rationale", message="Enter the rationale for the decision", rows=3)
    exit_reason = forms.ChoiceField(
        label="If the case exits MAPPA: why", choices=[("", "Not exiting"), *ExitReason.choices], required=False
    )
    why_level_2_cannot_manage = _area(
        "If moving to Level 3: what can Level 2 management not deliver?", required=False, rows=2
    )
    differing_views = _area("Differing views", required=False, rows=2)
    rmp_supervision = _area("Supervision", required=False, rows=2)
    rmp_monitoring_and_control = _area("Monitoring and control", required=False, rows=2)
    rmp_interventions_and_treatment = _area("Interventions and treatment", required=False, rows=2)
    rmp_victim_safety_planning = _area("Victim safety planning", required=False, rows=2)
    contingency = _area("Contingency", required=False, rows=2)
    next_review_date = _date("Next review date", required=False, what="next review date")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].error_messages["required"] = "Select the decision"


class RiskActionForm(GovukForm):
    heading = forms.ChoiceField(label="Plan heading", choices=[("", "Select a heading"), *PlanHeading.choices])
    description = _area("Action", message="Describe the action", rows=2)
    owning_agency = forms.ChoiceField(label="Owning agency", choices=[])
    officer_name = _text("Named officer", message="Enter the named officer", max_length=200)
    due_date = _date("Due date", what="due date")

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("owning_agency").choices = [("", "Select an agency"), *(agencies or [])]
        self.fields["owning_agency"].error_messages["required"] = "Select the owning agency"
        self.fields["heading"].error_messages["required"] = "Select the plan heading"


class ActionUpdateForm(GovukForm):
    outcome = _radios(
        "What is the action's status now?",
        [
            ("in_progress", "In progress"),
            ("completed", "Completed"),
            ("closed_not_possible", "Not possible: circumstances changed"),
            ("closed_not_done", "Not done by the agency"),
            ("note", "No change: add an update only"),
        ],
        message="Select the action's status",
    )
    text = _area("Update", message="Enter an update", rows=3)
    completed_on = _date(
        "Date completed", required=False, help_text="If completed. Leave blank for today", what="date completed"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stack("outcome")


REOPEN, CORRECT_DATE = "reopen", "correct_date"


class ActionCorrectionForm(GovukForm):
    """Put a finished action right: reopen it, or (if completed) correct the day it was done."""

    change = _radios("What needs putting right?", [], message="Select reopen or correct the completion date")
    reason = _area(
        "Reason", message="Enter the reason", rows=2, help_text="Recorded in the action's log and the audit trail"
    )
    completed_on = _date(
        "Correct completion date", required=False, help_text="Only if correcting the date", what="completion date"
    )
    field_aliases = {"state": "change"}

    def __init__(self, *args: Any, completed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(REOPEN, "Reopen it: the work is not finished")]
        if completed:
            choices.append((CORRECT_DATE, "Correct the date it was completed"))
        self.choice_field("change").choices = choices
        self.stack("change")
        if not completed:
            del self.fields["completed_on"]


class DisclosureForm(GovukForm):
    recipient = _text(
        "Who is the information disclosed to?",
        message="Enter who the information is disclosed to",
        max_length=200,
        help_text="For example, the victim, an employer or a new partner",
    )
    what_is_disclosed = _area("What is disclosed", message="Enter what is disclosed", rows=3)
    why = _area(
        "Why disclosure is necessary, lawful and proportionate",
        message="Enter why disclosure is necessary, lawful and proportionate",
        rows=3,
    )
    recipient_undertaking = _area(
        "The recipient's undertaking",
        message="Enter the recipient's undertaking",
        help_text="What the recipient agrees to do, and not do, with the information",
        rows=2,
    )
    individual_told = _radios(
        "Was the individual told about the disclosure?",
        YES_NO,
        message="Say whether the individual was told about the disclosure",
    )
    why_individual_not_told = _area("If not, why not", required=False, rows=2)

    def told(self) -> bool:
        return self.cleaned_data["individual_told"] == "yes"


class RemoveCaseForm(GovukForm):
    reason = _area(
        "Why is the case coming off the agenda?",
        message="Enter the reason for taking the case off the agenda",
        help_text="Recorded in the audit trail. Invited agencies are sent an updated invitation.",
        rows=3,
    )


class ExtraInvitationForm(GovukForm):
    agency = forms.ChoiceField(label="Agency", choices=[])
    reason = _text(
        "Why this agency is invited",
        message="Enter why the agency is invited to this meeting",
        max_length=150,
        help_text="For example, the person's benefits affect the tenancy plan",
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("agency").choices = [("", "Select an agency"), *(agencies or [])]
        self.fields["agency"].error_messages["required"] = "Select the agency to invite"
        self.fields["agency"].error_messages["invalid_choice"] = "Select an agency that is not already invited"


OBSERVER_NO_AGENCY = "none"


class ExtraAttendeeForm(GovukForm):
    """An observer (a lay adviser, say) or someone from an agency that was not invited."""

    status = _radios(
        "How did they take part?",
        [(AttendanceStatus.OBSERVER, "Observer"), (AttendanceStatus.PRESENT, "Present for an agency")],
        message="Select observer or present for an agency",
    )
    agency = forms.ChoiceField(label="Agency", choices=[], required=False, help_text="Leave as none for an observer")
    name = _text("Name", required=False, max_length=200)
    role = _text("Role", required=False, max_length=200, help_text="For example, lay adviser (quality assurance)")
    seniority = forms.ChoiceField(label="Seniority", choices=[("", "Not recorded"), *Seniority.choices], required=False)
    confidentiality_acknowledged = forms.BooleanField(
        label="Acknowledged the confidentiality statement (MAPPA D)", required=False
    )

    def __init__(self, *args: Any, agencies: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("agency").choices = [(OBSERVER_NO_AGENCY, "None (observer)"), *(agencies or [])]
        self.stack("status")
