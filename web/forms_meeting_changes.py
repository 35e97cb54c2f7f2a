"""Forms for changing a scheduled meeting and for the practitioners' side of a meeting (attendance, reports)."""

from __future__ import annotations

from typing import Any

from django import forms

from meetings.models_reports import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, AttendanceIntention

from .forms_base import GovukDateField, GovukForm
from .forms_meetings import time_and_length_messages


def _reason(label: str, *, message: str, help_text: str) -> forms.CharField:
    field = forms.CharField(label=label, help_text=help_text, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    field.error_messages.update(required=message, max_length="Keep the reason to 2,000 characters or fewer")
    return field


def _confirm(label: str) -> forms.BooleanField:
    return forms.BooleanField(label=label, required=False)


class RescheduleForm(GovukForm):
    meeting_date = GovukDateField(
        label="New date of the meeting", help_text="For example, 14 5 2026", label_text="new date of the meeting"
    )
    start_time = forms.TimeField(label="Start time", help_text="For example, 10:00", input_formats=["%H:%M", "%H.%M"])
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=15, max_value=480)
    reason = _reason(
        "Why is the meeting moving?",
        message="Enter the reason for rescheduling",
        help_text="Sent to the invited agencies with the new time: do not name anyone on the agenda.",
    )
    confirm_out_of_hours = _confirm("Hold the meeting at this time anyway")
    field_aliases = {"starts_at": "meeting_date"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        time_and_length_messages(self.fields)


class CancelForm(GovukForm):
    reason = _reason(
        "Why is the meeting cancelled?",
        message="Enter the reason for cancelling the meeting",
        help_text="Sent to the invited agencies with the cancellation: do not name anyone on the agenda. "
        "The cases on the agenda become free to book on another meeting.",
    )


class ArrangementsForm(GovukForm):
    chair = forms.ChoiceField(label="Chair", choices=[])
    venue = forms.CharField(label="Venue", required=False, max_length=200, help_text="Or give a video link below")
    video_link = forms.URLField(label="Video link", required=False, assume_scheme="https", max_length=200)

    def __init__(self, *args: Any, chairs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choice_field("chair").choices = [("", "Select the chair"), *chairs]
        self.fields["chair"].error_messages.update(
            required="Select the chair", invalid_choice="Select the chair from the list"
        )
        self.fields["venue"].error_messages["max_length"] = "Keep the venue to 200 characters or fewer"
        self.fields["video_link"].error_messages.update(
            invalid="Enter the video link as a full web address, like https://video.example/meeting",
            max_length="Keep the video link to 200 characters or fewer",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("venue") and not data.get("video_link") and "video_link" not in self.errors:
            self.add_error("venue", "Enter a venue or a video link")
        return data


class AttendanceIntentionForm(GovukForm):
    intention = forms.ChoiceField(
        label="Will your agency attend?", choices=AttendanceIntention.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label="Who will attend, or who is sending apologies",
        max_length=200,
        help_text="Their name and role, for the chair's attendance list",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intention"].error_messages.update(
            required="Select whether your agency will attend", invalid_choice="Select one of the options"
        )
        self.fields["name"].error_messages.update(
            required="Enter the name of who will attend or is sending apologies",
            max_length="Keep the name to 200 characters or fewer",
        )
        self.stack("intention")


class AgencyReportForm(GovukForm):
    current_risk = forms.CharField(
        label="Current risk",
        help_text="Your agency's view of the risk of serious harm now, and to whom",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    changes = forms.CharField(
        label="Changes since the last meeting",
        help_text="Circumstances, behaviour, compliance, relationships, accommodation",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    contribution = forms.CharField(
        label="Your agency's contribution",
        help_text="What your agency is doing and can offer to the risk management plan",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
    )
    attachment = forms.FileField(
        label="Attach a document (optional)",
        required=False,
        help_text=f"A PDF, Word (DOCX) or OpenDocument (ODT) file up to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ext for ext, _ in ATTACHMENT_TYPES.values())}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, what in (
            ("current_risk", "the current risk"),
            ("changes", "the changes since the last meeting"),
            ("contribution", "your agency's contribution"),
        ):
            self.fields[name].error_messages.update(
                required=f"Enter {what}", max_length="Keep each answer to 10,000 characters or fewer"
            )
