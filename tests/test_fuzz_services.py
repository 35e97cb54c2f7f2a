"""Fuzzing the ways in: whatever a form or a service call is given, the answer is a clear refusal
(a form error, WorkflowError or NotPermitted), never a crash (a 500), and a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms as django_forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from referrals import services
from referrals.models import Individual, Referral
from tests import factories

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# PostgreSQL cannot store NUL in text; forms and the API refuse it before a service sees it (tested below).
text = st.text(alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=300)
small_int = st.integers(min_value=-3, max_value=9)
any_date = st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 12, 31))
maybe = lambda strategy: st.one_of(st.none(), strategy)  # noqa: E731

referral_answers = st.fixed_dictionaries(
    {},
    optional={
        "level_requested": maybe(small_int),
        "category": maybe(small_int),
        "why_level_2_cannot_manage": text,
        "reason_for_referral": text,
        "risk_of_serious_harm": st.sampled_from(["low", "medium", "high", "very_high", "", "extreme"]),
        "current_location": st.sampled_from(["community", "custody", "hospital", "", "moon"]),
        "index_offence": text,
        "index_offence_date": maybe(any_date),
        "sentence": text,
        "sentence_date": maybe(any_date),
        "sentence_expiry_date": maybe(any_date),
        "referring_officer_email": text,
    },
)


def snapshot():
    return (
        AuditEvent.objects.count(),
        Referral.objects.count(),
        Individual.objects.count(),
        list(Referral.objects.order_by("pk").values()),
    )


@pytest.fixture
def referrer():
    return factories.practitioner(AgencyType.PROBATION)


@FUZZ
@given(answers=referral_answers)
def test_changing_a_draft_referral_with_any_answers_is_saved_or_refused_cleanly(referrer, answers):
    draft = factories.draft_referral(referrer=referrer)
    before = snapshot()
    try:
        services.referral_update(actor=referrer, referral=draft, **answers)
    except (WorkflowError, NotPermitted) as refusal:
        assert str(refusal)
        assert snapshot() == before, "a refused change wrote something"


@FUZZ
@given(answers=referral_answers)
def test_starting_a_referral_with_any_answers_is_saved_or_refused_cleanly(referrer, answers):
    person = factories.IndividualFactory(area=referrer.area)
    before = snapshot()
    try:
        services.referral_create(actor=referrer, individual=person, **answers)
    except (WorkflowError, NotPermitted):
        assert snapshot() == before


@FUZZ
@given(
    decision=st.sampled_from(["level_2", "level_3", "level_1", "", "level_4", "accept"]),
    rationale=text,
    decided_on=maybe(any_date),
    why=maybe(text),
)
def test_any_screening_decision_is_recorded_or_refused_cleanly(decision, rationale, decided_on, why):
    referral = factories.submitted_referral()
    coordinator = factories.coordinator()
    before = snapshot()
    try:
        services.referral_decide(
            actor=coordinator,
            referral=referral,
            decision=decision,
            rationale=rationale,
            decided_on=decided_on,
            why_level_2_cannot_manage=why,
        )
    except WorkflowError:
        assert snapshot() == before


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "given_names": text,
            "family_name": text,
            "date_of_birth": any_date,
            "gender": st.sampled_from(["male", "x", ""]),
        },
        optional={
            "no_fixed_abode": st.booleans(),
            "area_of_closest_links": text,
            "pnc_reference": text,
            "visor_reference": text,
        },
    )
)
def test_recording_a_person_with_any_details_is_saved_or_refused_cleanly(referrer, fields):
    before = snapshot()
    try:
        services.individual_create(actor=referrer, area=referrer.area, **fields)
    except (WorkflowError, NotPermitted):
        assert snapshot() == before


# Forms whose choices come from the page that shows them: the arguments those pages pass.
FORM_ARGUMENTS = {
    "ExportRequestForm": {
        "formats": [("csv", "CSV"), ("xlsx", "Excel"), ("pdf", "PDF")],
        "years": [(2024, "2024/25"), (2025, "2025/26")],
    },
}


def _form_classes():
    from web import forms

    return [
        getattr(forms, name)
        for name in dir(forms)
        if isinstance(getattr(forms, name), type)
        and issubclass(getattr(forms, name), django_forms.Form)
        and getattr(forms, name).__module__ == forms.__name__
    ]


@pytest.mark.parametrize("form_class", _form_classes(), ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_page_form_validates_any_input_without_crashing(form_class, data):
    """Random strings (NUL and lone surrogates included) in every field, as a browser could post them."""
    names = []
    for name, field in form_class.base_fields.items():
        widget = field.widget
        if isinstance(widget, django_forms.MultiWidget):
            names += [f"{name}_{suffix}" for suffix in getattr(widget, "widgets_names", ["_0", "_1", "_2"])]
            names += [f"{name}_day", f"{name}_month", f"{name}_year"]
        names.append(name)
    posted = {name: data.draw(st.text(max_size=40), label=name) for name in names}
    form = form_class(data=posted, **FORM_ARGUMENTS.get(form_class.__name__, {}))
    if form.is_valid():
        assert all("\x00" not in str(v) for v in form.cleaned_data.values() if isinstance(v, str))
    else:
        assert form.errors
