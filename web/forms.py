"""Page forms. Each only cleans what the user typed; the services decide and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from need_to_know.permissions import is_counter_terrorism_cleared
from referrals import identifiers
from referrals.models import Category, Gender, LifeEventType, Location, RiskOfSeriousHarm
from referrals.services import ScreeningDecision

from .forms_base import GovukForm, _area, _date, _radios, _text


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
        release = data.get("expected_release_date")
        if data.get("current_location") == Location.CUSTODY and release and release < timezone.localdate():
            self.add_error(
                "expected_release_date",
                "The expected release date must be today or in the future: the person is in custody",
            )
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
        [*ScreeningDecision.choices, (MORE_INFORMATION, "Ask the referrer for more information")],
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
