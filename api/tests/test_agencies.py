"""GET /api/v1/agencies/: an agency's system looks up the agencies of its own area, and only those."""

from __future__ import annotations

import pytest

from mappa_workflow.models import Agency, AgencyType, Area
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/api/v1/agencies/"


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def test_a_practitioner_sees_the_agencies_of_their_own_area_only(api):
    home = factories.northamptonshire()
    elsewhere = Area.objects.exclude(pk=home.pk).first()
    assert Agency.objects.filter(area=elsewhere).exists()
    seen = _ids(api(factories.practitioner(AgencyType.POLICE)).get(URL + "?page_size=200"))
    assert seen == set(Agency.objects.filter(area=home).values_list("pk", flat=True))


def test_another_areas_coordinator_sees_none_of_this_areas_agencies(api):
    home = factories.northamptonshire()
    elsewhere = Area.objects.exclude(pk=home.pk).first()
    seen = _ids(api(factories.coordinator(area=elsewhere)).get(URL + "?page_size=200"))
    assert seen and seen.isdisjoint(Agency.objects.filter(area=home).values_list("pk", flat=True))


def test_agencies_need_credentials(api):
    assert api().get(URL).status_code == 401
