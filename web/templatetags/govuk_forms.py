"""``{% govuk_field form.name %}``: one GOV.UK form group for any field, with its label, hint and errors."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.template.loader import render_to_string

from web.forms_base import GovukDateWidget, GovukForm

register = template.Library()


def _choices(field: forms.BoundField) -> Any:
    """The choices of a radios, checkboxes or select field (always a ChoiceField here)."""
    assert isinstance(field.field, forms.ChoiceField), f"{field.name} has options but is not a choice field"
    return field.field.choices


def _kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, GovukDateWidget):
        return "date"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.PasswordInput):
        return "password"
    return "input"


@register.simple_tag
def govuk_field(
    field: forms.BoundField,
    label_size: str = "s",
    is_page_heading: bool = False,
    width: str = "",
    in_row: str = "",
) -> str:
    """Render ``field`` as a GOV.UK form group. ``label_size`` is s, m, l or xl; ``width`` a govuk-input--width class.

    ``in_row`` is for a field in a table row (one row per agency, say): the label is read out as
    "<in_row>: <label>" but not shown, since the column heading and the row heading show it, and the group
    takes no margin of its own."""
    kind = _kind(field)
    value = field.value()
    if kind in ("radios", "checkboxes", "select"):
        selected = (
            {str(v) for v in value} if isinstance(value, list | tuple) else {str(value) if value is not None else ""}
        )
        options = [
            {"value": str(v), "label": label, "checked": str(v) in selected, "id": f"{field.auto_id}_{i}"}
            for i, (v, label) in enumerate(_choices(field))
        ]
    else:
        options = []
    if kind == "date":
        parts = value if isinstance(value, list | tuple) else field.field.widget.decompress(value)
        date_parts = [
            {
                "name": f"{field.html_name}_{suffix}",
                "id": f"{field.auto_id}_{suffix}",
                "label": label,
                "value": part or "",
                "width": width_,
            }
            for suffix, label, part, width_ in zip(
                ("day", "month", "year"), ("Day", "Month", "Year"), parts, (2, 2, 4), strict=True
            )
        ]
    else:
        date_parts = []
    return render_to_string(
        "web/includes/field.html",
        {
            "field": field,
            "kind": kind,
            "options": options,
            "date_parts": date_parts,
            "label_size": label_size,
            "is_page_heading": is_page_heading,
            "width": width,
            "in_row": in_row,
            "described_by": " ".join(
                part
                for part in (
                    f"{field.auto_id}-hint" if field.help_text else "",
                    f"{field.auto_id}-error" if field.errors else "",
                )
                if part
            ),
        },
    )


@register.simple_tag
def error_summary(*forms_: GovukForm | None) -> str:
    items = []
    for form in forms_:
        if form is not None and form.is_bound and form.errors:
            items.extend(form.summary_errors())
    return render_to_string("web/includes/error_summary.html", {"error_items": items})
