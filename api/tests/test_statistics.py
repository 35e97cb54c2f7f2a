"""The annual statistics as JSON: for SMB members, lay advisers, co-ordinators and chairs of the area."""

from __future__ import annotations

import datetime as dt

import pytest

from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent, Role, RoleAssignment
from reporting import statistics
from tests import factories

from .helpers import assert_problem

pytestmark = pytest.mark.django_db


def url(year: int, area: str = "northamptonshire") -> str:
    return f"/api/v1/statistics/{area}/{year}/"


def this_year() -> int:
    return statistics.current_reporting_year()


def test_statistics_need_credentials(api):
    assert_problem(api().get(url(this_year())), 401)


def test_a_practitioner_may_not_read_statistics(api):
    assert_problem(api(factories.practitioner(AgencyType.POLICE)).get(url(this_year())), 403)


def test_another_area_statistics_are_refused(api):
    other = Area.objects.exclude(slug="northamptonshire").first()
    assert_problem(api(factories.smb_member()).get(url(this_year(), other.slug)), 403)


def test_an_administrator_reads_any_area(api):
    admin = factories.UserFactory(area=Area.objects.exclude(slug="northamptonshire").first(), agency=None)
    RoleAssignment.objects.create(user=admin, role=Role.ADMINISTRATOR)
    assert api(admin).get(url(this_year())).status_code == 200


def test_an_unknown_area_is_not_found(api):
    assert_problem(api(factories.smb_member()).get(url(this_year(), "atlantis")), 404)


@pytest.mark.parametrize("year", [1999, 2999])
def test_a_year_outside_the_records_is_a_400_naming_the_year(api, year):
    body = assert_problem(api(factories.smb_member()).get(url(year)), 400, "year")
    assert "reporting year" in body["errors"]["year"][0]


def test_a_lay_adviser_reads_the_tables_derived_from_the_records(api):
    decided = dt.date(this_year(), 4, 1)  # the first day of the reporting year, never in the future
    for _ in range(2):
        factories.accepted_referral(level=2, decided_on=decided)
    factories.accepted_referral(level=3, decided_on=decided)
    lay_adviser = factories.lay_adviser()
    response = api(lay_adviser).get(url(this_year()))
    assert response.status_code == 200
    body = response.json()
    assert body["reporting_year"] == f"{this_year()}/{(this_year() + 1) % 100:02d}"
    yearly = body["tables"]["level_2_3_yearly"]["rows"]
    assert yearly["level_2"]["category_2"] == 2
    assert yearly["level_3"]["category_2"] == 1
    assert body["tables"]["level_2_3_yearly"]["rows"]["total"]["total"] == 3
    assert body == statistics.compute_annual_report(areas=factories.northamptonshire(), year=this_year()).as_dict()
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=lay_adviser).exists()
