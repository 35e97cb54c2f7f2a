"""Page forms for serious further offences and serious case reviews. They clean what was typed; the services
in ``oversight.services.reviews`` decide and save."""

from __future__ import annotations

from typing import Any

from django import forms

from case_reviews.models import ReviewCriterion

from .forms_base import GovukForm, _area, _date, _radios

COMMISSION, NOT_TO_REVIEW = "commission", "not_to_review"


class SeriousFurtherOffenceForm(GovukForm):
    offence = _area(
        "The offence charged",
        message="Describe the offence charged",
        rows=3,
        help_text="As charged, for example 'Attempted murder'",
    )
    offence_date = _date("Date of the offence", what="date of the offence")
    charged_on = _date("Date charged", what="date charged")


class ReviewDecisionForm(GovukForm):
    outcome = _radios(
        "What did the SMB decide?",
        [(COMMISSION, "Commission a serious case review"), (NOT_TO_REVIEW, "Not to review")],
        message="Select what the SMB decided",
    )
    criteria_met = forms.MultipleChoiceField(
        label="Which of the criteria does the case meet?",
        choices=ReviewCriterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
    )
    reasons = _area(
        "Reasons, against the criteria",
        required=False,
        rows=4,
        help_text="Required when deciding not to review. Do not name the person: the SMB and lay advisers read it",
    )
    remit = _area("The review's remit", required=False, rows=3, help_text="If commissioning: what the review examines")
    lay_adviser = forms.ChoiceField(label="Lay adviser involved", choices=[], required=False)
    decided_on = _date("Date of the decision", required=False, help_text="Leave blank for today", what="date")

    def __init__(self, *args: Any, lay_advisers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("lay_adviser").choices = [("", "Select a lay adviser"), *lay_advisers]
        self.fields["lay_adviser"].error_messages["invalid_choice"] = "Select a lay adviser of the area"
        self.fields["criteria_met"].error_messages["invalid_choice"] = "Choose the criteria from the list"
        self.stack("outcome")


class ReviewReportForm(GovukForm):
    background = _area("Background", message="Write the background", rows=6)
    chronology = _area("Chronology", message="Write the chronology", rows=8)
    findings = _area("Findings", message="Write the findings", rows=6)
    learning_points = _area("Learning points", message="Write the learning points", rows=5)


class ReviewActionForm(GovukForm):
    description = _area("Action", message="Describe the action", rows=2, help_text="How it will be taken forward")
    owning_agency = forms.ChoiceField(label="Owning agency", choices=[])
    due_date = _date("Due date", what="due date")

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("owning_agency")
        field.choices = [("", "Select an agency"), *agencies]
        field.error_messages["required"] = "Select the owning agency"
        field.error_messages["invalid_choice"] = "Select the owning agency"
