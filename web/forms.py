"""Page forms. Each only cleans what the user typed; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms

from mappa_workflow.models import Seniority
from meetings.models import AttendanceStatus, CaseDecision, MeetingType, PlanHeading
from need_to_know.permissions import is_counter_terrorism_cleared
from referrals import identifiers
from referrals.models import Category, ExitReason, Gender, LifeEventType, Location, RiskOfSeriousHarm
from referrals.services import ScreeningDecision

from .forms_base import GovukDateField, GovukForm

YES_NO = [("yes", "Yes"), ("no", "No")]


def _text(
    label: str, *, required: bool = True, help_text: str = "", message: str = "", max_length: int | None = None
) -> forms.CharField:
    field = forms.CharField(label=label, required=required, help_text=help_text, max_length=max_length)
    if message:
        field.error_messages["required"] = message
    return field


def _area(
    label: str, *, required: bool = True, help_text: str = "", message: str = "", rows: int = 5
) -> forms.CharField:
    field = forms.CharField(
        label=label, required=required, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )
    if message:
        field.error_messages["required"] = message
    return field


def _radios(
    label: str, choices: list, *, required: bool = True, help_text: str = "", message: str = ""
) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label, choices=choices, required=required, help_text=help_text, widget=forms.RadioSelect
    )
    if message:
        field.error_messages["required"] = message
    field.error_messages["invalid_choice"] = message or "Select one of the options"
    return field


def _date(
    label: str, *, required: bool = True, help_text: str = "For example, 27 3 2024", what: str = "date"
) -> GovukDateField:
    return GovukDateField(label=label, required=required, help_text=help_text, label_text=what)


class SearchForm(GovukForm):
    q = _text("Search by name or reference", required=False, max_length=100)


# ---------------------------------------------------------------------------------------------
# The referral (MAPPA A) as question pages
# ---------------------------------------------------------------------------------------------


class PersonForm(GovukForm):
    given_names = _text("Given names", message="Enter the person's given names", max_length=100)
    family_name = _text("Family name", message="Enter the person's family name", max_length=100)
    date_of_birth = _date("Date of birth", help_text="For example, 27 3 1985", what="date of birth")
    gender = _radios("Gender", Gender.choices, message="Select the person's gender")
    ethnicity_as_stated = _text(
        "Ethnicity, as the person states it", required=False, help_text="In the person's own words", max_length=100
    )
    aliases = _area("Other names the person uses", required=False, help_text="One name a line", rows=3)
    address = _area("Address", required=False, help_text="Leave blank if the person has no fixed abode", rows=4)
    no_fixed_abode = forms.BooleanField(label="The person has no fixed abode", required=False)
    area_of_closest_links = _text(
        "Area of closest links", required=False, help_text="Only if the person has no fixed abode", max_length=200
    )
    visor_reference = _text(
        "ViSOR reference",
        required=False,
        help_text=f"Synthetic format, for example {identifiers.VISOR_EXAMPLE}",
        max_length=20,
    )
    pnc_reference = _text(
        "PNC reference",
        required=False,
        help_text=f"Synthetic format, for example {identifiers.PNC_EXAMPLE}",
        max_length=20,
    )
    ndelius_reference = _text(
        "nDelius reference",
        required=False,
        help_text=f"Synthetic format, for example {identifiers.NDELIUS_EXAMPLE}",
        max_length=20,
    )
    children_linked = forms.BooleanField(label="Children live with or are linked to the person", required=False)

    def cleaned_individual(self) -> tuple[dict[str, Any], list[str]]:
        data = dict(self.cleaned_data)
        aliases = [line.strip() for line in data.pop("aliases", "").splitlines() if line.strip()]
        return data, aliases


class FindPersonForm(GovukForm):
    """Find someone already known before referring them (most referrals are of people at Level 1)."""

    q = _text(
        "Name or reference",
        required=False,
        max_length=100,
        help_text="Given or family name, another name they use, or a ViSOR, PNC or nDelius reference",
    )
    date_of_birth = _date("Date of birth", required=False, help_text="For example, 27 3 1985", what="date of birth")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not (data.get("q") or "").strip() and not data.get("date_of_birth"):
            self.add_error("q", "Enter a name, a reference or a date of birth to search for")
        return data


NEW_PERSON = "new"


class ChoosePersonForm(GovukForm):
    person = _radios("Who are you referring?", [], message="Select the person, or add someone new")

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("person").choices = [*(people or []), (NEW_PERSON, "None of these: add someone new")]
        self.stack("person")


CATEGORY_4_REFUSED = "Only users with counter-terrorism clearance can refer a Category 4 (terrorism) case"


class LevelForm(GovukForm):
    level_requested = _radios(
        "Which level are you referring the person for?",
        [("2", "Level 2"), ("3", "Level 3")],
        message="Select the level you are referring for",
    )
    category = _radios(
        "Which MAPPA category is the person in?",
        [(str(v), label) for v, label in Category.choices if v != Category.TERRORISM],
        message="Select the MAPPA category",
        help_text="Select one. Category 4 (terrorism) referrals go through counter-terrorism MAPPA.",
    )
    why_level_2_cannot_manage = _area(
        "For a Level 3 referral: what can Level 2 management not deliver?", required=False
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Category 4 is offered only to users cleared to see it; for everyone else it is not a choice.
        self.category_4_allowed = is_counter_terrorism_cleared(user) if user is not None else False
        if self.category_4_allowed:
            self.choice_field("category").choices = [(str(v), label) for v, label in Category.choices]
            self.fields["category"].help_text = "Select one."

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.category_4_allowed and str(self.data.get(self.add_prefix("category"), "")) == str(
            Category.TERRORISM
        ):
            self.errors.pop("category", None)
            self.add_error("category", CATEGORY_4_REFUSED)
        if data.get("level_requested") == "3" and not (data.get("why_level_2_cannot_manage") or "").strip():
            self.add_error(
                "why_level_2_cannot_manage", "Say what Level 2 management cannot deliver for a Level 3 referral"
            )
        return data

    def answers(self) -> dict[str, Any]:
        return {
            "level_requested": int(self.cleaned_data["level_requested"]),
            "category": int(self.cleaned_data["category"]),
            "why_level_2_cannot_manage": self.cleaned_data["why_level_2_cannot_manage"],
        }


class LocationForm(GovukForm):
    current_location = _radios("Where is the person now?", Location.choices, message="Select where the person is now")
    proposed_release_address = _area(
        "Proposed release address",
        required=False,
        help_text="If the person is in custody. Write 'not yet known' if so.",
        rows=3,
    )
    expected_release_date = _date("Expected release date", required=False, what="expected release date")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (
            data.get("current_location") == Location.CUSTODY
            and not (data.get("proposed_release_address") or "").strip()
        ):
            self.add_error("proposed_release_address", "Enter the proposed release address, or 'not yet known'")
        return data


class OffendingForm(GovukForm):
    index_offence = _area("Index offence", message="Enter the index offence", rows=2)
    index_offence_date = _date("Date of the index offence", what="date of the index offence")
    sentence = _text("Sentence", message="Enter the sentence", max_length=200)
    sentence_date = _date("Date of sentence", what="date of sentence")
    sentence_expiry_date = _date("Sentence expiry date", required=False, what="sentence expiry date")
    previous_relevant_offending = _area("Previous relevant offending", required=False, rows=3)
    hospital_detention = _area("Detention under the Mental Health Act", required=False, rows=2)


class RiskForm(GovukForm):
    reason_for_referral = _area("Reason for referral", message="Enter the reason for referral")
    risk_of_serious_harm = _radios(
        "Current risk of serious harm", RiskOfSeriousHarm.choices, message="Select the current risk of serious harm"
    )


class ReferrerForm(GovukForm):
    referring_officer_name = _text(
        "Referring officer's name", message="Enter the referring officer's name", max_length=200
    )
    referring_officer_phone = _text(
        "Telephone", required=False, max_length=40, help_text=f"For example {identifiers.TELEPHONE_EXAMPLE}"
    )
    referring_officer_email = forms.EmailField(label="Email address", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["referring_officer_email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.invalid"
        )


# ---------------------------------------------------------------------------------------------
# Screening
# ---------------------------------------------------------------------------------------------

MORE_INFORMATION = "more_information"


class ScreeningForm(GovukForm):
    decision = _radios(
        "Decision",
        [*ScreeningDecision.CHOICES, (MORE_INFORMATION, "Ask the referrer for more information")],
        message="Select a decision",
    )
    rationale = _area(
        "Rationale, or the information you need",
        message="Enter the rationale for the decision",
        help_text="Always recorded. If you ask for more information, say what you need: the referrer sees it.",
    )
    why_level_2_cannot_manage = _area("For Level 3: what can Level 2 management not deliver?", required=False, rows=3)
    decided_on = _date(
        "Date of the decision", required=False, help_text="Leave blank for today", what="date of the decision"
    )
    field_aliases = {"request": "rationale", "state": "decision"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stack("decision")


# ---------------------------------------------------------------------------------------------
# Cases: level changes and life events
# ---------------------------------------------------------------------------------------------


class LevelChangeForm(GovukForm):
    level = _radios("New level", [("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")], message="Select the new level")
    effective_date = _date("Date the change takes effect", what="date the change takes effect")
    reason = _area("Reason for the change", message="Enter the reason for the level change", rows=3)


class LifeEventForm(GovukForm):
    event_type = forms.ChoiceField(label="What happened", choices=[("", "Select an event"), *LifeEventType.choices])
    occurred_on = _date("Date it happened", what="date of the event")
    details = _area("Details", required=False, rows=3)
    foreign_travel_restriction = forms.BooleanField(
        label="The SHPO includes a foreign travel restriction", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_type"].error_messages["required"] = "Select the type of event"


# ---------------------------------------------------------------------------------------------
# Meetings
# ---------------------------------------------------------------------------------------------


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
        self.fields["start_time"].error_messages.update(
            required="Enter the start time", invalid="Enter the start time as hours and minutes, like 10:00"
        )
        self.fields["duration_minutes"].error_messages.update(
            required="Enter the length of the meeting in minutes",
            invalid="Enter the length as a whole number of minutes",
            min_value="The meeting must be at least 15 minutes long",
            max_value="The meeting must be no longer than 8 hours",
        )
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


class ExportRequestForm(GovukForm):
    """Ask for a statistics file to be built in the background (the year's choices come from the page)."""

    export_format = forms.ChoiceField(
        label="Format",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a format for the download", "invalid_choice": "Select a format"},
    )
    year = forms.TypedChoiceField(
        label="Reporting year",
        coerce=int,
        error_messages={"required": "Select a reporting year", "invalid_choice": "Select a reporting year"},
    )

    def __init__(self, *args: Any, formats: list[tuple[str, str]], years: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.choice_field("export_format").choices = formats
        self.choice_field("year").choices = [(str(value), label) for value, label in years]
