"""Importing case histories: a good folder merges spells into periods; a bad one changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from referrals.models import Individual, LifeEvent, Registration, RegistrationPeriod
from reporting.statistics import compute_annual_report
from tests.factories import northamptonshire

pytestmark = pytest.mark.django_db

INDIVIDUALS = """reference,given_names,family_name,date_of_birth,gender,visor_reference,pnc_reference,ndelius_reference
P1,Adam,Synthetic,1980-02-03,male,VSYN-900001,PSYN/19/0012345K,CSYN900001
P2,Ben,Synthetic,1975-06-07,male,VSYN-900002,,
"""
PERIODS = """reference,attribute,value,start_date,end_date,exit_reason
P1,category,1,2019-01-01,,
P1,level,1,2019-01-01,2024-06-01,
P1,level,2,2024-06-01,,
P1,location,community,2019-01-01,2024-09-01,
P1,location,custody,2024-09-01,,
P2,category,3,2022-01-01,2024-12-01,risk_reduced
P2,level,2,2022-01-01,2024-12-01,
P2,location,community,2022-01-01,2024-12-01,
"""
EVENTS = """{"reference": "P1", "event_type": "returned_to_custody_licence", "occurred_on": "2024-09-01"}
{"reference": "P1", "event_type": "breach_notification_caution", "occurred_on": "2024-05-01"}
"""


def folder(tmp_path, individuals=INDIVIDUALS, periods=PERIODS, events=EVENTS):
    (tmp_path / "individuals.csv").write_text(individuals)
    (tmp_path / "periods.csv").write_text(periods)
    (tmp_path / "events.jsonl").write_text(events)
    return str(tmp_path)


def counts():
    return (
        Individual.objects.count(),
        Registration.objects.count(),
        RegistrationPeriod.objects.count(),
        LifeEvent.objects.count(),
    )


def test_separate_spells_are_merged_into_contiguous_periods_and_feed_the_report(tmp_path):
    call_command("import_cases", folder(tmp_path), "--area", "northamptonshire")
    adam = Individual.objects.get(visor_reference="VSYN-900001")
    periods = list(RegistrationPeriod.objects.filter(individual=adam).order_by("start_date"))
    assert [(str(p.start_date), p.end_date and str(p.end_date), p.level, p.location) for p in periods] == [
        ("2019-01-01", "2024-06-01", 1, "community"),
        ("2024-06-01", "2024-09-01", 2, "community"),
        ("2024-09-01", None, 2, "custody"),
    ]
    ben = Registration.objects.get(individual__visor_reference="VSYN-900002")
    assert (str(ben.ended_on), ben.exit_reason, ben.status) == ("2024-12-01", "risk_reduced", "exited")
    report = compute_annual_report(areas=northamptonshire(), year=2024)
    assert report.table("returns_licence").value("level_2", "category_1") == 1
    assert report.table("level_2_3_yearly").value("total", "total") == 2
    assert report.table("notification_breaches").value("cautioned", "number") == 1


def test_a_bad_folder_is_rejected_with_file_row_and_field_and_nothing_is_written(tmp_path):
    before = counts()
    bad_individuals = INDIVIDUALS + "P3,Real,Person,1970-01-01,male,AB12/345678,,\nP1,Dup,Licate,1990-13-01,male,,,\n"
    bad_periods = (
        PERIODS
        + "P3,category,3,2020-01-01,,\nP3,level,1,2020-01-01,,\nP3,location,moon,2020-01-01,,\nP9,level,2,2020-01-01,,\n"
    )
    bad_events = (
        EVENTS
        + '{"reference": "P2", "event_type": "breach_notification_caution", "occurred_on": "2023-01-01"}\nnot json\n'
    )
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_cases", folder(tmp_path, bad_individuals, bad_periods, bad_events), "--area", "northamptonshire"
        )
    message = str(caught.value)
    assert "Nothing was imported" in message
    for expected in (
        "individuals.csv, row 4, visor_reference: 'AB12/345678' is not a synthetic reference",
        "individuals.csv, row 5, reference: 'P1' is already used on row 2",
        "individuals.csv, row 5, date_of_birth: enter a real past date as YYYY-MM-DD",
        "periods.csv, row 12, value: a location is community, custody, hospital",
        "periods.csv, row 13, reference: no individual 'P9' in the individuals file",
        "events.jsonl, row 3, event_type: applies only to someone registered under Category 1 on that date",
        "events.jsonl, row 4, line: not valid JSON",
    ):
        assert expected in message
    assert counts() == before


def test_category_3_at_level_1_and_gaps_are_refused(tmp_path):
    periods = PERIODS + "P3,category,3,2020-01-01,,\nP3,level,1,2020-01-01,,\nP3,location,community,2021-01-01,,\n"
    individuals = INDIVIDUALS + "P3,Cal,Synthetic,1970-01-01,male,,,\n"
    with pytest.raises(CommandError) as caught:
        call_command("import_cases", folder(tmp_path, individuals, periods), "--area", "northamptonshire")
    assert "periods.csv, row 12, start_date: the location spells must cover the registration from 2020-01-01" in str(
        caught.value
    )
    assert counts() == (0, 0, 0, 0)


def test_category_3_at_level_1_is_refused_on_the_level_row(tmp_path):
    periods = PERIODS + "P3,category,3,2020-01-01,,\nP3,level,1,2020-01-01,,\nP3,location,community,2020-01-01,,\n"
    individuals = INDIVIDUALS + "P3,Cal,Synthetic,1970-01-01,male,,,\n"
    with pytest.raises(CommandError) as caught:
        call_command("import_cases", folder(tmp_path, individuals, periods), "--area", "northamptonshire")
    assert "periods.csv, row 11, value: Category 3 cases are managed only at Level 2 or 3" in str(caught.value)
    assert counts() == (0, 0, 0, 0)
