"""The co-ordinators' drill-down: the records behind each figure are exactly the ones it counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mappa_workflow.models import AgencyType, AreaSettings
from oversight.drilldown import UnknownFigure, drill_down
from oversight.indicators import area_indicators
from oversight.models import Indicator
from referrals import services as referral_services
from tests import factories

from .scenario import YEAR, accepted, action_completed, action_set, minutes_approved, minutes_recorded, on, panel_held
from .test_level_one_indicator import at_level_1, reviewed
from .test_page import history

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 1)


def busy_year() -> None:
    for _ in range(2):
        history()  # panels, attendance, minutes approved, an action each
    late = accepted(dt.date(2025, 10, 1)).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 11, 20), registrations=[late]), next_review=dt.date(2026, 1, 5))
    action = action_set(meeting, due=dt.date(2025, 12, 1))
    action_completed(action, dt.date(2025, 12, 3))  # two days late
    minutes_approved(meeting, dt.date(2026, 1, 20))  # late
    case = at_level_1(dt.date(2025, 5, 1))
    reviewed(case, dt.date(2025, 9, 1))


def test_every_figures_records_add_up_to_its_numerator_and_denominator():
    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=0)
    busy_year()
    coordinator = factories.coordinator()

    found = area_indicators(area=area, year=YEAR, today=TODAY)
    checked = 0
    for result in found.results:
        for row in result.rows:
            for period in found.periods:
                figure = row.figures[period.key]
                listed = drill_down(
                    user=coordinator, area=area, year=YEAR, indicator=result.indicator, row=row.label,
                    period_key=period.key, today=TODAY,
                )  # fmt: skip
                assert (listed.met, listed.counted) == (figure.numerator, figure.denominator), (
                    result.indicator, row.label, period.key,
                )  # fmt: skip
                assert listed.not_shown == 0
                checked += figure.denominator
    assert checked > 20  # every indicator had records to list
    assert {
        r.indicator for r in found.results if any(f.denominator for row in r.rows for f in row.figures.values())
    } == set(Indicator.values)


def test_a_category_4_case_is_counted_for_a_coordinator_without_clearance_but_not_listed():
    area = factories.northamptonshire()
    busy_year()
    police = factories.practitioner(AgencyType.POLICE, counter_terrorism_cleared=True)
    cleared = factories.coordinator(counter_terrorism_cleared=True)
    person = factories.unmistakable_individual(area=area, given_names="Zephyrine Quilla")
    with on(dt.date(2025, 9, 1)):
        referral = referral_services.referral_create(
            actor=police, individual=person, **{**factories.COMPLETE_ANSWERS, "category": 4}
        )
        referral = referral_services.referral_submit(actor=police, referral=referral)
        referral_services.referral_decide(
            actor=cleared, referral=referral, decision="level_2", rationale="Meets the threshold."
        )

    def screening(user):  # type: ignore[no-untyped-def]
        return drill_down(
            user=user, area=area, year=YEAR, indicator=Indicator.SCREENING, row="", period_key="q2", today=TODAY
        )

    uncleared = screening(factories.coordinator())
    assert uncleared.not_shown == 1 and all(person.given_names not in row.what for row in uncleared.rows)
    seen = screening(cleared)
    assert seen.not_shown == 0 and any(person.given_names in row.what for row in seen.rows)
    assert uncleared.counted == seen.counted  # the figure is the same for both: only the list differs
    with pytest.raises(UnknownFigure):
        drill_down(user=cleared, area=area, year=YEAR, indicator="nonsense", row="Level 2", period_key="year")
    with pytest.raises(UnknownFigure):
        drill_down(
            user=cleared, area=area, year=YEAR, indicator=Indicator.FIRST_MEETING, row="Level 9", period_key="q2"
        )


def test_the_page_lists_the_records_for_coordinators_and_refuses_the_smb():
    area = factories.northamptonshire()
    busy_year()
    url = reverse("web:indicator_records", args=[Indicator.ACTIONS]) + f"?year={YEAR}&period=year&row="
    owner = area.agencies.get(agency_type="police")
    coordinator = factories.verify_client(Client(), factories.coordinator())

    page = coordinator.get(url + owner.name)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Late or overdue" in body and "0 of 3 on time" in body  # two never done, one done two days late
    assert (
        coordinator.get(reverse("web:indicators") + f"?year={YEAR}").content.decode().count("indicators/actions/") >= 1
    )
    assert factories.verify_client(Client(), factories.smb_member()).get(url + owner.name).status_code == 403
    assert coordinator.get(url + "No such agency").status_code == 404
