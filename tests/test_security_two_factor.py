"""Sign-in: password, then a TOTP code from an authenticator app, for every user; production settings pass
`check --deploy`; demo accounts can still sign in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from mappa_workflow.models import AuditAction, AuditEvent
from mappa_workflow.two_factor import base32_secret, totp_code
from tests import factories

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"


def _password_only(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, "the password step failed"
    return response


def test_a_password_alone_opens_no_page_the_user_is_sent_to_set_up_an_authenticator(client):
    user = factories.coordinator()
    _password_only(client, user)
    response = client.get("/cases/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("two_factor:setup"))
    assert "next=%2Fcases%2F" in response.url


def test_first_sign_in_sets_up_the_authenticator_with_a_qr_code_and_a_key_then_the_page_opens(client):
    user = factories.coordinator()
    _password_only(client, user)
    page = client.get(reverse("two_factor:setup") + "?next=/cases/")
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert base32_secret(device)[:4].encode() in page.content

    wrong = client.post(reverse("two_factor:setup"), {"code": "000000", "next": "/cases/"})
    assert wrong.status_code == 200
    assert b"The security code is wrong" in wrong.content
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the next try must wait (doubling each time)
    device.throttle_reset()

    right = client.post(reverse("two_factor:setup"), {"code": totp_code(device, fresh=True), "next": "/cases/"})
    assert right.status_code == 302 and right.url == "/cases/"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get("/cases/").status_code == 200
    assert AuditEvent.objects.filter(actor=user, action=AuditAction.SIGN_IN).exists()


def test_every_later_sign_in_asks_for_the_current_code_and_refuses_an_old_or_reused_one(client):
    user = factories.practitioner()
    device = factories.totp_device(user)
    _password_only(client, user)
    assert client.get("/cases/").url.startswith(reverse("two_factor:verify"))
    # The set-up page cannot add a second authenticator once one exists (a stolen password cannot enrol one).
    assert client.get(reverse("two_factor:setup")).url.startswith(reverse("two_factor:verify"))

    code = factories.totp_code(user)
    not_digits = client.post(reverse("two_factor:verify"), {"code": "12ab"})
    assert b"Enter the security code as 6 digits" in not_digits.content
    ok = client.post(reverse("two_factor:verify"), {"code": code, "next": "https://evil.example/"})
    assert ok.status_code == 302 and ok.url == reverse("home"), "an off-site next is ignored"

    client.post(reverse("logout"))
    _password_only(client, user)
    reused = client.post(reverse("two_factor:verify"), {"code": code})
    assert reused.status_code == 200 and b"wrong or has expired" in reused.content
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_sign_in_sign_out_health_and_static_need_no_second_factor(client):
    user = factories.coordinator()
    _password_only(client, user)
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get(reverse("login")).status_code in (200, 302)
    assert client.post(reverse("logout")).status_code in (200, 302)


def test_the_api_needs_a_token_or_a_verified_session(client):
    user = factories.coordinator()
    _password_only(client, user)
    response = client.get("/api/v1/")
    assert response.status_code == 403
    assert "Two-factor" in response.json()["detail"]


def test_the_test_client_helper_signs_in_fully(client):
    user = factories.coordinator()
    factories.verify_client(client, user)
    assert client.get("/cases/").status_code == 200


def test_demo_accounts_have_an_authenticator_and_the_sign_ins_file_says_how_to_get_a_code(
    settings, tmp_path, monkeypatch
):
    from mappa_workflow import demo

    monkeypatch.setattr(demo, "SIGNINS_FILE", tmp_path / "demo_signins.txt")
    area = factories.northamptonshire()
    accounts = demo.create_demo_accounts(area)
    text = demo.write_signins(area, accounts)
    coordinator_device = TOTPDevice.objects.get(user__username="coordinator", confirmed=True)
    assert base32_secret(coordinator_device) in text
    assert "manage.py demo_totp <username>" in text
    # Running the demo again keeps each authenticator, so an app set up once keeps working.
    demo.create_demo_accounts(area)
    assert TOTPDevice.objects.get(user__username="coordinator").key == coordinator_device.key

    settings.DEBUG = True
    from io import StringIO

    out = StringIO()
    call_command("demo_totp", "coordinator", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == totp_code(coordinator_device, fresh=True)


def test_demo_totp_refuses_real_accounts_and_production(settings):
    settings.DEBUG = True
    real = factories.coordinator(is_synthetic=False)
    factories.totp_device(real)
    with pytest.raises(CommandError, match="not a synthetic demo account"):
        call_command("demo_totp", real.username)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", real.username)


def test_pages_send_the_security_headers(client):
    factories.verify_client(client, factories.coordinator())
    response = client.get("/cases/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.cookies["sessionid"]["httponly"]


def test_production_settings_pass_check_deploy_with_nothing_reported():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "Xy9#mQ2!vL8@pR5&zT1^wN4*kB7(cD3)eF6-gH0=jK2+lM5~nP8",
        "ALLOWED_HOSTS": "mappa.example.invalid",
    }
    env.pop("DEBUG", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_settings_turn_on_hsts_and_secure_cookies():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "Xy9#mQ2!vL8@pR5&zT1^wN4*kB7(cD3)eF6-gH0=jK2+lM5~nP8",
        "ALLOWED_HOSTS": "mappa.example.invalid",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG, s.SESSION_COOKIE_AGE)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.split() == ["31536000", "True", "True", "False", "1800"], result.stderr


def test_an_api_session_without_two_factor_gets_the_api_error_body(client):
    user = factories.coordinator()
    client.force_login(user)
    response = client.get("/api/v1/referrals/")
    assert response.status_code == 403
    body = response.json()
    assert body["status"] == 403
    assert "Two-factor verification is required" in body["detail"]
    assert body["errors"]["__all__"] == [body["detail"]]
