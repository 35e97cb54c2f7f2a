"""Playwright against pytest-django's live server, driving Debian's Chromium.

Without /usr/bin/chromium (or the axe-core npm package) these tests skip, except with CI=true.
Every journey runs twice: with JavaScript, where every page it visits is checked with axe-core for WCAG 2.2
A and AA, and with JavaScript turned off in the browser, because every journey must work without it.
"""

from __future__ import annotations

import os

import pytest

from conftest import skip_or_fail

from .helpers import AXE, CHROMIUM, CHROMIUM_ARGS, axe_violations, describe


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is not installed: apt-get install chromium")
    if not AXE.exists():
        skip_or_fail(f"{AXE} is missing: run `make npm`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API refuses to run inside an event loop; pytest-django's live server has none,
    # but Django's async-unsafe check would see Playwright's loop thread, so allow it explicitly.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["with JavaScript", "without JavaScript"])
def page(request, browser, live_server):
    javascript = request.param == "with JavaScript"
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    if javascript:
        context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.base_url = live_server.url
    page.javascript = javascript
    yield page
    context.close()


@pytest.fixture
def check_accessible(page):
    """Call after each page load. With JavaScript, axe-core must find no WCAG 2.2 A/AA violation on it;
    without, the page must really have run no script (GOV.UK Frontend's first script marks the body)."""
    visited: list[str] = []

    def check() -> None:
        page.wait_for_load_state()
        visited.append(page.url)
        scripts_ran = "govuk-frontend-supported" in (page.locator("body").get_attribute("class") or "")
        assert scripts_ran == page.javascript, f"{page.url}: JavaScript {'did not run' if page.javascript else 'ran'}"
        if not page.javascript:
            return
        violations = axe_violations(page)
        assert not violations, f"axe-core: WCAG 2.2 A/AA violations on {page.url}:\n{describe(violations)}"

    check.visited = visited  # type: ignore[attr-defined]
    return check
