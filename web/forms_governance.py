"""Forms of the SMB governance page: record a board meeting, appoint to the board, record the account that holds a
tenure, end a tenure.

The forms check what a browser can get wrong (a date that is not a date, a number that is not a number);
the rules (dates in range, no overlapping tenure, one chair) are the services', shown against these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms

from oversight.governance.models import BoardMeetingStatus, BoardRole
from oversight.services.governance import MAX_NAME, MAX_NOTE, MAX_PRESENT, MAX_REASON

from .forms_base import GovukDateField, GovukForm

EXAMPLE_DATE = "For example, 14 5 2026"
ACCOUNT_HELP = (
    "The account they sign in with: an SMB member account of this area for the chair or a member, a lay adviser"
    " account for a lay adviser. The chair's account is the one that records the SMB's decision on a serious case"
    " review."
)


def _account_choices(field: forms.ChoiceField, accounts: list[tuple[str, str]]) -> None:
    field.choices = [("", "No account"), *accounts]
    field.error_messages["invalid_choice"] = "Choose an active account of this area"


def _radios(label: str, choices: Any, message: str) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect)
    field.error_messages.update(required=message, invalid_choice=message)
    return field


class BoardMeetingForm(GovukForm):
    meeting_date = GovukDateField(label="Date of the meeting", help_text=EXAMPLE_DATE, label_text="date of the meeting")
    status = _radios(
        "Was the meeting held?", BoardMeetingStatus.choices, "Choose whether the meeting was held or cancelled"
    )
    members_present = forms.IntegerField(
        label="How many board members attended",
        required=False,
        min_value=1,
        max_value=MAX_PRESENT,
        help_text="Held meetings only. Leave blank for a cancelled meeting.",
        error_messages={
            "invalid": "Enter how many board members attended as a number, like 9",
            "min_value": f"The number who attended must be from 1 to {MAX_PRESENT}",
            "max_value": f"The number who attended must be from 1 to {MAX_PRESENT}",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why it was cancelled, say. Do not name anyone managed under MAPPA.",
    )


class AppointForm(GovukForm):
    name = forms.CharField(
        label="Name", max_length=MAX_NAME, error_messages={"required": "Enter the name of the board member"}
    )
    role = _radios("Role on the board", BoardRole.choices, "Choose chair, member or lay adviser")
    agency = forms.ChoiceField(
        label="Agency they represent", required=False, choices=[], help_text="Not needed for a lay adviser."
    )
    starts_on = GovukDateField(label="Start of the tenure", help_text=EXAMPLE_DATE, label_text="start of the tenure")
    ends_on = GovukDateField(
        label="End of the tenure",
        required=False,
        help_text="The last day. Required for a lay adviser (a fixed term); may be left blank for a member.",
        label_text="end of the tenure",
    )
    user = forms.ChoiceField(label="Their account (optional)", required=False, choices=[], help_text=ACCOUNT_HELP)

    def __init__(
        self, *args: Any, agencies: list[tuple[str, str]], accounts: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("agency")
        field.choices = [("", "None"), *agencies]
        field.error_messages["invalid_choice"] = "Choose an agency of this area"
        _account_choices(self.choice_field("user"), accounts)
        self.stack("role")


class AccountForm(GovukForm):
    """Record the account that holds a tenure already recorded (the chair's, so that they can decide on reviews)."""

    tenure = forms.ChoiceField(label="Whose tenure", choices=[])
    user = forms.ChoiceField(label="Their account", required=False, choices=[], help_text=ACCOUNT_HELP)

    def __init__(
        self, *args: Any, tenures: list[tuple[str, str]], accounts: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("tenure")
        field.choices = [("", "Choose a tenure"), *tenures]
        field.error_messages.update(required="Choose whose tenure it is", invalid_choice="Choose whose tenure it is")
        _account_choices(self.choice_field("user"), accounts)


class EndTenureForm(GovukForm):
    tenure = forms.ChoiceField(label="Whose tenure", choices=[])
    ends_on = GovukDateField(
        label="Last day of the tenure", help_text=EXAMPLE_DATE, label_text="last day of the tenure"
    )
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=MAX_REASON)

    def __init__(self, *args: Any, tenures: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("tenure")
        field.choices = [("", "Choose a tenure"), *tenures]
        field.error_messages.update(required="Choose whose tenure to end", invalid_choice="Choose whose tenure to end")
