"""The pages a co-ordinator opens most cost the same number of queries however much data there is.

`make bench` measures this at national scale (docs/performance.md); this test keeps it true in CI:
each page's query count with 3 Level 2 cases (two panels, six minutes and actions) equals its count
with 12 cases (five panels, forty-two minutes and actions, half of them overdue).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AgencyType
from meetings import services as meeting_services
from meetings.models import PlanHeading, RiskAction
from reporting.statistics import current_reporting_year
from tests import factories

pytestmark = pytest.mark.django_db

# Queries per page on PostgreSQL (SQLite needs a few fewer: no statistics-cache fingerprint, no advisory
# lock for the audit chain). A change that adds one must say why here.
PAGE_QUERY_BUDGET = {
    # - 1 (issue 19): the area's settings are read once per request (cases due and meetings' timescales both ask)
    "dashboard": 12 + 5 + 2 - 1,  # + 5: the dashboard names people, so it is audited like the actions list below
    # (+ 2: releases in the coming weeks, docs/between-meetings.md: the area's release settings, the open plans)
    # + 5: the work between meetings (docs/between-meetings.md): release plans, third-party notifications,
    # requests to share minutes, Level 1 reviews, and whether the reader may record a notification;
    # - 2 (issue 19): the person was read through the visible people, so passed Category 4
    # - 1 (issue 19): ... and that query answers "may the reader see the person?" for the page's later checks
    # (need_to_know.permissions.individual_read_as_visible): here the third-party notification's; for a person in
    # custody, whose release can be planned, the release plan's too (26 -> 24 queries in make bench)
    "case page": 22 + 5 - 2 - 1,
    "meeting agenda": 18,
    # + 5: the list is audited (issue 13): the audit row, its chain's previous hash, the people shown,
    # the session's user for the actor label, and on PostgreSQL the advisory lock that orders the chain.
    "actions list": 8 + 5 + 1,  # + 1 (issue 16): the filter form's owning-agency choices
    # + 4 (issue 16): the years offered start at the area's first record (first period, first life event),
    # and the page shows the year-on-year tables the exports carry
    # + 6 (issue 17): the serious further offences and serious case reviews tables, a query each for each of
    # the three years the page shows (this year and the two before, for the year-on-year tables)
    # - 2 (issue 19): the years offered are found once, for the page and its export form alike
    "statistics page": 25 + 4 + 6 - 2,
}


def _grow(cases: list, meetings: list, *, to_cases: int, to_meetings: int) -> None:
    """Add Level 2 cases, then held panels each minuting every case with one action per case."""
    today = timezone.localdate()
    while len(cases) < to_cases:
        cases.append(factories.registration_at_level(2, decided_on=today - dt.timedelta(days=120)))
    area = factories.northamptonshire()
    chair = factories.chair(area)
    while len(meetings) < to_meetings:
        meeting = factories.held_meeting(
            "level_2", days_ago=7 * (len(meetings) + 1), registrations=cases, chair_user=chair
        )
        actions = []
        for item in meeting.agenda_items.order_by("position"):
            minutes = meeting_services.case_minutes_record(
                actor=meeting.created_by, item=item, minutes=factories.minutes_input()
            )
            actions.append(
                meeting_services.risk_action_create(
                    actor=meeting.created_by,
                    case_minutes=minutes,
                    heading=PlanHeading.SUPERVISION,
                    description="Joint home visit by police and probation.",
                    owning_agency=factories.agency(area, AgencyType.POLICE),
                    officer_name="PC Jo Synthetic",
                    due_date=today + dt.timedelta(days=14),
                ).pk
            )
        # half of them overdue by now (set directly: the service refuses a due date in the past)
        RiskAction.objects.filter(pk__in=actions[::2]).update(due_date=today - dt.timedelta(days=3))
        meetings.append(meeting)


def _page_queries(client: Client, cases: list, meetings: list) -> dict[str, int]:
    """Queries of each page for the first case and the panel recorded last (which reviews the
    actions carried from the panels before it)."""
    urls = {
        "dashboard": reverse("web:dashboard"),
        "case page": reverse("web:case_detail", args=[cases[0].individual_id]),
        "meeting agenda": reverse("web:meeting_detail", args=[meetings[-1].pk]),
        "actions list": reverse("web:action_list") + "?show=all",
        "statistics page": reverse("web:statistics") + f"?year={current_reporting_year()}",
    }
    counts = {}
    for page, url in urls.items():
        client.get(url)  # per-process caches warm, as on a running server
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, page
        counts[page] = len(ctx.captured_queries)
    return counts


def test_each_page_costs_the_same_queries_for_3_cases_as_for_12(client):
    cases: list = []
    meetings: list = []
    _grow(cases, meetings, to_cases=3, to_meetings=2)
    factories.verify_client(client, factories.coordinator())
    small = _page_queries(client, cases, meetings)
    over_budget = {page: n for page, n in small.items() if n > PAGE_QUERY_BUDGET[page]}
    assert not over_budget, f"more queries than the pinned budget {PAGE_QUERY_BUDGET}: {over_budget}"

    _grow(cases, meetings, to_cases=12, to_meetings=5)
    assert [m.agenda_items.count() for m in meetings] == [3, 3, 12, 12, 12]
    assert RiskAction.objects.count() == 2 * 3 + 3 * 12
    assert meetings[-1].agenda_items.filter(actions_to_review__isnull=False).distinct().count() == 12
    # the first case now sits on five panels with five actions; the last panel has four times the agenda
    assert _page_queries(client, cases, meetings) == small


def _dashboard_queries(client: Client) -> tuple[int, str]:
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("web:dashboard")).content.decode()
    return len(ctx.captured_queries), page


def test_the_dashboard_costs_the_same_with_no_case_due_as_with_cases_booked_and_not(client):
    """An area with nothing due must not look cheaper than one whose cases are due and booked: the national run
    once found two more queries in Essex than in Cleveland (a booking prefetch and a visibility check that
    only ran when some case was due)."""
    coordinator = factories.coordinator()
    factories.verify_client(client, coordinator)
    empty, page = _dashboard_queries(client)
    assert "Not booked" not in page

    due = [factories.registration_at_level(2, decided_on=timezone.localdate()) for _ in range(3)]
    meeting = factories.scheduled_meeting(registrations=due[:1])
    busy, page = _dashboard_queries(client)
    booked_link = reverse("web:meeting_detail", args=[meeting.pk])
    assert page.count("Not booked") == 2 and booked_link in page and str(meeting) in page
    assert busy == empty
