"""An action changes only through its documented operations: PATCH and PUT are refused with 405, and the
action is unchanged."""

from __future__ import annotations

import pytest

from mappa_workflow.models import AgencyType
from meetings.models import RiskAction
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
def test_patch_put_and_delete_on_an_action_are_405_and_change_nothing(api, method):
    action = factories.risk_action(AgencyType.POLICE)
    before = RiskAction.objects.values().get(pk=action.pk)
    client = api(factories.coordinator())
    response = getattr(client, method)(
        f"/api/v1/actions/{action.pk}/", {"state": "completed", "description": "Changed"}, format="json"
    )
    assert response.status_code == 405
    assert response["Content-Type"].startswith(("application/json", "application/problem+json"))
    assert RiskAction.objects.values().get(pk=action.pk) == before
