"""`make run` loads a demo area whose statistics page opens on a full reporting year, whatever today is."""

import io

import pytest
from django.core.management import CommandError, call_command

from mappa_workflow import demo
from mappa_workflow.models import Area, AreaPopulation, User
from referrals.models import Individual
from reporting.statistics import compute_annual_report, current_reporting_year

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _row_total(report, table, row):
    return report.table(table).value(row, "total")


def test_the_demo_history_runs_up_to_the_last_year_that_has_ended(tmp_path, monkeypatch):
    monkeypatch.setattr(demo, "SIGNINS_FILE", tmp_path / "demo_signins.txt")
    area = Area.objects.get(slug="northamptonshire")
    latest = current_reporting_year() - 1

    call_command("load_demo", area="northamptonshire", seed=2025, stdout=io.StringIO())

    report = compute_annual_report(areas=area, year=latest, suppression_threshold=0)
    # The published 2024/25 shape, moved to the latest complete year: 1,170 in the community on 31 March.
    assert _row_total(report, "snapshot", "total") == 1170
    assert _row_total(report, "level_2_3_yearly", "total") > 20
    assert report.table("rate").value("rate", "number") is not None
    population = AreaPopulation.objects.get(area=area, year=latest)
    assert "Synthetic demo estimate" in population.source
    assert Individual.objects.filter(area=area, is_synthetic=False).count() == 0
    # The work between meetings: release plans at different stages and Level 1 reviews (some overdue).
    from level_one.models import LevelOneReview
    from release_planning.models import ReleasePlan

    assert ReleasePlan.objects.filter(area=area, items__completed_on__isnull=True).exists()
    assert LevelOneReview.objects.filter(area=area).exists()
    # The SMB's board: its chair's tenure is held by the demo SMB account, which so decides on serious case reviews.
    from oversight.governance.selectors import board_chair_on

    chair = board_chair_on(area_id=area.pk)
    assert chair is not None and chair.user == User.objects.get(username="smb")
    signins = (tmp_path / "demo_signins.txt").read_text()
    assert "coordinator" in signins and "layadviser" in signins

    # Running again keeps the history and gives new passwords.
    people = Individual.objects.filter(area=area).count()
    password_hash = User.objects.get(username="coordinator").password
    again = io.StringIO()
    call_command("load_demo", area="northamptonshire", stdout=again)
    assert Individual.objects.filter(area=area).count() == people
    assert User.objects.get(username="coordinator").password != password_hash
    assert "keeping it" in again.getvalue()
    assert board_chair_on(area_id=area.pk) == chair  # the board is recorded once


def test_a_history_cannot_end_in_a_year_that_has_not_ended():
    with pytest.raises(CommandError, match="has not ended"):
        call_command("generate_synthetic_data", area="northamptonshire", seed=1, last_year=current_reporting_year())
    assert not Individual.objects.exists()


def test_the_national_set_refuses_a_last_year():
    with pytest.raises(CommandError, match="--last-year"):
        call_command("generate_synthetic_data", national=True, seed=1, last_year=2023)
