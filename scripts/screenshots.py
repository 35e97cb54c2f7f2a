"""Refresh the README's screenshots: docs/screenshots/dashboard.png, meeting.png, agenda.png, month.png,
my-meetings.png and statistics.png.

Builds a throwaway SQLite database with the synthetic demo (``manage.py load_demo``), starts the
service on a free port, signs in through the real sign-in pages (password and two-factor code) with
Debian's Chromium, and captures the co-ordinator's dashboard, a meeting, the next panel's agenda and the month of panels, a police
officer's "My meetings", and the statistics page.
Run with ``make screenshots``. Needs /usr/bin/chromium and ``make npm`` (GOV.UK Frontend assets).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server stopped (exit {server.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"The server did not answer {url} within {timeout:.0f} seconds")


def _prepare(step: str) -> None:
    print(f"[screenshots] {step}", flush=True)


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, PASSWORD, sign_in

    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 1
    if not (ROOT / "static" / "govuk" / "govuk-frontend.min.css").exists():
        print("static/govuk is missing: run `make npm` first", file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="mappa-screenshots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings.development",
        "DEBUG": "true",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    _prepare("migrating a temporary database")
    call_command("migrate", verbosity=0, interactive=False)
    _prepare("loading the synthetic Northamptonshire demo")
    call_command("load_demo", area="northamptonshire", seed=2025)

    from mappa_workflow.models import AgencyType, Role
    from meetings.models import Meeting, MeetingState
    from tests import factories

    coordinator = factories.coordinator(username="screenshot.coordinator", first_name="Sam", last_name="Coordinator")
    smb = factories.UserFactory(username="screenshot.smb", roles=[Role.SMB_MEMBER])
    meeting = (
        Meeting.objects.filter(area=coordinator.area, state=MeetingState.MINUTES_APPROVED)
        .order_by("-starts_at")
        .first()
        or Meeting.objects.filter(area=coordinator.area).order_by("-starts_at").first()
    )

    upcoming = (
        Meeting.objects.filter(area=coordinator.area, state=MeetingState.SCHEDULED, agenda_items__isnull=False)
        .order_by("starts_at")
        .first()
    )
    officer = factories.practitioner(
        AgencyType.POLICE, area=coordinator.area, username="screenshot.police", first_name="Alex", last_name="Officer"
    )

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    _prepare(f"starting the service at {base}")
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"{base}/healthz", server)
        from playwright.sync_api import sync_playwright

        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

            def signed_in(user):  # type: ignore[no-untyped-def]
                context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
                page = context.new_page()
                page.base_url = base  # type: ignore[attr-defined]  # our own attribute, read by tests/browser's sign_in
                sign_in(page, user, password=PASSWORD)
                return context, page

            def shoot(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
                page.goto(url)
                page.screenshot(path=str(OUT / name), full_page=True)
                _prepare(name)

            context, page = signed_in(coordinator)
            shoot(page, "/dashboard/", "dashboard.png")
            if meeting is not None:
                shoot(page, f"/meetings/{meeting.pk}/", "meeting.png")
            else:
                print("The demo has no meeting: meeting.png not refreshed", file=sys.stderr)
            if upcoming is not None:
                shoot(page, f"/meetings/{upcoming.pk}/agenda/", "agenda.png")
            month = f"?month={upcoming.starts_at:%Y-%m}" if upcoming is not None else ""
            shoot(page, f"/meetings/month/{month}", "month.png")
            context.close()
            context, page = signed_in(officer)
            shoot(page, "/meetings/mine/", "my-meetings.png")
            context.close()
            context, page = signed_in(smb)
            shoot(page, "/statistics/", "statistics.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    print(f"Screenshots written to {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
