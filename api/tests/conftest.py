from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from mappa_workflow.models import User
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """A client signed in with ``user``'s API token (or with no credentials)."""

    def client_for(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")
        return client

    return client_for
