"""Every example a form's hint gives is one the form accepts: a practitioner who types the example
is never told it is wrong."""

from __future__ import annotations

import inspect
import re

import pytest
from django import forms as django_forms
from django.core.exceptions import FieldDoesNotExist, ValidationError

from referrals.models import Individual
from web import forms

EXAMPLE = re.compile(r"for example,?\s+(?P<example>\S+)$", re.IGNORECASE)


def _examples():
    for form_name, form_class in inspect.getmembers(forms, inspect.isclass):
        if not issubclass(form_class, django_forms.BaseForm) or form_class.__module__ != forms.__name__:
            continue
        for field_name, field in form_class.base_fields.items():
            found = EXAMPLE.search(str(field.help_text or ""))
            if found and isinstance(field, django_forms.CharField):
                yield pytest.param(field_name, field, found["example"], id=f"{form_name}.{field_name}")


EXAMPLES = list(_examples())


def test_the_reference_hints_are_walked():
    assert {p.values[0] for p in EXAMPLES} >= {"visor_reference", "pnc_reference", "ndelius_reference"}


@pytest.mark.parametrize(("field_name", "field", "example"), EXAMPLES)
def test_every_hint_example_passes_its_fields_validation(field_name, field, example):
    field.clean(example)
    try:
        model_field = Individual._meta.get_field(field_name)
    except FieldDoesNotExist:  # a form field with no model field behind it: the form's own validation is all
        return
    try:
        model_field.clean(example, None)
    except ValidationError as refused:
        pytest.fail(f"the hint's example {example!r} for {field_name} is refused: {refused.messages}")
