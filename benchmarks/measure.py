"""What `make bench` measures inside Django: reports beside hand-written SQL, query counts, the sweep.

Imported by benchmarks/run.py after ``django.setup()``.

One module on purpose, though it passes 500 lines: it is the one place that runs inside Django for
``make bench``, and its measurements share the fixtures, timers and query counter defined here.
"""

from __future__ import annotations

import statistics as stats
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from mappa_workflow.models import Agency, AgencyType, Area, Role, RoleAssignment, Seniority, User, reporting_year_bounds
from meetings.models import AgendaItem, Meeting, MeetingState, RiskAction, RiskActionState
from referrals.models import Individual, LifeEvent, Registration, RegistrationPeriod, RegistrationStatus
from reporting.statistics import compute_annual_report, snapshot_counts
from reporting.synthetic.figures import load_target
from reporting.synthetic.generator import DEFAULT_TARGET

from . import pages, report_floor

REPEAT = 9
PAGES = pages.PAGES

SNAPSHOT_SQL = """
SELECT category, level, COUNT(DISTINCT individual_id)
FROM referrals_registrationperiod
WHERE start_date <= %s AND (end_date IS NULL OR end_date > %s)
  AND location = 'community' AND category IN (1, 2, 3) {area}
GROUP BY category, level
"""


def national_data_present(marker: int) -> bool:
    return Individual.objects.count() >= marker and Meeting.objects.exists()


def any_individuals() -> bool:
    return Individual.objects.exists()


def data_set_size() -> dict[str, int]:
    year = report_year()
    last = reporting_year_bounds(year)[1]
    snapshot = snapshot_counts(None, last)
    in_community = sum(snapshot.values())
    category_1 = sum(v for k, v in snapshot.items() if k.startswith("c1_"))
    return {
        "areas": Area.objects.count(),
        "individuals": Individual.objects.count(),
        "in_community": in_community,
        "category_1_share": round(100 * category_1 / max(1, in_community)),
        "registrations": Registration.objects.count(),
        "periods": RegistrationPeriod.objects.count(),
        "events": LifeEvent.objects.count(),
        "meetings": Meeting.objects.count(),
        "agenda_items": AgendaItem.objects.count(),
        "actions": RiskAction.objects.count(),
        "open_actions": RiskAction.objects.unfinished().count(),
        "level_2_3_now": Registration.objects.filter(
            status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3]
        ).count(),
        "snapshot_year": year,
    }


def report_year() -> int:
    """The last reporting year the generator built: its default target's year."""
    return int(load_target(DEFAULT_TARGET)["year"])


def _timing(times: list[float]) -> dict[str, float]:
    return {"median_ms": stats.median(times), "min_ms": min(times), "max_ms": max(times)}


def _timed(fn: Callable[[], Any], repeat: int = REPEAT) -> tuple[dict[str, float], Any]:
    fn()  # warm: connection, plans, caches of the database
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return _timing(times), result


def _interleaved(fns: dict[str, Callable[[], Any]], repeat: int = REPEAT) -> tuple[dict[str, dict], dict[str, Any]]:
    """Each of ``fns`` timed ``repeat`` times, taking turns (so a busy moment of the machine falls on all)."""
    results: dict[str, Any] = {name: fn() for name, fn in fns.items()}  # warm
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            started = time.perf_counter()
            results[name] = fn()
            times[name].append((time.perf_counter() - started) * 1000)
    return {name: _timing(t) for name, t in times.items()}, results


def _snapshot_sql(area_id: int | None, day) -> dict[str, int]:  # type: ignore[no-untyped-def]
    sql = SNAPSHOT_SQL.format(area="AND area_id = %s" if area_id else "")
    params = [day, day] + ([area_id] if area_id else [])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {f"c{c}_l{lv}": n for c, lv, n in cursor.fetchall()}


def _queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def largest_and_smallest_areas() -> tuple[Area, Area]:
    areas = list(Area.objects.annotate(people=Count("individuals")).order_by("-people", "pk"))
    return areas[0], areas[-1]


def annual_reports() -> dict[str, Any]:
    year = report_year()
    last = reporting_year_bounds(year)[1]
    largest, smallest = largest_and_smallest_areas()
    out: dict[str, Any] = {"year": year}
    for key, areas, area_id in (
        ("one_area", largest, largest.pk),
        ("one_small_area", smallest, smallest.pk),
        ("all_areas", None, None),
    ):
        ids = None if area_id is None else [area_id]
        timings, got = _interleaved(
            {
                "report": partial(compute_annual_report, areas=areas, year=year),
                "floor": partial(report_floor.report_floor, ids, year),
                "orm_snapshot": partial(snapshot_counts, ids, last),
                "sql_snapshot": partial(_snapshot_sql, area_id, last),
            }
        )
        report, orm, sql = got["report"], got["orm_snapshot"], got["sql_snapshot"]
        report_floor.check(report, got["floor"])  # every cell of every table, against the hand-written SQL
        table = report.table("snapshot")
        for cell, n in orm.items():
            c, lv = int(cell[1]), int(cell[4])
            assert sql.get(cell, 0) == n, f"hand-written SQL disagrees on {cell}"
            if not (c == 3 and lv == 1):
                assert table.value(f"level_{lv}", f"category_{c}") == n
        out[key] = {
            "area": "all 42 areas" if areas is None else areas.name,
            "people": Individual.objects.count() if areas is None else areas.individuals.count(),
            "in_community": table.value("total", "total"),
            "report": timings["report"],
            "report_queries": _queries(partial(compute_annual_report, areas=areas, year=year)),
            "floor": timings["floor"],
            "floor_queries": len(report_floor.STATEMENTS),  # through psycopg's cursor: Django does not count them
            "cells": len(got["floor"]),
            "orm_snapshot": timings["orm_snapshot"],
            "sql_snapshot": timings["sql_snapshot"],
        }
    return out


# ---------------------------------------------------------------------------------------------
# The SMB's indicators (issue 17): everything /indicators/ counts, for every area at once
# ---------------------------------------------------------------------------------------------

INDICATOR_REPEAT = 5


def indicators() -> dict[str, Any]:
    """Every figure of the indicators page (the indicators, movement between levels, diversity) for all areas at
    once (``oversight.indicators_page.indicators_pages``) and for the largest area alone, in the report's year;
    and, apart, the indicators of the years before that the page's charts across years add. Median of a few runs
    after a warm-up, taking turns, and the queries of each."""
    from oversight.indicators import indicators_for_areas
    from oversight.indicators_page import TREND_YEARS, indicators_pages

    year = report_year()
    areas = list(Area.objects.order_by("pk"))
    largest, _ = largest_and_smallest_areas()
    every = partial(indicators_pages, areas=areas, year=year)
    one = partial(indicators_pages, areas=[largest], year=year)

    def earlier_years() -> list[Any]:  # what the page's charts across years add: the years before, all areas
        return [indicators_for_areas(areas=areas, year=y) for y in range(year - TREND_YEARS + 1, year)]

    timings, got = _interleaved(
        {"all_areas": every, "largest_area": one, "earlier_years": earlier_years}, repeat=INDICATOR_REPEAT
    )

    def figures(pages: list[Any]) -> int:  # figures (a period of a row of an indicator) and table cells
        rates = sum(len(row.figures) for page in pages for r in page.indicators.results for row in r.rows)
        tables = [
            *(t for page in pages for t in page.counts.movement.tables),
            *(t for page in pages for t in page.counts.diversity),
        ]
        return rates + sum(len(row.cells) for table in tables for row in table.rows)

    assert got["largest_area"] == [page for page in got["all_areas"] if page.indicators.area == largest]
    return {
        "year": year,
        "areas": len(areas),
        "repeat": INDICATOR_REPEAT,
        "figures": figures(got["all_areas"]),
        "all_areas": timings["all_areas"],
        "all_areas_queries": _queries(every),
        "largest_area": largest.name,
        "largest_area_figures": figures(got["largest_area"]),
        "largest_area_timing": timings["largest_area"],
        "largest_area_queries": _queries(one),
        "earlier_years": TREND_YEARS - 1,
        "earlier_years_timing": timings["earlier_years"],
        "earlier_years_queries": _queries(earlier_years),
    }


# ---------------------------------------------------------------------------------------------
# Pages: who signs in, which case and meeting, and their query counts
# ---------------------------------------------------------------------------------------------


@dataclass
class AreaFixture:
    area: Area
    user: User
    device: TOTPDevice
    urls: dict[str, str]


def bench_user(area: Area) -> tuple[User, TOTPDevice]:
    """A synthetic co-ordinator of ``area`` with a confirmed authenticator (no password: sessions only)."""
    username = f"bench-coordinator-{area.slug}"[:150]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": "Benchmark",
            "last_name": "Co-ordinator",
            "area": area,
            "agency": Agency.objects.filter(area=area, agency_type=AgencyType.PROBATION).order_by("pk").first(),
            "seniority": Seniority.MANAGER,
            "is_synthetic": True,
            "email": f"{username}@example.invalid",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        RoleAssignment.objects.create(user=user, role=Role.COORDINATOR)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Benchmark authenticator", confirmed=True
    )
    return User.objects.get(pk=user.pk), device


def fullest_meeting(area: Area) -> Any:
    """The area's past panel with the most cases: the meeting page the load test opens."""
    return (
        Meeting.objects.filter(area=area, state=MeetingState.MINUTES_APPROVED)
        .annotate(items=Count("agenda_items"))
        .order_by("-items", "-starts_at")
        .values_list("pk", flat=True)
        .first()
    )


def _fixture(area: Area) -> AreaFixture:
    user, device = bench_user(area)
    # the busiest things a co-ordinator opens: the Level 2/3 case with most meetings, the fullest past panel
    case = (
        Registration.objects.filter(area=area, status__in=[RegistrationStatus.LEVEL_2, RegistrationStatus.LEVEL_3])
        .annotate(items=Count("agenda_items"))
        .order_by("-items", "pk")
        .values_list("individual_id", flat=True)
        .first()
    )
    meeting = fullest_meeting(area)
    year = report_year()
    urls = {
        "dashboard": reverse("web:dashboard"),
        "case page": reverse("web:case_detail", args=[case]),
        "meeting agenda": reverse("web:meeting_detail", args=[meeting]),
        "actions list": reverse("web:action_list") + "?show=open",
        "statistics page": reverse("web:statistics") + f"?year={year}",
    }
    return AreaFixture(area, user, device, urls)


def page_fixtures(users: int) -> dict[str, Any]:
    largest, smallest = largest_and_smallest_areas()
    busiest = list(Area.objects.annotate(people=Count("individuals")).order_by("-people", "pk")[:users])
    return {
        "largest": _fixture(largest),
        "smallest": _fixture(smallest),
        "load": [_fixture(area) for area in busiest],
    }


def verified_session(fixture: AreaFixture) -> str:
    """A session key for a signed-in user who has passed two-factor (as the sign-in pages leave it)."""
    session = SessionStore()
    session[SESSION_KEY] = str(fixture.user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = fixture.user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = fixture.device.persistent_id
    session.create()
    return session.session_key  # type: ignore[return-value]


def _client(fixture: AreaFixture) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = verified_session(fixture)
    return client


def _page_queries(fixture: AreaFixture) -> dict[str, int]:
    client = _client(fixture)
    counts = {}
    for page, url in fixture.urls.items():
        client.get(url)  # warm: per-process caches (area settings, bank holidays) as a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, f"{page} {url}: {response.status_code}"
        counts[page] = len(ctx.captured_queries)
    return counts


def page_floors(fixtures: dict[str, Any], repeat: int = 15) -> dict[str, Any]:
    """Each page of the largest area in this process: wall and CPU time against its SQL run by hand."""
    fixture = fixtures["largest"]
    return {
        "area": fixture.area.name,
        "repeat": repeat,
        "pages": pages.measure_pages(_client(fixture), fixture.urls, repeat=repeat),
    }


def _size(fixture: AreaFixture) -> dict[str, int]:
    area = fixture.area
    return {
        "people": area.individuals.count(),
        "meetings": Meeting.objects.filter(area=area).count(),
        "open_actions": RiskAction.objects.filter(area=area).unfinished().count(),
    }


def page_query_counts(fixtures: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key in ("smallest", "largest"):
        fixture = fixtures[key]
        out[key] = {"area": fixture.area.name, **_size(fixture), "queries": _page_queries(fixture)}
    return out


def load_targets(fixtures: dict[str, Any]) -> list[dict[str, Any]]:
    """For each simulated user: a verified session cookie and the five page addresses of their area."""
    return [
        {"cookie": f"{settings.SESSION_COOKIE_NAME}={verified_session(f)}", "urls": f.urls, "area": f.area.name}
        for f in fixtures["load"]
    ]


# ---------------------------------------------------------------------------------------------
# The statistics page with nothing cached, and its PDF
# ---------------------------------------------------------------------------------------------

_PRIVATE_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench"}}


def statistics_first_load(fixtures: dict[str, Any], repeat: int = 5) -> dict[str, Any]:
    """The largest area's statistics page as the first reader after a change sees it (every stored report and
    chart cleared first), then as the next reader sees it; and the statistics PDF as the worker builds it
    (``notifications.services.statistics_export_content``: the report, the year-on-year trend, the charts and
    WeasyPrint), each ``repeat`` times after a warm-up. A private in-process cache stands in for the served one,
    so clearing it never touches a shared Redis."""
    import logging

    from django.core.cache import cache
    from django.test.utils import override_settings

    from notifications.services import statistics_export_content

    fixture = fixtures["largest"]
    url = fixture.urls["statistics page"]
    client = _client(fixture)
    first, warm, pdf = [], [], []
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its progress lines are not ours to print
    with override_settings(CACHES=_PRIVATE_CACHE):
        client.get(url)  # per-process caches (templates, bank holidays) as a running server has them
        statistics_export_content(area=fixture.area, year=report_year(), export_format="pdf")
        for _ in range(repeat):
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            first.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, f"statistics page: {response.status_code}"
            started = time.perf_counter()
            client.get(url)
            warm.append((time.perf_counter() - started) * 1000)
            cache.clear()
            started = time.perf_counter()
            _, content = statistics_export_content(area=fixture.area, year=report_year(), export_format="pdf")
            pdf.append((time.perf_counter() - started) * 1000)
            assert content.startswith(b"%PDF")
    return {
        "area": fixture.area.name,
        "year": report_year(),
        "repeat": repeat,
        "first_load": _timing(first),
        "warm": _timing(warm),
        "pdf": _timing(pdf),
    }


# ---------------------------------------------------------------------------------------------
# The reminder sweep
# ---------------------------------------------------------------------------------------------


def reminder_sweep() -> dict[str, Any]:
    """``action_reminders_send`` over every area, inside a transaction rolled back afterwards."""
    from notifications.services import action_reminders_send

    open_actions = RiskAction.objects.filter(state__in=[RiskActionState.OPEN, RiskActionState.IN_PROGRESS]).count()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            messages = action_reminders_send()
            seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"open_actions": open_actions, "messages": messages, "seconds": seconds, "queries": len(ctx)}


# ---------------------------------------------------------------------------------------------
# Before and after each fix made for these targets (measured on every run, so the figures stay honest)
# ---------------------------------------------------------------------------------------------


def before_after() -> list[dict[str, Any]]:
    from django.db.models import Q

    from meetings import selectors as meeting_selectors
    from meetings.models import AgendaItem, DisclosureDecision
    from need_to_know import permissions
    from reporting import trends
    from reporting.statistics import yearly_level_2_3_counts
    from web import selectors as web_selectors

    largest, _ = largest_and_smallest_areas()
    out = []

    # 1. Case page: the case's agenda items, an OR across two joins against two indexed subqueries
    individual = (
        Registration.objects.filter(area=largest)
        .annotate(items=Count("agenda_items"))
        .order_by("-items", "pk")
        .first()
        .individual
    )

    def agenda_before() -> list:
        return list(
            AgendaItem.objects.filter(Q(registration__individual=individual) | Q(referral__individual=individual))
            .select_related("meeting", "minutes")
            .order_by("-meeting__starts_at")
        )

    coordinator, _ = bench_user(largest)  # sees every meeting of the area, so both ways list the same items
    before, old = _timed(agenda_before)
    after, new = _timed(lambda: web_selectors.case_agenda_items(individual, coordinator))
    assert [i.pk for i in old] == [i.pk for i in new]
    out.append(
        {
            "what": "Case page: the case's meetings (`web.selectors.case_agenda_items`)",
            "fix": "the items of the person's registrations UNION those of their referrals (two index scans), not an OR across two joins",
            "before": before,
            "after": after,
        }
    )

    def disclosures_before() -> list:
        return list(
            DisclosureDecision.objects.filter(
                Q(case_minutes__agenda_item__registration__individual=individual)
                | Q(case_minutes__agenda_item__referral__individual=individual),
                case_minutes__in=permissions.visible_minutes(coordinator).values("pk"),
            )
            .select_related("case_minutes__agenda_item__meeting")
            .order_by("-case_minutes__agenda_item__meeting__starts_at", "-pk")
        )

    # The page reads the agenda items the user may read anyway (its timeline): the disclosures are found
    # from them. (Timing the agenda items' query as well on the "after" side, as an earlier run did, made
    # the fix look slower than the query it replaced: 7.7 ms before, 11.4 ms after.)
    readable = web_selectors.case_agenda_items(individual, coordinator)
    timings, got = _interleaved(
        {"before": disclosures_before, "after": lambda: web_selectors.case_disclosures(readable)}
    )
    before, after = timings["before"], timings["after"]
    assert [d.pk for d in got["before"]] == [d.pk for d in got["after"]]
    out.append(
        {
            "what": "Case page: disclosures the user may read (`web.selectors.case_disclosures`)",
            "fix": "from the readable agenda items the page has already read, not through `visible_minutes` with an "
            "OR across two joins",
            "before": before,
            "after": after,
        }
    )

    # 2. Dashboard: minutes overdue, from every held meeting of the area to those awaiting minutes
    from django.utils import timezone

    today = timezone.localdate()
    before, old = _timed(lambda: meeting_selectors.meetings_with_timescales(area=largest, today=today))
    after, new = _timed(
        lambda: meeting_selectors.meetings_with_timescales(area=largest, today=today, awaiting_minutes=True)
    )
    overdue = lambda pairs: [m.pk for m, t in pairs if t is not None and t.status == "overdue"]  # noqa: E731
    assert overdue(old) == overdue(new)
    out.append(
        {
            "what": f"Dashboard: minutes overdue ({len(old)} held meetings read before, {len(new)} after)",
            "fix": "read only meetings whose minutes are not yet approved (`awaiting_minutes=True`)",
            "before": before,
            "after": after,
        }
    )

    # 3. Annual report: the Level 2/3 yearly totals without and with the partial index
    year = report_year()
    first, last = reporting_year_bounds(year)
    after, _ = _timed(lambda: yearly_level_2_3_counts([largest.pk], first, last))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX period_level_2_3_idx")
        before, _ = _timed(lambda: yearly_level_2_3_counts([largest.pk], first, last))
        transaction.set_rollback(True)  # the index is back
    out.append(
        {
            "what": "Annual report: Level 2/3 yearly totals for one area",
            "fix": "partial index `period_level_2_3_idx` on periods (area, start date) at Level 2 or 3",
            "before": before,
            "after": after,
        }
    )

    # 4. Actions list (and every list that hides Category 4 cases): who is ever Category 4, by partial indexes
    fixture = _fixture(largest)
    client = _client(fixture)
    url = fixture.urls["actions list"]
    after, _ = _timed(lambda: client.get(url))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX period_category_4_idx")
            cursor.execute("DROP INDEX referral_category_4_idx")
        before, _ = _timed(lambda: client.get(url))
        transaction.set_rollback(True)
    out.append(
        {
            "what": "Actions list page, whole request (the Category 4 clearance filter)",
            "fix": "partial indexes `period_category_4_idx`, `referral_category_4_idx` on who is ever Category 4",
            "before": before,
            "after": after,
        }
    )

    # 5. Statistics page: three SVG charts drawn on every request, or drawn once per process
    trend = trends.compute_year_on_year(areas=largest, year=year, years=3)
    trends._cached_svg.cache_clear()

    def draw() -> None:
        trends._cached_svg.cache_clear()
        trends.charts(trend)

    before, _ = _timed(draw)
    trends.charts(trend)
    after, _ = _timed(lambda: trends.charts(trend))
    out.append(
        {
            "what": "Statistics page: its three charts (`reporting.trends.charts`)",
            "fix": "keep each process's recently drawn charts, keyed by their figures (`functools.lru_cache`)",
            "before": before,
            "after": after,
        }
    )

    # 6. Statistics page: the three years' reports, computed on every request or closed years from the cache
    from collections import Counter

    from mappa_workflow.audit import _subject_ids, case_viewer_summary
    from mappa_workflow.models import AuditEvent

    years: dict[str, Any] = {"areas": largest, "year": year, "years": 3}
    before, old = _timed(lambda: trends.compute_year_on_year(**years))
    trends.compute_year_on_year(**years, cached=True)
    after, new = _timed(lambda: trends.compute_year_on_year(**years, cached=True))
    assert [r.as_dict() for r in old.reports] == [r.as_dict() for r in new.reports]
    out.append(
        {
            "what": "Statistics page: the three years' reports (`reporting.trends.compute_year_on_year`)",
            "fix": "closed years from the cache, keyed by area, year, threshold and a fingerprint of the rows they "
            "read (`statistics.cached_annual_reports`, one query)",
            "before": before,
            "after": after,
        }
    )

    # 7. Case page: "who viewed this case", a scan of the whole audit trail or an index probe
    after, old = _timed(lambda: case_viewer_summary(individual))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX audit_viewed_individual_idx")
        before, new = _timed(lambda: case_viewer_summary(individual))
        transaction.set_rollback(True)
    assert old == new
    out.append(
        {
            "what": f"Case page: who viewed the case ({AuditEvent.objects.count():,} audit rows)",
            "fix": "partial expression index `audit_viewed_individual_idx` on views' `details -> 'individual_id'`",
            "before": before,
            "after": after,
        }
    )

    # 8. Meeting page: the agenda read twice (the page, then the audit row's subjects) with the minutes' text
    meeting_pk = fullest_meeting(largest)

    def meeting_before() -> list:
        meeting = meeting_selectors.meeting_detail(meeting_pk)
        return list(AgendaItem.objects.filter(meeting=meeting).select_related("referral", "registration"))

    def meeting_after() -> list:
        return _subject_ids(meeting_selectors.meeting_page(meeting_pk))

    before, _ = _timed(meeting_before)
    after, _ = _timed(meeting_after)
    out.append(
        {
            "what": "Meeting page: its reads (`meetings.selectors.meeting_page`)",
            "fix": "the agenda read once (the audit row's subjects reuse it), without minutes text, minutes actions "
            "or periods the page does not show",
            "before": before,
            "after": after,
        }
    )

    # 9. Dashboard: overdue actions by agency, every action read or counted in the database
    user = fixture.user
    overdue_list = lambda: permissions.visible_risk_actions(  # noqa: E731
        user, meeting_selectors.action_list(area=largest, overdue_on=today)
    )
    before, old = _timed(lambda: Counter(str(a.owning_agency) for a in overdue_list()))
    after, new = _timed(
        lambda: meeting_selectors.count_by_agency(
            permissions.visible_risk_actions(user, RiskAction.objects.filter(area=largest).overdue(today))
        )
    )
    assert old == new
    out.append(
        {
            "what": f"Dashboard: overdue actions by agency ({sum(new.values())} actions)",
            "fix": "counted per agency in the database (`meetings.selectors.count_by_agency`), not every action read",
            "before": before,
            "after": after,
        }
    )

    # 10. Annual report of the smallest area: every statement built by the ORM each time, or built once and reused
    from unittest import mock

    from reporting import compiled_sql
    from reporting.statistics import compute_annual_report

    _, smallest = largest_and_smallest_areas()

    def report_built_each_time() -> dict:
        with mock.patch.object(compiled_sql, "_plan_for", return_value=None):
            return compute_annual_report(areas=smallest, year=year).raw_values()

    timings, got = _interleaved(
        {
            "before": report_built_each_time,
            "after": lambda: compute_annual_report(areas=smallest, year=year).raw_values(),
        }
    )
    assert got["before"] == got["after"]
    out.append(
        {
            "what": f"Annual report of the smallest area ({smallest.name}), every table",
            "fix": "each statement's SQL built once per process and sent again with the new area and dates "
            "(`reporting.compiled_sql`), not built by the ORM on every report",
            "before": timings["before"],
            "after": timings["after"],
        }
    )

    # 11. Every request: a new PostgreSQL connection (CONN_MAX_AGE 0, as before) or the process's kept one
    def session_read(*, reconnect: bool) -> None:
        if reconnect:
            connection.close()
        else:
            connection.close_if_unusable_or_obsolete()  # as at the start of a request: the kept one is checked
        with connection.cursor() as cursor:  # the request's first query: its session
            cursor.execute("SELECT session_data FROM django_session LIMIT 1")
            cursor.fetchall()

    timings, _ = _interleaved(
        {"before": lambda: session_read(reconnect=True), "after": lambda: session_read(reconnect=False)}
    )
    out.append(
        {
            "what": "Every request's first query (its session), on a new connection or on the kept one",
            "fix": "`CONN_MAX_AGE` 60 for PostgreSQL, checked before reuse (`CONN_HEALTH_CHECKS`): the server no "
            "longer starts a backend for every request",
            "before": timings["before"],
            "after": timings["after"],
        }
    )

    # 12. Dashboard: the area's settings, asked by its cases due and its meetings' timescales
    from mappa_workflow import request_context
    from mappa_workflow.models import AreaSettings

    def settings_twice_in_a_request() -> None:
        token = request_context.set_current(request_context.RequestContext())
        try:
            AreaSettings.for_area(largest)
            AreaSettings.for_area(largest)
        finally:
            request_context.reset(token)

    def settings_twice_outside_a_request() -> None:  # as every request read them before
        AreaSettings.for_area(largest)
        AreaSettings.for_area(largest)

    timings, _ = _interleaved({"before": settings_twice_outside_a_request, "after": settings_twice_in_a_request})
    out.append(
        {
            "what": "Dashboard: the area's settings, read by two parts of the page",
            "fix": "read once per request (`mappa_workflow.request_context.once_per_request`)",
            "before": timings["before"],
            "after": timings["after"],
        }
    )
    return out


# ---------------------------------------------------------------------------------------------
# The case page's templates: Django's engine beside a Jinja2 port (ADR 0007)
# ---------------------------------------------------------------------------------------------


def template_engines(fixtures: dict[str, Any]) -> dict[str, Any]:
    """The largest area's case page rendered by both engines, and the whole request (``template_engines.py``)."""
    from . import template_engines

    fixture = fixtures["largest"]
    return {"area": fixture.area.name, **template_engines.measure(_client(fixture), fixture.urls["case page"])}
