"""Headers every response carries, and what /healthz tells whom (issue 20)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/sign-in/", "/api/v1/referrals/", "/api/v1/no-such-thing/", "/healthz", "/static/css/application.css"]
)
def test_every_response_refuses_the_browser_features_the_service_never_uses(client, path):
    response = client.get(path)
    assert response.status_code in (200, 401, 404), response.status_code
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "fullscreen"):
        assert f"{feature}=()" in policy


def test_healthz_tells_the_public_only_the_status(client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_through_a_proxy_on_this_host_is_public(client):
    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert response.json() == {"status": "ok"}


def test_healthz_details_for_monitoring_on_the_host_and_for_administrators(client):
    assert "outbox" in client.get("/healthz", REMOTE_ADDR="::1").json()
    admin = factories.UserFactory(roles=["administrator"])
    signed_in = factories.verify_client(Client(REMOTE_ADDR="203.0.113.7"), admin)
    body = signed_in.get("/healthz").json()
    assert {"database", "broker", "outbox", "status"} <= set(body)
    coordinator = factories.verify_client(Client(REMOTE_ADDR="203.0.113.8"), factories.coordinator())
    assert coordinator.get("/healthz").json() == {"status": "ok"}


def test_healthz_without_an_address_is_public():
    client = Client(REMOTE_ADDR="")
    assert client.get("/healthz").json() == {"status": "ok"}
