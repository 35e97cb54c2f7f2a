"""Movement between levels, exits by reason and time at Level 3: counts by quarter for the SMB, hidden when small."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from mappa_workflow.models import AreaSettings
from oversight.movement import area_movement
from referrals import services as referral_services
from referrals.models import ExitReason, Registration
from tests import factories

from .scenario import YEAR, accepted, on

pytestmark = pytest.mark.django_db


def change_level(registration: Registration, level: int, day: dt.date) -> None:
    registration.refresh_from_db()  # as a co-ordinator opening the case page that day
    with on(day):
        referral_services.registration_change_level(
            actor=factories.coordinator(registration.area), registration=registration, level=level,
            effective_date=day, reason="Risk reviewed at the panel.",
        )  # fmt: skip


def exit_mappa(registration: Registration, reason: str, day: dt.date) -> None:
    with on(day):
        referral_services.registration_exit(
            actor=factories.coordinator(registration.area), registration=registration, reason=reason, effective_date=day
        )


def history() -> None:
    """Up to Level 3 on 10 August (Q2) and back to Level 2 on 20 November (Q3): 102 days at Level 3. Accepted at
    Level 3 on 1 June and out of MAPPA, risk reduced, on 15 January (Q4): 228 days. Level 1 to 2 on 1 July (Q2)."""
    up_and_down = accepted(dt.date(2025, 5, 1)).registration
    change_level(up_and_down, 3, dt.date(2025, 8, 10))
    change_level(up_and_down, 2, dt.date(2025, 11, 20))
    out = accepted(dt.date(2025, 6, 1), level=3).registration
    exit_mappa(out, ExitReason.RISK_REDUCED, dt.date(2026, 1, 15))
    change_level(accepted(dt.date(2025, 5, 1), level=1).registration, 2, dt.date(2025, 7, 1))


def cells(table, label: str) -> dict[str, int | None]:
    return next(row for row in table.rows if row.label == label).cells


def test_level_changes_exits_and_stays_at_level_3_fall_in_the_quarter_of_their_date():
    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=0)
    history()

    changes, exits, stays = area_movement(area=area, year=YEAR).tables
    assert cells(changes, "Level 2 to Level 3") == {"q1": 0, "q2": 1, "q3": 0, "q4": 0, "year": 1}
    assert cells(changes, "Level 3 to Level 2") == {"q1": 0, "q2": 0, "q3": 1, "q4": 0, "year": 1}
    assert cells(changes, "Level 1 to Level 2") == {"q1": 0, "q2": 1, "q3": 0, "q4": 0, "year": 1}
    assert sum(row.cells["year"] for row in changes.rows) == 3  # acceptance and exit are not level changes
    assert cells(exits, ExitReason.RISK_REDUCED.label) == {"q1": 0, "q2": 0, "q3": 0, "q4": 1, "year": 1}
    assert sum(row.cells["year"] for row in exits.rows) == 1
    assert cells(stays, "Stays ended") == {"q1": 0, "q2": 0, "q3": 1, "q4": 1, "year": 2}
    medians = area_movement(area=area, year=YEAR).level_3_median_days
    assert (medians["q3"], medians["q4"], medians["year"], medians["q1"]) == (102, 228, 165, None)


def test_small_counts_are_hidden_and_the_page_and_csv_show_the_same_cells():
    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=2)
    history()
    client = factories.verify_client(Client(), factories.lay_adviser())

    changes, _, stays = area_movement(area=area, year=YEAR).tables
    assert cells(changes, "Level 2 to Level 3")["year"] is None  # one: hidden
    assert cells(stays, "Stays ended")["year"] is None  # two, but Q3 and Q4 are ones: the year would give them
    page = client.get(reverse("web:indicators") + f"?year={YEAR}").content.decode()
    assert "Movement between levels and out of MAPPA" in page and "Level 2 to Level 3" in page
    rows = list(
        csv.DictReader(io.StringIO(client.get(reverse("web:indicators_csv") + f"?year={YEAR}").content.decode()))
    )
    moved = {(r["Breakdown"], r["Period"]): r["Numerator"] for r in rows if r["Indicator"] == "Level changes"}
    assert moved[("Level 2 to Level 3", "2025/26")] == "*"
    assert moved[("Level 1 to Level 3", "2025/26")] in ("0", "*")
    median = {r["Period"]: r["Numerator"] for r in rows if r["Breakdown"].startswith("Median days at Level 3")}
    assert median["2025/26"] == "*"
    from .test_page import pdf_text

    printed = pdf_text(client.get(reverse("web:indicators_pdf") + f"?year={YEAR}").content)
    assert "Level changes" in printed and "Exits from MAPPA by reason" in printed and "Stays at Level 3" in printed
