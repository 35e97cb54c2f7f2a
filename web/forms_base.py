"""The one form renderer: GOV.UK error summaries and field errors on every form.

Every page form inherits :class:`GovukForm`. Templates render it with
``{% include "web/includes/error_summary.html" %}`` and ``{% govuk_field form.name %}``.
When a service refuses a request, :func:`apply_workflow_error` puts the service's messages
against the fields the user typed, so a rule broken deep in a service still shows beside
the right question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mappa_workflow.exceptions import NON_FIELD, WorkflowError


class GovukDateWidget(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes."""

    def __init__(self, attrs: dict | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "month": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-2"}
            ),
            "year": forms.TextInput(
                attrs={"inputmode": "numeric", "class": "govuk-input govuk-date-input__input govuk-input--width-4"}
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_day" if id_ else id_


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with messages in the Design System's wording."""

    widget = GovukDateWidget

    def __init__(self, *, label_text: str = "date", **kwargs: Any) -> None:
        self.label_text = label_text
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)
        self.error_messages["required"] = f"Enter the {label_text}"
        self.error_messages["incomplete"] = f"The {label_text} must include a day, month and year"

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(part for part in data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        if not (day and month and year):
            raise ValidationError(f"The {self.label_text} must include a day, month and year", code="incomplete")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError as exc:
            raise ValidationError(f"The {self.label_text} must be a real date", code="invalid") from exc


class GovukForm(forms.Form):
    """Base for every page form. ``field_aliases`` maps a service's field name to this form's."""

    field_aliases: Mapping[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            label = str(field.label or name.replace("_", " ").capitalize())
            # Django's own "Ensure this value has at most 100 characters (it has 10000)." is not plain English.
            if getattr(field, "max_length", None):
                field.error_messages["max_length"] = f"{label} must be {field.max_length:,} characters or fewer"  # type: ignore[attr-defined]
            if getattr(field, "min_length", None):
                field.error_messages["min_length"] = f"{label} must be {field.min_length:,} characters or more"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data; django-stubs types it as possibly None.
        super().clean()
        return self.cleaned_data

    def choice_field(self, name: str) -> forms.ChoiceField:
        """The field ``name``, whose choices a form or view sets at run time."""
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField), f"{name} is not a choice field"
        return field

    def stack(self, name: str) -> None:
        """Show ``name``'s radios one above another even when there are only two (read by field.html)."""
        self.fields[name].stacked = True  # type: ignore[attr-defined]  # our own template hint on Django's Field

    def summary_errors(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in the order the questions appear."""
        items: list[tuple[str, str]] = []
        for message in self.non_field_errors():
            items.append(("", str(message)))  # each a message (ErrorList yields strings)
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                bound = self[name]
                anchor = bound.field.widget.id_for_label(bound.auto_id) if bound.auto_id else name
                if isinstance(field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                    anchor = f"{bound.auto_id}_0"
                items.append((anchor, str(message)))
        return items


def apply_workflow_error(form: forms.Form, error: WorkflowError, *, aliases: Mapping[str, str] | None = None) -> None:
    """Show a service's :class:`WorkflowError` on ``form``: each message against its field.

    Messages for fields the form does not have go to the top of the error summary.
    """
    aliases = {**getattr(form, "field_aliases", {}), **(aliases or {})}
    if form.is_bound and not hasattr(form, "cleaned_data"):
        form.full_clean()
    for field, messages in error.errors.items():
        name = aliases.get(field, field)
        target = name if name in form.fields else None
        for message in messages:
            if target is None and field != NON_FIELD and name not in form.fields:
                form.add_error(None, message)
            else:
                form.add_error(target, message)


# Field builders shared by the page forms: each sets the GOV.UK error message a user reads.

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
