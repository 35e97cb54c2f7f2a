"""An account set up with a role but no area gets a clear refusal, never a server error."""

import pytest

from mappa_workflow.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/dashboard/", "/actions/", "/referrals/", "/cases/", "/meetings/", "/statistics/"])
def test_a_coordinator_with_no_area_is_told_to_ask_for_one(client, url):
    user = factories.UserFactory(area=None, agency=None, roles=[Role.COORDINATOR])
    factories.verify_client(client, user)
    response = client.get(url)
    assert response.status_code == 403
    assert "not linked to a MAPPA area" in response.content.decode()
