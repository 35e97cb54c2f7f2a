"""What every state change shares (mappa_workflow/services_base.py), told on a referral: a record changed or
deleted since it was loaded is refused, a transition the state does not allow names the state, one whose
conditions are not met says so, and a change that goes through saves the named fields and its audit row.

Written against the surviving mutants of `make mutation` (docs/contributing.md, "Mutation testing").
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow import services_base as base
from mappa_workflow.exceptions import ConcurrentChangeError, WorkflowError
from mappa_workflow.models import AuditAction, AuditEvent
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = pytest.mark.django_db


def transitions_of(referral: Referral):
    return AuditEvent.objects.filter(
        object_id=str(referral.pk), action=AuditAction.TRANSITION, transition="request_more_information"
    ).order_by("pk")


def test_a_referral_changed_by_someone_else_since_it_was_loaded_is_refused():
    referral = factories.submitted_referral()
    seen = Referral.objects.get(pk=referral.pk)
    assert base.lock_for_change(seen, state_field="state", what="This referral").pk == referral.pk
    Referral.objects.filter(pk=referral.pk).update(state=ReferralState.MORE_INFORMATION_REQUESTED)
    with pytest.raises(ConcurrentChangeError):
        base.lock_for_change(seen, state_field="state", what="This referral")


def test_a_referral_deleted_since_it_was_loaded_is_named_as_gone():
    referral = factories.draft_referral()
    seen = Referral.objects.get(pk=referral.pk)
    Referral.objects.filter(pk=referral.pk).delete()
    with pytest.raises(WorkflowError, match=r"^This referral no longer exists$"):
        base.lock_for_change(seen, state_field="state", what="This referral")


def test_the_lock_returns_what_is_in_the_database_now_not_the_caller_s_copy():
    referral = factories.draft_referral()
    seen = Referral.objects.get(pk=referral.pk)
    Referral.objects.filter(pk=referral.pk).update(reason_for_referral="Changed meanwhile, state unchanged")
    fresh = base.lock_for_change(seen, state_field="state", what="This referral")
    assert fresh is not seen
    assert fresh.reason_for_referral == "Changed meanwhile, state unchanged"


def test_a_transition_the_state_does_not_allow_names_the_state_and_changes_nothing():
    referral = factories.draft_referral()
    with pytest.raises(WorkflowError) as refused:
        base.apply_transition(
            referral,
            "request_more_information",
            actor=None,
            what="This referral",
            action_label="ask for more information",
            request="More please",
        )
    assert refused.value.errors == {"state": ["You cannot ask for more information because this referral is draft"]}
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.DRAFT
    assert not transitions_of(referral).exists()


def test_a_transition_whose_conditions_are_not_met_says_the_record_is_not_ready():
    referral = factories.draft_referral()
    Referral.objects.filter(pk=referral.pk).update(reason_for_referral="")
    referral.refresh_from_db()
    with pytest.raises(WorkflowError, match=r"^The referral is not ready to submit it$") as refused:
        base.apply_transition(referral, "submit", actor=None, what="Referral", action_label="submit it")
    assert "state" not in refused.value.errors
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.DRAFT


def test_a_transition_saves_the_state_and_named_fields_and_writes_its_audit_row():
    referral = factories.submitted_referral()
    coordinator = factories.coordinator()
    Referral.objects.filter(pk=referral.pk).update(reason_for_referral="Saved meanwhile by someone else")
    done = base.apply_transition(
        referral,
        "request_more_information",
        actor=coordinator,
        what="This referral",
        action_label="ask for more information",
        update_fields=["more_information_request"],
        reason="Need the index offence date",
        details={"asked": "offence date"},
        request="Need the index offence date",
    )
    assert done is referral
    stored = Referral.objects.get(pk=referral.pk)
    assert stored.state == ReferralState.MORE_INFORMATION_REQUESTED
    assert stored.more_information_request == "Need the index offence date"
    assert stored.reason_for_referral == "Saved meanwhile by someone else", "only the named fields are saved"
    (row,) = transitions_of(referral)
    assert row.actor == coordinator
    assert (row.transition, row.from_state, row.to_state) == (
        "request_more_information",
        ReferralState.SUBMITTED,
        ReferralState.MORE_INFORMATION_REQUESTED,
    )
    assert row.reason == "Need the index offence date"
    assert row.details == {"asked": "offence date"}


def test_a_transition_that_leaves_the_record_invalid_names_the_field_and_saves_nothing():
    referral = factories.submitted_referral()
    referral.category = 99
    with pytest.raises(WorkflowError) as refused:
        base.apply_transition(
            referral,
            "request_more_information",
            actor=None,
            what="This referral",
            action_label="ask for more information",
            update_fields=["more_information_request", "category"],
            request="More please",
        )
    assert list(refused.value.errors) == ["category"]
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.SUBMITTED
    assert not transitions_of(referral).exists()


@pytest.mark.parametrize(
    ("what", "subject"),
    [("This referral", "this referral"), ("Referral", "the referral"), (" The meeting ", "the meeting")],
)
def test_the_record_is_named_as_the_sentence_needs(what, subject):
    assert base._subject(what) == subject


@pytest.mark.parametrize("value", [None, "", "   \n"])
def test_a_missing_text_names_its_field(value):
    with pytest.raises(WorkflowError) as refused:
        base.require_text(value, field="reason", message="Enter the reason")
    assert refused.value.errors == {"reason": ["Enter the reason"]}


def test_a_text_is_kept_without_its_surrounding_spaces():
    assert base.require_text("  Moved to Level 3 \n", field="reason", message="Enter the reason") == "Moved to Level 3"


def test_a_date_must_be_given_and_not_in_the_future():
    today = timezone.localdate()
    assert base.require_not_future(today, field="occurred_on", label="date of the event") == today
    yesterday = today - dt.timedelta(days=1)
    assert base.require_not_future(yesterday, field="occurred_on", label="date of the event") == yesterday
    with pytest.raises(WorkflowError) as missing:
        base.require_not_future(None, field="occurred_on", label="date of the event")
    assert missing.value.errors == {"occurred_on": ["Enter the date of the event"]}
    with pytest.raises(WorkflowError) as future:
        base.require_not_future(today + dt.timedelta(days=1), field="occurred_on", label="date of the event")
    assert future.value.errors == {"occurred_on": ["The date of the event must be today or in the past"]}
