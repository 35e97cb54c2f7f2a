"""Forms speak plain English and keep to one date format; a person in custody cannot have a release date
already gone; and a search for someone who is not known carries into "add someone new"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType
from referrals.models import Referral
from tests import factories

from .test_referral_pages import PERSON

pytestmark = pytest.mark.django_db


def test_a_ten_thousand_character_name_gets_a_plain_english_message(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    page = client.post(reverse("web:referral_start"), {**PERSON, "given_names": "A" * 10_000}).content.decode()
    assert 'href="#id_given_names">Given names must be 100 characters or fewer' in page
    assert "Ensure this value" not in page
    assert not Referral.objects.exists()


def test_every_page_form_with_a_length_limit_says_it_in_plain_english():
    """The message comes from the one form base, so it holds for every form with a limit."""
    from web import forms as page_forms
    from web.forms_base import GovukForm

    checked = 0
    for form_class in vars(page_forms).values():
        if not (isinstance(form_class, type) and issubclass(form_class, GovukForm) and form_class is not GovukForm):
            continue
        try:
            form = form_class()
        except TypeError:  # forms that need run-time choices
            continue
        for name, field in form.fields.items():
            limit = getattr(field, "max_length", None)
            if limit:
                message = field.error_messages["max_length"]
                assert message.endswith(f"must be {limit:,} characters or fewer"), (form_class.__name__, name)
                checked += 1
    assert checked > 10


def _draft(client) -> Referral:
    client.post(reverse("web:referral_start"), PERSON)
    return Referral.objects.get()


def test_a_person_in_custody_cannot_have_an_expected_release_date_in_the_past(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    referral = _draft(client)
    gone = timezone.localdate() - dt.timedelta(days=1)
    answers = {
        "current_location": "custody",
        "proposed_release_address": "not yet known",
        "expected_release_date_day": str(gone.day),
        "expected_release_date_month": str(gone.month),
        "expected_release_date_year": str(gone.year),
    }
    url = reverse("web:referral_step", args=[referral.pk, "location"])
    page = client.post(url, answers).content.decode()
    assert 'href="#id_expected_release_date_day">The expected release date must be today or in the future' in page
    referral.refresh_from_db()
    assert referral.expected_release_date is None

    today = timezone.localdate()
    ok = {**answers, "expected_release_date_day": str(today.day), "expected_release_date_month": str(today.month)}
    ok["expected_release_date_year"] = str(today.year)
    assert client.post(url, ok).status_code == 302


def test_check_your_answers_shows_dates_as_every_other_page_does(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    referral = _draft(client)
    page = client.get(reverse("web:referral_check", args=[referral.pk])).content.decode()
    assert "4 July 1988" in page
    assert "1988-07-04" not in page


def test_add_someone_new_keeps_the_name_and_date_of_birth_just_searched_for(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    search = {
        "q": "Jordan Lee Unfoundperson",
        "date_of_birth_day": "4",
        "date_of_birth_month": "7",
        "date_of_birth_year": "1988",
    }
    found = client.get(reverse("web:referral_find"), search).content.decode()
    assert "No one you can see matches" in found
    link = next(part for part in found.split('"') if part.startswith(reverse("web:referral_start") + "?"))
    first_page = client.get(link.replace("&amp;", "&")).content.decode()
    assert 'name="family_name" type="text" value="Unfoundperson"' in first_page
    assert 'name="given_names" type="text" value="Jordan Lee"' in first_page
    assert 'name="date_of_birth_year" type="text" inputmode="numeric" value="1988"' in first_page


def test_a_reference_searched_for_is_not_put_in_the_name(signed_in):
    client = signed_in(factories.practitioner(AgencyType.PROBATION))
    found = client.get(reverse("web:referral_find"), {"q": "CSYN004512"}).content.decode()
    assert f'href="{reverse("web:referral_start")}">The person is not known' in found
