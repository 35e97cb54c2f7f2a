"""Page forms for the work between meetings: transfers between areas and victims' views."""

from __future__ import annotations

from typing import Any

from django import forms

from transfers.models import ActionOutcome

from .forms_base import GovukForm, _area, _date, _radios


class TransferRequestForm(GovukForm):
    receiving_area = forms.ChoiceField(label="Area the case moves to", choices=[])
    proposed_date = _date("Date you propose the receiving area takes over", what="proposed date")
    reason = _area("Where the person is moving, and why", message="Say where the person is moving and why", rows=4)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("receiving_area")
        field.choices = [("", "Select an area"), *areas]
        field.error_messages["required"] = "Select the area the case moves to"
        field.error_messages["invalid_choice"] = "Select the area the case moves to"


class TransferAcceptForm(GovukForm):
    transfer_date = _date("Date your area takes over the case", what="date your area takes over")
    lead_agency = forms.ChoiceField(label="Lead agency in your area", choices=[])

    def __init__(self, *args: Any, agencies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("lead_agency")
        field.choices = [("", "Select the lead agency"), *agencies]
        field.error_messages["required"] = "Select the lead agency in your area"
        field.error_messages["invalid_choice"] = "Select the lead agency in your area"


class TransferReasonForm(GovukForm):
    reason = _area("Reason", message="Enter the reason", rows=3)


class TransferCompleteForm(GovukForm):
    """One pair of questions per open action of the sending registration: moves or closes, and why."""

    def __init__(self, *args: Any, actions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions = actions
        for action in actions:
            self.fields[f"action-{action.pk}"] = _radios(
                f"{action.get_heading_display()}: {action.description} ({action.owning_agency})",
                ActionOutcome.choices,
                message=f"Say whether '{action.description[:60]}' moves or closes",
            )
            self.fields[f"action-{action.pk}-reason"] = _area(
                "Reason", message=f"Give the reason for '{action.description[:60]}'", rows=2
            )

    def pairs(self) -> list[tuple[Any, Any]]:
        return [(self[f"action-{a.pk}"], self[f"action-{a.pk}-reason"]) for a in self.actions]


class VictimViewForm(GovukForm):
    views = _area("Victims' views", message="Enter the victims' views", rows=6)
    concerns = _area("Concerns for the victims' safety", required=False, rows=4)
    meeting = forms.ChoiceField(
        label="Meeting the views are for", required=False, help_text="Leave as it is if the views are for the case."
    )

    def __init__(self, *args: Any, meetings: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.choice_field("meeting")
        field.choices = [("", "The case (no particular meeting)"), *meetings]
        field.error_messages["invalid_choice"] = "Select a meeting this case is on the agenda of"


class RegistrationDetailsForm(GovukForm):
    officer_name = forms.CharField(label="Named officer", required=False, max_length=200)
    team = forms.CharField(label="Team", required=False, max_length=120)
