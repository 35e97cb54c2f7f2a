"""Every example a form's hint gives is one the form accepts: a practitioner who types the example
is never told it is wrong."""

from __future__ import annotations

import inspect
import re

import pytest
from django import forms as django_forms
from django.core.exceptions import FieldDoesNotExist, ValidationError

from referrals.models import Individual, Referral
from web import forms

EXAMPLE = re.compile(r"for example,?\s+(?P<example>.+?)\.?$", re.IGNORECASE)


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
    walked = {p.values[0] for p in EXAMPLES}
    assert walked >= {"visor_reference", "pnc_reference", "ndelius_reference", "referring_officer_phone"}


@pytest.mark.parametrize(("field_name", "field", "example"), EXAMPLES)
def test_every_hint_example_passes_its_fields_validation(field_name, field, example):
    field.clean(example)
    for model in (Individual, Referral):
        try:
            model_field = model._meta.get_field(field_name)
        except FieldDoesNotExist:  # the form's own validation is all there is for this model
            continue
        try:
            model_field.clean(example, None)
        except ValidationError as refused:
            pytest.fail(f"the hint's example {example!r} for {field_name} is refused: {refused.messages}")
