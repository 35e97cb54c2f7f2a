"""Every referral transition, allowed and forbidden, through the services a user's click calls."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AuditEvent
from referrals import services
from referrals.models import Referral, ReferralState
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]
TOMORROW = object()  # resolved when the test runs, so the answer is tomorrow whatever the clock says


def referral_in(state: str) -> Referral:
    """A referral brought to ``state`` the way users would bring it there."""
    referral = factories.draft_referral()
    coordinator = factories.coordinator()
    referrer = referral.referring_officer
    if state == ReferralState.DRAFT:
        return referral
    referral = services.referral_submit(actor=referrer, referral=referral)
    if state == ReferralState.SUBMITTED:
        return referral
    if state in (ReferralState.MORE_INFORMATION_REQUESTED, ReferralState.RESUBMITTED):
        referral = services.referral_request_more_information(
            actor=coordinator, referral=referral, request="What is the proposed address?"
        )
        if state == ReferralState.MORE_INFORMATION_REQUESTED:
            return referral
        return services.referral_resubmit(actor=referrer, referral=referral)
    if state == ReferralState.WITHDRAWN:
        return services.referral_withdraw(actor=referrer, referral=referral, reason="Person deported")
    decision = {
        ReferralState.ACCEPTED_LEVEL_2: "level_2",
        ReferralState.ACCEPTED_LEVEL_3: "level_3",
        ReferralState.MANAGED_AT_LEVEL_1: "level_1",
    }[state]
    return services.referral_decide(
        actor=coordinator,
        referral=referral,
        decision=decision,
        rationale="Threshold discussion recorded in the minutes.",
        why_level_2_cannot_manage="Needs senior resources" if decision == "level_3" else None,
    )


def do(action: str, referral: Referral) -> Referral:
    coordinator = factories.coordinator()
    referrer = referral.referring_officer
    if action == "submit":
        return services.referral_submit(actor=referrer, referral=referral)
    if action == "request_more_information":
        return services.referral_request_more_information(actor=coordinator, referral=referral, request="Risk summary?")
    if action == "resubmit":
        return services.referral_resubmit(actor=referrer, referral=referral)
    if action == "withdraw":
        return services.referral_withdraw(actor=referrer, referral=referral, reason="No longer needed")
    return services.referral_decide(
        actor=coordinator,
        referral=referral,
        decision=action,
        rationale="Agreed at the threshold meeting.",
        why_level_2_cannot_manage="Needs senior resources" if action == "level_3" else None,
    )


S = ReferralState
ALLOWED = {
    S.DRAFT: {"submit": S.SUBMITTED, "withdraw": S.WITHDRAWN},
    S.SUBMITTED: {
        "request_more_information": S.MORE_INFORMATION_REQUESTED,
        "level_2": S.ACCEPTED_LEVEL_2,
        "level_3": S.ACCEPTED_LEVEL_3,
        "level_1": S.MANAGED_AT_LEVEL_1,
        "withdraw": S.WITHDRAWN,
    },
    S.MORE_INFORMATION_REQUESTED: {"resubmit": S.RESUBMITTED, "withdraw": S.WITHDRAWN},
    S.RESUBMITTED: {
        "request_more_information": S.MORE_INFORMATION_REQUESTED,
        "level_2": S.ACCEPTED_LEVEL_2,
        "level_3": S.ACCEPTED_LEVEL_3,
        "level_1": S.MANAGED_AT_LEVEL_1,
        "withdraw": S.WITHDRAWN,
    },
    S.ACCEPTED_LEVEL_2: {},
    S.ACCEPTED_LEVEL_3: {},
    S.MANAGED_AT_LEVEL_1: {},
    S.WITHDRAWN: {},
}
ACTIONS = ["submit", "request_more_information", "resubmit", "level_2", "level_3", "level_1", "withdraw"]
CASES = [(state, action) for state in ALLOWED for action in ACTIONS]


@pytest.mark.parametrize(("state", "action"), CASES, ids=[f"{s}-{a}" for s, a in CASES])
def test_each_action_from_each_state_is_allowed_or_refused_without_saving(state, action):
    referral = referral_in(state)
    audit_rows_before = AuditEvent.objects.count()
    expected = ALLOWED[state].get(action)
    if expected is None:
        with pytest.raises(WorkflowError) as refused:
            do(action, referral)
        assert "state" in refused.value.errors
        referral.refresh_from_db()
        assert referral.state == state
        assert AuditEvent.objects.count() == audit_rows_before
    else:
        done = do(action, referral)
        assert done.state == expected
        assert Referral.objects.get(pk=referral.pk).state == expected
        row = AuditEvent.objects.order_by("-id").filter(object_id=str(referral.pk)).first()
        assert (row.from_state, row.to_state) == (state, expected)


def test_a_referral_whose_journey_looped_through_more_information_lists_every_step_in_its_audit_rows():
    referral = referral_in(ReferralState.RESUBMITTED)
    referral = do("level_3", referral)
    rows = AuditEvent.objects.filter(object_type="referrals.Referral", object_id=str(referral.pk)).order_by("id")
    assert [(r.action, r.transition, r.from_state, r.to_state) for r in rows] == [
        ("create", "", "", "draft"),
        ("transition", "submit", "draft", "submitted"),
        ("transition", "request_more_information", "submitted", "more_information_requested"),
        ("transition", "resubmit", "more_information_requested", "resubmitted"),
        ("transition", "accept_at_level_3", "resubmitted", "accepted_level_3"),
    ]
    assert rows.last().reason == "Agreed at the threshold meeting."
    assert all(r.actor_id for r in rows)


class TestBadInputIsRefusedNamingTheFieldAndSavesNothing:
    def test_submitting_without_mandatory_answers_names_each_missing_field(self):
        referral = factories.draft_referral(index_offence="", sentence_date=None, risk_of_serious_harm="")
        with pytest.raises(WorkflowError) as refused:
            services.referral_submit(actor=referral.referring_officer, referral=referral)
        assert set(refused.value.errors) == {"index_offence", "sentence_date", "risk_of_serious_harm"}
        assert refused.value.errors["index_offence"] == ["Enter the index offence"]
        referral.refresh_from_db()
        assert referral.state == ReferralState.DRAFT

    def test_a_level_3_referral_must_say_what_level_2_cannot_deliver(self):
        referral = factories.draft_referral(level_requested=3)
        with pytest.raises(WorkflowError) as refused:
            services.referral_submit(actor=referral.referring_officer, referral=referral)
        assert "why_level_2_cannot_manage" in refused.value.errors

    def test_category_3_cannot_be_referred_for_level_1(self):
        with pytest.raises(WorkflowError) as refused:
            factories.draft_referral(category=3, level_requested=1)
        assert "level_requested" in refused.value.errors
        assert not Referral.objects.exists()

    @pytest.mark.parametrize(
        ("answers", "field"),
        [
            ({"index_offence_date": TOMORROW}, "index_offence_date"),
            ({"sentence_date": dt.date(2019, 1, 1), "index_offence_date": dt.date(2019, 5, 2)}, "sentence_date"),
            ({"sentence_expiry_date": dt.date(2010, 1, 1)}, "sentence_expiry_date"),
            ({"index_offence_date": dt.date(1850, 1, 1)}, "index_offence_date"),
        ],
    )
    def test_impossible_dates_are_refused(self, answers, field):
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        answers = {key: tomorrow if value is TOMORROW else value for key, value in answers.items()}
        with pytest.raises(WorkflowError) as refused:
            factories.draft_referral(**answers)
        assert field in refused.value.errors
        assert not Referral.objects.exists()

    def test_a_decision_without_rationale_is_refused(self):
        referral = referral_in(ReferralState.SUBMITTED)
        with pytest.raises(WorkflowError) as refused:
            services.referral_decide(
                actor=factories.coordinator(), referral=referral, decision="level_2", rationale="  "
            )
        assert refused.value.errors == {"rationale": ["Enter the rationale for the decision"]}
        referral.refresh_from_db()
        assert referral.state == ReferralState.SUBMITTED
        assert referral.registration is None

    def test_a_decision_dated_in_the_future_is_refused(self):
        referral = referral_in(ReferralState.SUBMITTED)
        with pytest.raises(WorkflowError) as refused:
            services.referral_decide(
                actor=factories.coordinator(),
                referral=referral,
                decision="level_2",
                rationale="ok",
                decided_on=timezone.localdate() + dt.timedelta(days=3),
            )
        assert "decided_on" in refused.value.errors

    def test_a_level_3_decision_needs_what_level_2_cannot_deliver(self):
        referral = referral_in(ReferralState.SUBMITTED)
        with pytest.raises(WorkflowError) as refused:
            services.referral_decide(
                actor=factories.coordinator(), referral=referral, decision="level_3", rationale="x"
            )
        assert "why_level_2_cannot_manage" in refused.value.errors
        referral.refresh_from_db()
        assert referral.state == ReferralState.SUBMITTED

    def test_an_answered_draft_cannot_be_changed_after_submission(self):
        referral = referral_in(ReferralState.SUBMITTED)
        with pytest.raises(WorkflowError) as refused:
            services.referral_update(actor=referral.referring_officer, referral=referral, sentence="Life")
        assert "state" in refused.value.errors


def test_someone_acting_on_a_stale_copy_is_told_to_reload():
    referral = referral_in(ReferralState.SUBMITTED)
    stale_copy = Referral.objects.get(pk=referral.pk)
    do("level_2", referral)
    with pytest.raises(WorkflowError) as conflict:
        do("withdraw", stale_copy)
    assert "changed by someone else" in conflict.value.message
    assert Referral.objects.get(pk=referral.pk).state == ReferralState.ACCEPTED_LEVEL_2


class TestAcceptance:
    def test_level_3_first_meeting_is_due_in_five_working_days(self):
        referral = factories.accepted_referral(level=3, decided_on=dt.date(2025, 4, 16))
        # Wed 16 April 2025: Good Friday (18th) and Easter Monday (21st) are bank holidays
        assert referral.first_meeting_due == dt.date(2025, 4, 25)
        assert referral.registration.first_meeting_due == dt.date(2025, 4, 25)

    def test_timescales_are_configurable_per_area(self):
        from mappa_workflow.models import AreaSettings

        settings = AreaSettings.for_area(factories.northamptonshire())
        settings.first_meeting_working_days_level_2 = 10
        settings.save()
        referral = factories.accepted_referral(level=2, decided_on=dt.date(2025, 6, 2))
        assert referral.first_meeting_due == dt.date(2025, 6, 16)

    def test_accepting_someone_already_registered_at_level_1_moves_their_level(self):
        referral = factories.submitted_referral(category=1, submitted_on=dt.date(2025, 3, 1))
        person = referral.individual
        police = factories.agency(person.area, "police")
        registration = services.registration_open(
            actor=None,
            individual=person,
            area=person.area,
            category=1,
            level=1,
            location="community",
            lead_agency=police,
            start_date=dt.date(2020, 1, 1),
            reason="Convicted; subject to notification",
        )
        referral = services.referral_decide(
            actor=factories.coordinator(),
            referral=referral,
            decision="level_2",
            rationale="Escalating risk",
            decided_on=dt.date(2025, 3, 3),
        )
        registration.refresh_from_db()
        assert referral.registration == registration
        assert registration.level == 2
        assert [(p.level, p.start_date, p.end_date) for p in registration.periods.order_by("start_date")] == [
            (1, dt.date(2020, 1, 1), dt.date(2025, 3, 3)),
            (2, dt.date(2025, 3, 3), None),
        ]

    def test_level_1_decision_for_category_3_registers_nobody(self):
        referral = factories.submitted_referral(category=3)
        referral = services.referral_decide(
            actor=factories.coordinator(), referral=referral, decision="level_1", rationale="Below threshold"
        )
        assert referral.state == ReferralState.MANAGED_AT_LEVEL_1
        assert referral.registration is None
        assert not referral.individual.registrations.exists()

    def test_level_1_decision_for_category_2_registers_them_at_level_1(self):
        referral = factories.submitted_referral(category=2)
        referral = services.referral_decide(
            actor=factories.coordinator(), referral=referral, decision="level_1", rationale="Managed by probation alone"
        )
        assert referral.registration.level == 1
        assert referral.first_meeting_due is None


def test_an_agency_practitioner_cannot_screen_a_referral():
    from mappa_workflow.exceptions import NotPermitted

    referral = referral_in(ReferralState.SUBMITTED)
    with pytest.raises(NotPermitted):
        services.referral_decide(actor=referral.referring_officer, referral=referral, decision="level_2", rationale="x")


def test_a_coordinator_of_another_area_cannot_screen_a_referral():
    from mappa_workflow.exceptions import NotPermitted
    from mappa_workflow.models import Area

    referral = referral_in(ReferralState.SUBMITTED)
    with pytest.raises(NotPermitted):
        services.referral_decide(
            actor=factories.coordinator(Area.objects.get(slug="kent")),
            referral=referral,
            decision="level_2",
            rationale="x",
        )
