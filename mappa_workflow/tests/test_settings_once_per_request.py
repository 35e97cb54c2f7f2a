"""An area's settings are read once per request, and a change made in the admin is seen by the next request.

Several parts of one page ask for the same settings (the dashboard's cases due and its meetings' timescales;
the release plans' lead times): ``mappa_workflow.request_context.once_per_request`` keeps the first answer for
the rest of that request only. Outside a request (a command, a Celery task, a service called directly) every
call reads the database, so nothing long-lived holds an old value.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mappa_workflow import request_context
from mappa_workflow.models import Area, AreaSettings
from release_planning.models import ReleasePlanningSettings
from tests import factories

pytestmark = pytest.mark.django_db


def _settings_reads(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if 'FROM "mappa_workflow_areasettings"' in q["sql"])


def test_the_dashboard_reads_its_areas_settings_once_and_the_next_request_reads_them_again(client):
    coordinator = factories.coordinator()
    factories.verify_client(client, coordinator)
    dashboard = reverse("web:dashboard")
    assert _settings_reads(client, dashboard) == 1

    # nothing is kept from one request to the next: the next one reads them again
    assert _settings_reads(client, dashboard) == 1


def test_outside_a_request_every_read_sees_the_database():
    area = factories.northamptonshire()
    assert AreaSettings.for_area(area).minutes_due_working_days != 9
    AreaSettings.objects.filter(area=area).update(minutes_due_working_days=9)
    assert AreaSettings.for_area(area).minutes_due_working_days == 9

    lead = ReleasePlanningSettings.for_area(area).horizon_weeks
    ReleasePlanningSettings.objects.filter(area=area).update(horizon_weeks=lead + 1)
    assert ReleasePlanningSettings.for_area(area).horizon_weeks == lead + 1


def test_within_a_request_each_area_keeps_its_own_settings():
    first = factories.northamptonshire()
    second = Area.objects.exclude(pk=first.pk).order_by("pk").first()
    AreaSettings.objects.filter(area=second).update(minutes_due_working_days=11)
    token = request_context.set_current(request_context.RequestContext(ip_address="127.0.0.1"))
    try:
        with CaptureQueriesContext(connection) as ctx:
            a, b = AreaSettings.for_area(first), AreaSettings.for_area(second)
            assert AreaSettings.for_area(first) is a and AreaSettings.for_area(second) is b
        assert len(ctx.captured_queries) == 2
        assert (a.area_id, b.area_id) == (first.pk, second.pk)
        assert b.minutes_due_working_days == 11
    finally:
        request_context.reset(token)
    # the request is over: a change shows at once
    AreaSettings.objects.filter(area=second).update(minutes_due_working_days=12)
    assert AreaSettings.for_area(second).minutes_due_working_days == 12
