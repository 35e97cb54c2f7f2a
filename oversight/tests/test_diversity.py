"""Diversity of referrals and screening decisions for the SMB: by gender, age band on the day received, and
whether ethnicity was recorded; never a free-text description, small counts hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mappa_workflow.models import AreaSettings
from oversight.diversity import age_band, area_diversity
from referrals.models import Gender
from tests import factories

from .scenario import YEAR, referral_decided, referral_received

pytestmark = pytest.mark.django_db


def person(gender: str, born: dt.date, ethnicity: str = ""):
    return factories.IndividualFactory(
        area=factories.northamptonshire(), gender=gender, date_of_birth=born, ethnicity_as_stated=ethnicity
    )


def test_age_is_counted_on_the_day_received_and_a_birthday_that_day_counts():
    assert age_band(dt.date(2007, 9, 1), dt.date(2025, 8, 31)) == "Under 18"
    assert age_band(dt.date(2007, 9, 1), dt.date(2025, 9, 1)) == "18 to 24"
    assert age_band(dt.date(1960, 3, 1), dt.date(2026, 2, 28)) == "65 and over"
    assert age_band(dt.date(1961, 3, 2), dt.date(2026, 3, 1)) == "55 to 64"  # 65 tomorrow


def cells(table, label):
    return next(row for row in table.rows if row.label == label).cells


def test_referrals_by_gender_age_and_ethnicity_recorded_and_decisions_by_level_and_gender():
    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=0)
    # Received 1 September 2025 (Q2): a woman turning 18 that day, described in her own words; a man of 40.
    woman = referral_received(
        dt.date(2025, 9, 1), individual=person(Gender.FEMALE, dt.date(2007, 9, 1), "Irish Traveller")
    )
    man = referral_received(dt.date(2025, 9, 1), individual=person(Gender.MALE, dt.date(1985, 1, 1)))
    referral_decided(woman, dt.date(2025, 10, 2), level=2)  # decided in Q3
    referral_decided(man, dt.date(2025, 10, 2), level=1)

    by_gender, by_age, ethnicity, decisions = area_diversity(area=area, year=YEAR, threshold=0)

    assert cells(by_gender, "Female")["q2"] == 1 and cells(by_gender, "Male")["q2"] == 1
    assert cells(by_age, "18 to 24")["year"] == 1 and cells(by_age, "35 to 44")["year"] == 1
    assert cells(ethnicity, "Stated in the person's own words")["q2"] == 1
    assert cells(ethnicity, "Not recorded")["q2"] == 1
    assert cells(decisions, "Level 2, female")["q3"] == 1
    assert cells(decisions, "Level 1 (not adopted), male")["q3"] == 1
    assert sum(row.cells["year"] for row in decisions.rows) == 2
    # The SMB page shows the counts and never the words a person used.
    page = factories.verify_client(Client(), factories.smb_member()).get(reverse("web:indicators") + f"?year={YEAR}")
    body = page.content.decode()
    assert "Diversity of referrals and screening decisions" in body and "Irish Traveller" not in body
    csv_body = (
        factories.verify_client(Client(), factories.smb_member())
        .get(reverse("web:indicators_csv") + f"?year={YEAR}")
        .content.decode()
    )
    assert "Referrals received by gender" in csv_body and "Irish Traveller" not in csv_body


def test_small_counts_are_hidden():
    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=2)
    referral_received(dt.date(2025, 9, 1), individual=person(Gender.FEMALE, dt.date(1990, 1, 1)))

    by_gender, *_ = area_diversity(area=area, year=YEAR, threshold=2)

    assert cells(by_gender, "Female") == {"q1": 0, "q2": None, "q3": 0, "q4": 0, "year": None}
