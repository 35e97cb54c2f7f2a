"""The case page rendered by Django's template engine and by Jinja2, side by side (issue 19; ADR 0007).

``benchmarks/jinja2_templates/`` holds a Jinja2 port of the case page (``web/cases/detail.html``, its two
includes and ``base.html``), kept here because the app has not switched. It is rendered through Django's own
Jinja2 backend (``django.template.backends.jinja2.Jinja2``), as the app would if it switched: the same context
processors, ``csrf_input``, and compiled templates kept in the environment. The Django templates' custom
filters and tags become thin Jinja globals and filters calling the same Python (``environment`` below).
GOV.UK Frontend Jinja's macros (govuk-frontend-jinja) stand in for the skip link, back link, phase banner,
warning text and notification banner; the service navigation and the footer stay hand-written, as in the
Django template, because the macros' markup differs (the footer macro adds the licence and crown copyright;
the service navigation's sign-out form would need its ``navigationEnd`` slot).

``measure`` takes the context the view passes to ``render`` (the view itself runs, signed in and two-factor
verified, through Django's test client), renders it with both engines, fails loudly unless the two pages say
the same (``compare``), then times both renders and the whole request, taking turns.
"""

from __future__ import annotations

import re
import statistics as stats
import time
from pathlib import Path
from typing import Any
from unittest import mock

import jinja2
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template import defaultfilters
from django.template.backends.jinja2 import Jinja2
from django.template.loader import get_template
from django.templatetags.static import static
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs

from web.templatetags import web_dates, web_navigation

from . import pages

JINJA_DIR = Path(__file__).resolve().parent / "jinja2_templates"
TEMPLATE = "web/cases/detail.html"
REPEAT = 41

# Where the Jinja2 page may differ from Django's, after ``normalise``: (Django's, Jinja2's, why).
KNOWN_DIFFERENCES = [
    (
        '<div class="govuk-phase-banner">',
        '<div class="govuk-phase-banner govuk-width-container">',
        "GOV.UK Frontend 6's phase banner macro puts the width container on the banner; base.html nests the "
        "banner in the page's width container instead",
    ),
]


# ---------------------------------------------------------------------------------------------
# The Jinja2 environment: the Django templates' filters and tags as thin globals and filters
# ---------------------------------------------------------------------------------------------


def _url(name: str, *args: Any) -> str:  # {% url name arg %}
    return reverse(name, args=args)


def _day(value: Any, arg: str | None = None) -> str:  # |day: web_dates, after the time zone |day expects
    return web_dates.day(template_localtime(value), arg)


def _date(value: Any, arg: str | None = None) -> str:
    return defaultfilters.date(template_localtime(value), arg)


def _linebreaksbr(value: Any) -> str:
    return defaultfilters.linebreaksbr(value, autoescape=True)


@jinja2.pass_context
def _navigation_items(context: jinja2.runtime.Context) -> list[dict]:  # {% navigation_items as ... %}
    return web_navigation.navigation_items(context)  # type: ignore[arg-type]  # reads context.get("request")


def environment(**options: Any) -> jinja2.Environment:
    """Django's Jinja2 backend calls this with its options (autoescape on, no reloading with DEBUG off)."""
    options["loader"] = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(JINJA_DIR),
            jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = jinja2.Environment(**options)  # noqa: S701 - autoescape is in options (Django's backend sets it)
    env.globals.update(url=_url, static=static, navigation_items=_navigation_items)
    env.filters.update(day=_day, date=_date, linebreaksbr=_linebreaksbr)
    return env


def jinja_engine() -> Jinja2:
    django_options: dict[str, Any] = settings.TEMPLATES[0]["OPTIONS"]  # type: ignore[assignment]  # a list of dicts
    return Jinja2(
        {
            "NAME": "jinja2-benchmark",
            "DIRS": [],
            "APP_DIRS": False,
            "OPTIONS": {
                "environment": "benchmarks.template_engines.environment",
                "context_processors": django_options["context_processors"],  # as Django's templates get
            },
        }
    )


# ---------------------------------------------------------------------------------------------
# The same page both ways
# ---------------------------------------------------------------------------------------------

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*"')
_ENTITIES = {"&#x27;": "&#39;", "&quot;": "&#34;"}  # Django's escapes and MarkupSafe's, for the same characters


def normalise(html: str) -> str:
    """Whitespace collapsed and dropped beside tags; the CSRF token (masked afresh on every render) blanked;
    quotes escaped one way."""
    html = _CSRF.sub(r'\1"', html)
    for django, markupsafe in _ENTITIES.items():
        html = html.replace(django, markupsafe)
    return re.sub(r" ?([<>]) ?", r"\1", re.sub(r"\s+", " ", html)).strip()


def compare(django_html: str, jinja_html: str) -> list[str]:
    """Raise unless the pages are equal after ``normalise`` and the listed differences; return the reasons used."""
    expected, got = normalise(django_html), normalise(jinja_html)
    for theirs, ours, why in KNOWN_DIFFERENCES:
        if theirs not in expected:
            raise AssertionError(f"listed difference no longer occurs ({why}): {theirs!r}")
        expected = expected.replace(theirs, ours)
    if expected != got:
        at = next(
            (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b), min(len(expected), len(got))
        )
        raise AssertionError(
            "the Jinja2 port renders a different page from Django's templates:\n"
            f"  Django: ...{expected[max(0, at - 150) : at + 150]}...\n"
            f"  Jinja2: ...{got[max(0, at - 150) : at + 150]}..."
        )
    return [why for _, _, why in KNOWN_DIFFERENCES]


def view_context(client: Client, url: str) -> tuple[HttpRequest, dict[str, Any]]:
    """The request and the context the case page's view passes to ``render`` (in a rolled-back transaction:
    the view writes an audit row)."""
    captured: dict[str, Any] = {}

    def capture(request: HttpRequest, template_name: str, context: dict[str, Any]) -> HttpResponse:
        assert template_name == TEMPLATE, template_name
        captured.update(request=request, context=context)
        return HttpResponse()

    with mock.patch("web.views.cases.render", capture), transaction.atomic():
        response = client.get(url)
        transaction.set_rollback(True)
    assert response.status_code == 200 and captured, f"{url}: {response.status_code}"
    return captured["request"], captured["context"]


def renderers(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """Render the page with each engine; the context is copied each time (Django's Jinja2 backend adds to it)."""
    django_template = get_template(TEMPLATE)  # the served engine: cached loader, DEBUG off
    jinja_template = jinja_engine().get_template(TEMPLATE)
    return {
        "django": lambda: django_template.render(dict(context), request),
        "jinja2": lambda: jinja_template.render(dict(context), request),
    }


# ---------------------------------------------------------------------------------------------
# The measurement
# ---------------------------------------------------------------------------------------------


def _timed(fn: Any) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return (time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000


def _summary(values: list[float]) -> dict[str, float]:
    return {"median_ms": stats.median(values), "min_ms": min(values), "max_ms": max(values)}


def measure(client: Client, url: str, *, repeat: int = REPEAT) -> dict[str, Any]:
    """Django's render, Jinja2's render and the whole request of the case page, taking turns ``repeat`` times
    after a warm-up; CPU ms (``time.process_time``) of each, and wall ms of the request."""
    pages._get(client, url)  # warm: per-process caches (templates, area settings, bank holidays), plans
    request, context = view_context(client, url)
    render = renderers(request, context)
    with CaptureQueriesContext(connection) as first:  # the first render reads any lazy querysets left in the context
        html = {name: fn() for name, fn in render.items()}
    differences = compare(html["django"], html["jinja2"])
    times: dict[str, list[float]] = {"django": [], "jinja2": [], "request": [], "request_wall": []}
    for _ in range(repeat):
        for name, fn in render.items():
            times[name].append(_timed(fn)[0])
        wall, cpu, _ = pages._get(client, url)
        times["request"].append(cpu)
        times["request_wall"].append(wall)
    return {
        "repeat": repeat,
        "html_kb": len(html["django"]) / 1024,
        "queries_in_render": len(first.captured_queries),
        "rows": {name: len(context[name] or []) for name in ("timeline", "actions", "disclosures", "viewers")},
        "differences": differences,
        **{name: _summary(values) for name, values in times.items()},
    }


def section(r: dict[str, Any]) -> list[str]:
    """The lines of docs/performance.md for these figures."""
    django, jinja, request = r["django"]["median_ms"], r["jinja2"]["median_ms"], r["request"]["median_ms"]
    saved = django - jinja
    rows = r["rows"]

    def ms(t: dict[str, float]) -> str:
        return f"{t['median_ms']:.1f} ({t['min_ms']:.1f}-{t['max_ms']:.1f})"

    return [
        "",
        "## The case page's templates: Django's engine and Jinja2",
        "",
        f"The case page of the largest area ({r['area']}: {rows['timeline']} timeline entries, {rows['actions']} "
        f"actions, {rows['disclosures']} disclosures, {rows['viewers']} viewers; {r['html_kb']:.0f} KB of HTML) "
        "rendered from the "
        "context its view passes to `render`, by Django's templates as served (cached loader, DEBUG off) and by "
        "a Jinja2 port (`benchmarks/jinja2_templates/`, through Django's Jinja2 backend with GOV.UK Frontend "
        "Jinja's macros), beside the whole request (Django's test client, signed in and two-factor verified); "
        f"the three taking turns, {r['repeat']} times after a warm-up (`benchmarks/template_engines.py`). "
        "CPU milliseconds, median (min-max). The two pages are checked equal, whitespace aside, on every run"
        + (f" (except: {'; '.join(r['differences'])})." if r["differences"] else ".")
        + " ADR 0007 decides from these figures.",
        "",
        "| measure | CPU ms |",
        "|---|---|",
        f"| render, Django templates | {ms(r['django'])} |",
        f"| render, Jinja2 | {ms(r['jinja2'])} |",
        f"| whole request (Django templates) | {ms(r['request'])}; wall {ms(r['request_wall'])} |",
        "",
        f"Django's render is {100 * django / request:.0f}% of the request's CPU; Jinja2 renders in "
        f"{jinja / django:.2f}x its time, which would save {saved:.1f} ms ({100 * saved / request:.0f}%) per request.",
    ]
