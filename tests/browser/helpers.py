"""What every browser journey shares: starting Chromium, signing in, and the axe-core check.

``sign_in`` is the one place a journey signs in: password, then the two-factor code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "correct horse battery staple"  # the factories' password for every synthetic user


def sign_in(page: Any, user: Any, *, password: str = PASSWORD) -> None:
    """Sign ``user`` in through the sign-in page, as a person would: password, then the code
    their authenticator app shows (the user is given a confirmed authenticator first)."""
    from tests import factories

    factories.totp_device(user)
    page.goto(f"{page.base_url}/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/sign-in/" not in page.url, "sign-in failed"
    if "/two-factor/verify/" in page.url:
        page.get_by_label("Security code").fill(factories.totp_code(user))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        assert "/two-factor/" not in page.url, "two-factor verification failed"


def sign_out(page: Any) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the current page for WCAG 2.2 A and AA; return the violations.

    axe is loaded by the context's init script (see conftest): the pages' CSP rightly refuses an
    injected <script>, and an init script runs outside it without weakening the policy under test.
    """
    return page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        WCAG_22_AA,
    )


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(
        [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in violations],
        indent=2,
    )
