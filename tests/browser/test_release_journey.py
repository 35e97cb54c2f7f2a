"""A release eight weeks away, in a real browser with axe-core on every page: the co-ordinator starts the plan
and sees the missing MAPPA J on the dashboard; the lead agency's officer records it (as the notification to
Jobcentre Plus it is); the dashboard no longer lists it as missing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.models import AgencyType
from tests import factories

from .helpers import sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]


def _fill_date(page, prefix: str, day: dt.date) -> None:
    page.fill(f"#{prefix}_day", str(day.day))
    page.fill(f"#{prefix}_month", str(day.month))
    page.fill(f"#{prefix}_year", str(day.year))


def _release_row(page, person):
    return (
        page.locator("#releases + * tr, #releases ~ .app-table-wrapper tr")
        .filter(has_text=person.family_name.upper())
        .first
    )


def test_a_missing_mappa_j_shows_on_the_dashboard_until_the_lead_agency_records_it(page, check_accessible):
    officer = factories.practitioner(AgencyType.PROBATION, username="offender.manager")
    coordinator = factories.coordinator(username="coordinator")
    registration = factories.registration_in_custody(referrer=officer)
    person = registration.individual
    release = timezone.localdate() + dt.timedelta(weeks=8)

    # 1. The co-ordinator starts the plan from the case page.
    sign_in(page, coordinator)
    check_accessible()
    page.goto(f"{page.base_url}/cases/{person.pk}/")
    check_accessible()
    page.get_by_role("link", name="Plan the release").click()
    check_accessible()
    page.get_by_role("button", name="Start the plan").click()  # no date: an error, nothing saved
    check_accessible()
    assert page.locator(".govuk-error-summary").is_visible()
    _fill_date(page, "id_expected_date", release)
    page.get_by_role("button", name="Start the plan").click()
    check_accessible()
    assert page.get_by_role("heading", name="Release plan").is_visible()

    # 2. The dashboard lists the release with the MAPPA J missing.
    page.get_by_role("link", name="Dashboard").click()
    check_accessible()
    row = _release_row(page, person)
    assert "MAPPA J sent to Jobcentre Plus" in row.inner_text()
    sign_out(page)

    # 3. The lead agency's offender manager records the MAPPA J: a notification to Jobcentre Plus.
    sign_in(page, officer)
    check_accessible()
    page.get_by_role("link", name="Releases").click()
    check_accessible()
    page.get_by_role("link", name=str(person)).click()
    check_accessible()
    page.get_by_role("link", name="Record MAPPA J sent to Jobcentre Plus").click()
    check_accessible()
    page.get_by_label("Recipient", exact=True).fill("Jobcentre Plus, Northampton (synthetic)")
    page.get_by_label("What was shared").fill("MAPPA J: no work giving access to children")
    page.get_by_label("Why it was necessary").fill("So work-search does not place him near children")
    page.get_by_label("Lawful basis").fill("Duty to co-operate; MAPPA guidance chapter 10")
    page.get_by_label("Why it was proportionate").fill("Only the restriction and a contact point")
    page.get_by_label("Recipient's undertaking").fill("Held by the named work coach only")
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Record the notification").click()
    check_accessible()
    assert page.get_by_role("heading", name="Release plan").is_visible()
    mappa_j = page.get_by_role("row").filter(has_text="MAPPA J sent to Jobcentre Plus")
    assert "Done" in mappa_j.inner_text()
    sign_out(page)

    # 4. Back on the dashboard, the MAPPA J is no longer missing; the release is still listed.
    sign_in(page, coordinator)
    check_accessible()
    page.get_by_role("link", name="Dashboard").click()
    check_accessible()
    row = _release_row(page, person)
    text = row.inner_text()
    assert "MAPPA J" not in text
    assert "Prison report for the panel" in text
