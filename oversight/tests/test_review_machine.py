"""Random sequences of the review's steps, against a small model of what each step may do: the service does what
the model says or refuses and changes nothing, and a review is never closed with its plan unfinished."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from case_reviews.models import ActionState, ReviewAction, ReviewState, SeriousCaseReview
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType, AuditEvent
from oversight import services
from tests import factories

pytestmark = pytest.mark.django_db

REPORT = {"background": "B.", "chronology": "C.", "findings": "F.", "learning_points": "L."}
PLAN = (ReviewState.COMMISSIONED, ReviewState.REPORT_DRAFTED, ReviewState.REPORT_APPROVED)


class ReviewLife(RuleBasedStateMachine):
    @initialize()
    def an_sfo_recorded(self):
        case = factories.registration_at_level(2, decided_on=timezone.localdate() - dt.timedelta(days=10))
        self.coordinator = factories.coordinator(case.area)
        self.smb = factories.board_chair(case.area)  # the chair decides (one chair across examples)
        self.lay = factories.lay_adviser(case.area)
        self.agency = factories.agency(case.area, AgencyType.POLICE)
        today = timezone.localdate()
        sfo = services.sfo_record(
            actor=self.coordinator, registration=case, offence_date=today, charged_on=today, offence="Arson"
        )
        self.review = sfo.review
        self.state = ReviewState.DECISION_DUE
        self.actions = {"open": 0, "completed": 0}
        self.transitions = 0

    def _step(self, allowed: bool, target: str | None, step) -> None:
        fresh = SeriousCaseReview.objects.get(pk=self.review.pk)
        try:
            step(fresh)
        except WorkflowError:
            assert not allowed, "the service refused a step the model allows"
        else:
            assert allowed, "the service allowed a step the model refuses"
            if target is not None:
                self.transitions += 1  # every transition writes its audit row (amending a draft too)
                self.state = target

    @rule()
    def decide_not_to_review(self):
        self._step(
            self.state == ReviewState.DECISION_DUE,
            ReviewState.NOT_REVIEWED,
            lambda r: services.scr_decide_not_to_review(actor=self.smb, review=r, criteria_met=[], reasons="No."),
        )

    @rule()
    def commission(self):
        self._step(
            self.state == ReviewState.DECISION_DUE,
            ReviewState.COMMISSIONED,
            lambda r: services.scr_commission(
                actor=self.smb,
                review=r,
                criteria_met=["lessons"],
                reasons="",
                remit="Sharing.",
                lay_adviser=self.lay,
            ),
        )

    @rule()
    def write_report(self):
        self._step(
            self.state in (ReviewState.COMMISSIONED, ReviewState.REPORT_DRAFTED),
            ReviewState.REPORT_DRAFTED,
            lambda r: services.scr_report_write(actor=self.coordinator, review=r, **REPORT),
        )

    @rule()
    def approve_report(self):
        self._step(
            self.state == ReviewState.REPORT_DRAFTED,
            ReviewState.REPORT_APPROVED,
            lambda r: services.scr_report_approve(actor=self.smb, review=r),
        )

    @rule()
    def add_action(self):
        allowed = self.state in PLAN
        self._step(
            allowed,
            None,
            lambda r: services.scr_action_add(
                actor=self.smb, review=r, description="Audit.", owning_agency=self.agency, due_date=dt.date(2030, 1, 1)
            ),
        )
        if allowed:
            self.actions["open"] += 1

    @rule()
    def complete_an_action(self):
        action = ReviewAction.objects.filter(review=self.review, state=ActionState.OPEN).first()
        if action is None:
            return
        allowed = self.state != ReviewState.CLOSED
        self._step(allowed, None, lambda r: services.scr_action_complete(actor=self.coordinator, action=action))
        if allowed:
            self.actions["open"] -= 1
            self.actions["completed"] += 1

    @rule()
    def close(self):
        allowed = self.state == ReviewState.REPORT_APPROVED and self.actions["completed"] and not self.actions["open"]
        self._step(bool(allowed), ReviewState.CLOSED, lambda r: services.scr_close(actor=self.smb, review=r))

    @invariant()
    def the_records_say_what_the_model_says(self):
        review = SeriousCaseReview.objects.get(pk=self.review.pk)
        assert review.state == self.state
        states = list(ReviewAction.objects.filter(review=review).values_list("state", flat=True))
        assert states.count(ActionState.OPEN) == self.actions["open"]
        assert states.count(ActionState.COMPLETED) == self.actions["completed"]
        if review.state == ReviewState.CLOSED:
            assert states and set(states) == {ActionState.COMPLETED}
        if review.state != ReviewState.DECISION_DUE:
            assert review.decided_by_id == self.smb.pk and review.decided_on is not None
        audited = AuditEvent.objects.filter(object_id=str(review.pk), action="transition").count()
        assert audited == self.transitions


def test_random_sequences_of_review_steps_follow_the_rules():
    run_state_machine_as_test(
        ReviewLife,
        settings=settings(
            max_examples=12, stateful_step_count=14, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
