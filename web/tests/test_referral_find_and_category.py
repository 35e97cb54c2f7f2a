"""Referring someone already known, and Category 4 only for counter-terrorism cleared users."""

import datetime as dt

import pytest
from django.urls import reverse

from mappa_workflow.models import AgencyType
from referrals.models import Individual, Referral
from tests import factories

pytestmark = pytest.mark.django_db


def _known_at_level_1(**person):
    """Someone the probation service already referred, now managed at Level 1."""
    referrer = factories.practitioner(AgencyType.PROBATION)
    individual = factories.IndividualFactory(**person)
    factories.accepted_referral(level=1, referrer=referrer, individual=individual)
    return referrer, individual


def test_a_practitioner_finds_someone_known_by_name_and_refers_them_without_retyping(signed_in):
    referrer, known = _known_at_level_1(given_names="Morgan", family_name="Knownperson")
    client = signed_in(referrer)
    start = client.get(reverse("web:referral_find")).content.decode()
    assert "Find the person" in start and reverse("web:referral_start") in start
    found = client.get(reverse("web:referral_find"), {"q": "knownperson morgan"}).content.decode()
    assert str(known) in found and "MAPPA Level 1" in found
    response = client.post(reverse("web:referral_find"), {"q": "knownperson morgan", "person": str(known.pk)})
    referral = Referral.objects.get(state="draft")
    assert referral.individual == known and referral.state == "draft"
    assert response.url == reverse("web:referral_step", args=[referral.pk, "person"])
    assert Individual.objects.count() == 1  # no duplicate person
    person_page = client.get(response.url).content.decode()
    assert 'value="Knownperson"' in person_page  # their details are prefilled to check


def test_search_by_reference_or_date_of_birth(signed_in):
    referrer, known = _known_at_level_1(ndelius_reference="SYN0004321", date_of_birth=dt.date(1979, 6, 5))
    client = signed_in(referrer)
    assert str(known) in client.get(reverse("web:referral_find"), {"q": "syn0004321"}).content.decode()
    by_birth = client.get(
        reverse("web:referral_find"),
        {"q": "", "date_of_birth_day": "5", "date_of_birth_month": "6", "date_of_birth_year": "1979"},
    ).content.decode()
    assert str(known) in by_birth


def test_an_empty_search_and_no_choice_show_the_error_summary(signed_in):
    referrer, _known = _known_at_level_1(family_name="Knownperson")
    client = signed_in(referrer)
    empty = client.get(reverse("web:referral_find"), {"q": ""}).content.decode()
    assert "There is a problem" in empty and 'href="#id_q">Enter a name, a reference or a date of birth' in empty
    unchosen = client.post(reverse("web:referral_find"), {"q": "Knownperson"}).content.decode()
    assert 'href="#id_person_0">Select the person, or add someone new' in unchosen
    assert Referral.objects.count() == 1


def test_choosing_someone_new_goes_to_the_person_questions(signed_in):
    referrer, _ = _known_at_level_1(family_name="Knownperson")
    client = signed_in(referrer)
    response = client.post(reverse("web:referral_find"), {"q": "Knownperson", "person": "new"})
    assert response.url == reverse("web:referral_start") + "?family_name=Knownperson"


def test_the_search_only_finds_people_the_user_may_see(signed_in):
    _, known = _known_at_level_1(family_name="Knownperson")
    housing = factories.practitioner(AgencyType.HOUSING)  # not involved with the person
    client = signed_in(housing)
    page = client.get(reverse("web:referral_find"), {"q": "Knownperson"}).content.decode()
    assert str(known) not in page and "No one you can see matches" in page
    crafted = client.post(reverse("web:referral_find"), {"q": "Knownperson", "person": str(known.pk)})
    assert crafted.status_code == 200 and Referral.objects.count() == 1


def test_the_search_pins_its_queries(signed_in, django_assert_max_num_queries):
    coordinator = factories.coordinator()
    for n in range(6):
        factories.IndividualFactory(family_name=f"Searchable{n}")
    client = signed_in(coordinator)
    with django_assert_max_num_queries(12 + factories.list_audit_queries()):  # the page's audit row (who listed whom)
        page = client.get(reverse("web:referral_find"), {"q": "Searchable"}).content.decode()
    assert page.count('name="person"') == 7  # six people and "someone new"


def _draft_at_level_step(user):
    referral = factories.draft_referral(referrer=user)
    return reverse("web:referral_step", args=[referral.pk, "level"]), referral


def test_category_4_is_offered_only_to_cleared_users(signed_in):
    plain = factories.practitioner(AgencyType.POLICE)
    url, _ = _draft_at_level_step(plain)
    assert 'name="category" type="radio" value="4"' not in signed_in(plain).get(url).content.decode()
    cleared = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    url, referral = _draft_at_level_step(cleared)
    page = signed_in(cleared).get(url).content.decode()
    assert 'name="category" type="radio" value="4"' in page
    response = signed_in(cleared).post(url, {"level_requested": "2", "category": "4"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.category == 4


def test_a_crafted_category_4_answer_is_refused_on_the_field(signed_in):
    plain = factories.practitioner(AgencyType.POLICE)
    url, referral = _draft_at_level_step(plain)
    page = signed_in(plain).post(url, {"level_requested": "2", "category": "4"}).content.decode()
    assert 'href="#id_category_0">Only users with counter-terrorism clearance can refer a Category 4' in page
    referral.refresh_from_db()
    assert referral.category != 4
