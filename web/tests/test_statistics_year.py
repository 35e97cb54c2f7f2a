"""The statistics open on the latest complete reporting year; the current one is "year to date"."""

import pytest
from django.urls import reverse

from mappa_workflow.models import Role
from reporting.statistics import current_reporting_year
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _label(year):
    return f"{year}/{(year + 1) % 100:02d}"


def test_the_page_opens_on_the_last_complete_year_and_offers_the_current_one_as_year_to_date(signed_in):
    client = signed_in(factories.UserFactory(roles=[Role.SMB_MEMBER]))
    current = current_reporting_year()
    page = client.get(reverse("web:statistics")).content.decode()
    assert f'<h1 class="govuk-heading-l">MAPPA statistics {_label(current - 1)}</h1>' in page
    assert f'<option value="{current - 1}" selected>{_label(current - 1)}</option>' in page
    assert f'<option value="{current}">{_label(current)} (year to date)</option>' in page
    assert f"?year={current - 1}" in page  # downloads are of the year shown

    chosen = client.get(reverse("web:statistics"), {"year": current}).content.decode()
    assert f"MAPPA statistics {_label(current)} (year to date)" in chosen
    assert "This reporting year has not finished" in chosen


def test_downloads_without_a_year_are_of_the_last_complete_year(signed_in):
    client = signed_in(factories.UserFactory(roles=[Role.SMB_MEMBER]))
    response = client.get(reverse("web:statistics_download", args=["csv"]))
    assert f"mappa-statistics-{current_reporting_year() - 1}-" in response["Content-Disposition"]


def test_the_page_and_its_export_form_offer_the_same_years_found_with_one_look_at_the_first_record(signed_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(factories.UserFactory(roles=[Role.SMB_MEMBER]))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("web:statistics")).content.decode()
    first_period_lookups = [q for q in ctx.captured_queries if 'MIN("referrals_registrationperiod"' in q["sql"]]
    assert len(first_period_lookups) == 1, "the years offered are found once, for the page and its export form"
    assert f'<option value="{current_reporting_year()}">' in page
