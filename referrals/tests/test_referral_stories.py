"""A referral changed, resubmitted, withdrawn or discarded: what the referrer and the co-ordinator are told when
it cannot be done (the message, against the field the page shows it by), what is saved when it can, and what the
audit trail keeps (who, which referral, what changed and why)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from mappa_workflow.exceptions import ConcurrentChangeError, NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, AuditAction, AuditEvent
from referrals import services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = pytest.mark.django_db

RELOAD = "This referral was changed by someone else while you were working on it. Reload the page and try again."


def _as_stored(referral: Referral) -> tuple:
    fresh = Referral.objects.get(pk=referral.pk)
    return (fresh.state, fresh.reason_for_referral, fresh.submitted_at, fresh.withdrawal_reason, fresh.updated_at)


def _latest_audit(referral: Referral) -> AuditEvent:
    return AuditEvent.objects.filter(object_id=str(referral.pk)).latest("pk")


# ---------------------------------------------------------------------------------------------
# Changing the answers
# ---------------------------------------------------------------------------------------------


def test_the_referrer_changes_an_answer_and_the_audit_row_names_the_field_not_the_answer():
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer)
    services.referral_update(actor=referrer, referral=draft, reason_for_referral="Escalating threats to a neighbour.")
    assert Referral.objects.get(pk=draft.pk).reason_for_referral == "Escalating threats to a neighbour."
    event = _latest_audit(draft)
    assert (event.actor, event.action, event.object_type, event.area_id) == (
        referrer,
        AuditAction.CHANGE,
        "referrals.Referral",
        draft.area_id,
    )
    assert event.details == {"fields": ["reason_for_referral"]}


def test_an_answer_the_form_does_not_have_is_refused_by_name_and_nothing_changes():
    draft = factories.draft_referral()
    before = _as_stored(draft)
    with pytest.raises(TypeError, match=r"^Unknown referral fields: \['favourite_colour', 'nickname'\]$"):
        services.referral_update(actor=factories.coordinator(), referral=draft, nickname="Tel", favourite_colour="blue")
    assert _as_stored(draft) == before


def test_a_decided_referral_cannot_be_changed_and_says_what_it_is_now():
    accepted = factories.accepted_referral(level=2)
    before = _as_stored(accepted)
    with pytest.raises(WorkflowError) as refused:
        services.referral_update(actor=factories.coordinator(), referral=accepted, reason_for_referral="Later thought")
    assert refused.value.errors == {"state": ["A referral that is accepted at level 2 cannot be changed"]}
    assert _as_stored(accepted) == before


def test_changing_a_draft_someone_has_just_discarded_says_it_no_longer_exists():
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer)
    still_open_in_another_tab = Referral.objects.get(pk=draft.pk)
    services.referral_discard(actor=referrer, referral=draft)
    with pytest.raises(WorkflowError) as refused:
        services.referral_update(actor=referrer, referral=still_open_in_another_tab, reason_for_referral="More")
    assert refused.value.errors == {"__all__": ["This referral no longer exists"]}


# ---------------------------------------------------------------------------------------------
# Resubmitting after a request for more information
# ---------------------------------------------------------------------------------------------


def _more_information_requested() -> Referral:
    referral = factories.submitted_referral()
    return services.referral_request_more_information(
        actor=factories.coordinator(), referral=referral, request="Which address is he living at?"
    )


def test_the_resubmitted_referral_is_dated_when_it_was_sent_again():
    asked = _more_information_requested()
    first_sent = Referral.objects.get(pk=asked.pk).submitted_at
    resent_at = timezone.make_aware(dt.datetime(2026, 12, 7, 10, 30))
    with time_machine.travel(resent_at, tick=False):
        services.referral_resubmit(actor=asked.referring_officer, referral=asked)
    fresh = Referral.objects.get(pk=asked.pk)
    assert fresh.state == ReferralState.RESUBMITTED
    assert fresh.submitted_at == resent_at != first_sent
    event = _latest_audit(asked)
    assert (event.actor, event.transition, event.from_state, event.to_state) == (
        asked.referring_officer,
        "resubmit",
        ReferralState.MORE_INFORMATION_REQUESTED,
        ReferralState.RESUBMITTED,
    )


def test_another_agency_cannot_resubmit_the_referral_and_nothing_changes():
    asked = _more_information_requested()
    before = _as_stored(asked)
    with pytest.raises(NotPermitted):
        services.referral_resubmit(actor=factories.practitioner(AgencyType.HOUSING), referral=asked)
    assert _as_stored(asked) == before


def test_a_referral_nobody_asked_more_of_cannot_be_resubmitted_and_says_why():
    submitted = factories.submitted_referral()
    before = _as_stored(submitted)
    with pytest.raises(WorkflowError) as refused:
        services.referral_resubmit(actor=submitted.referring_officer, referral=submitted)
    assert refused.value.errors == {"state": ["You cannot resubmit it because this referral is submitted"]}
    assert _as_stored(submitted) == before


@pytest.mark.parametrize("request_text", ["", "  ", None])
def test_asking_for_more_information_without_saying_what_is_refused_against_the_request(request_text):
    submitted = factories.submitted_referral()
    before = _as_stored(submitted)
    with pytest.raises(WorkflowError) as refused:
        services.referral_request_more_information(
            actor=factories.coordinator(), referral=submitted, request=request_text
        )
    assert refused.value.errors == {"request": ["Say what more information you need"]}
    assert _as_stored(submitted) == before


def test_more_information_cannot_be_asked_of_a_withdrawn_referral_and_says_why():
    submitted = factories.submitted_referral()
    services.referral_withdraw(actor=submitted.referring_officer, referral=submitted, reason="Moved abroad")
    withdrawn = Referral.objects.get(pk=submitted.pk)
    before = _as_stored(withdrawn)
    with pytest.raises(WorkflowError) as refused:
        services.referral_request_more_information(
            actor=factories.coordinator(), referral=withdrawn, request="Which address is he living at?"
        )
    assert refused.value.errors == {"state": ["You cannot ask for more information because this referral is withdrawn"]}
    assert _as_stored(withdrawn) == before


# ---------------------------------------------------------------------------------------------
# Withdrawing
# ---------------------------------------------------------------------------------------------


def test_the_referrer_withdraws_a_referral_with_a_reason_kept_on_it_and_in_the_audit_trail():
    submitted = factories.submitted_referral()
    services.referral_withdraw(actor=submitted.referring_officer, referral=submitted, reason="  Recalled to custody. ")
    fresh = Referral.objects.get(pk=submitted.pk)
    assert (fresh.state, fresh.withdrawal_reason) == (ReferralState.WITHDRAWN, "Recalled to custody.")
    event = _latest_audit(submitted)
    assert (event.actor, event.transition, event.reason) == (
        submitted.referring_officer,
        "withdraw",
        "Recalled to custody.",
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_withdrawal_without_a_reason_is_refused_against_the_reason_field(reason):
    submitted = factories.submitted_referral()
    before = _as_stored(submitted)
    with pytest.raises(WorkflowError) as refused:
        services.referral_withdraw(actor=submitted.referring_officer, referral=submitted, reason=reason)
    assert refused.value.errors == {"reason": ["Enter why the referral is withdrawn"]}
    assert _as_stored(submitted) == before


def test_a_referral_already_withdrawn_cannot_be_withdrawn_again():
    submitted = factories.submitted_referral()
    services.referral_withdraw(actor=submitted.referring_officer, referral=submitted, reason="Recalled to custody.")
    withdrawn = Referral.objects.get(pk=submitted.pk)
    before = _as_stored(withdrawn)
    with pytest.raises(WorkflowError) as refused:
        services.referral_withdraw(actor=withdrawn.referring_officer, referral=withdrawn, reason="Again")
    assert refused.value.errors == {"state": ["You cannot withdraw it because this referral is withdrawn"]}
    assert _as_stored(withdrawn) == before


# ---------------------------------------------------------------------------------------------
# Discarding a draft that someone else acted on first
# ---------------------------------------------------------------------------------------------


def test_discarding_a_draft_someone_has_just_sent_is_refused_and_the_referral_is_kept():
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer)
    loaded_as_draft = Referral.objects.get(pk=draft.pk)
    services.referral_submit(actor=referrer, referral=draft)
    with pytest.raises(ConcurrentChangeError) as refused:
        services.referral_discard(actor=factories.coordinator(), referral=loaded_as_draft)
    assert refused.value.errors == {"__all__": [RELOAD]}
    assert Referral.objects.get(pk=draft.pk).state == ReferralState.SUBMITTED


def test_discarding_a_draft_someone_has_just_discarded_says_it_no_longer_exists():
    referrer = factories.practitioner(AgencyType.PROBATION)
    draft = factories.draft_referral(referrer=referrer)
    loaded_twice = Referral.objects.get(pk=draft.pk)
    services.referral_discard(actor=referrer, referral=draft)
    with pytest.raises(WorkflowError) as refused:
        services.referral_discard(actor=factories.coordinator(), referral=loaded_twice)
    assert refused.value.errors == {"__all__": ["This referral no longer exists"]}
    assert AuditEvent.objects.filter(transition="discard").count() == 1
