import pytest

from mappa_workflow.audit import audit_record, verify_chain
from mappa_workflow.models import AuditEvent
from tests.factories import audit_triggers_bypassed

pytestmark = pytest.mark.django_db


def test_each_row_chains_to_the_one_before_and_an_altered_row_is_caught():
    for n in range(3):
        audit_record(actor=None, action="create", object_type="referrals.Referral", object_id=str(n))
    assert verify_chain() == (3, None, "")
    second = AuditEvent.objects.order_by("id")[1]
    # Alter the row behind the application's back: the database trigger would refuse this UPDATE.
    with audit_triggers_bypassed():
        AuditEvent.objects.filter(pk=second.pk).update(reason="edited later")
    checked, broken, why = verify_chain()
    assert (checked, broken.pk) == (1, second.pk)
    assert "altered" in why
