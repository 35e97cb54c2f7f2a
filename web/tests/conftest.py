import pytest

from tests import factories


@pytest.fixture
def signed_in(client):
    """Sign ``user`` in to the test client, password and two-factor both done."""

    def sign_in(user):
        if hasattr(factories, "verify_client"):  # two-factor sign-in in place
            return factories.verify_client(client, user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in
