"""Random sequences of what users do to a case never break the registration history.

Hypothesis drives level changes, recalls, releases, hospital stays, category changes, exits and
re-registrations in random order on random dates. After every step: periods are contiguous, never
overlap, at most one is open, Category 3 is never at Level 1, and the state machine agrees with the
open period. Refused actions leave everything as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from mappa_workflow.exceptions import WorkflowError
from referrals import services
from referrals.models import LEVEL_FOR_STATUS, LifeEventType, RegistrationPeriod, RegistrationStatus
from tests import factories

pytestmark = pytest.mark.django_db

EVENTS = [
    LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
    LifeEventType.RETURNED_TO_CUSTODY_SHPO,
    LifeEventType.RELEASED,
    LifeEventType.HOSPITAL_ADMISSION,
    LifeEventType.HOSPITAL_DISCHARGE,
    LifeEventType.SRO_BREACHED,
    LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
]


class RegistrationHistory(RuleBasedStateMachine):
    @initialize()
    def a_person_and_the_people_who_act(self):
        self.person = factories.IndividualFactory()
        self.coordinator = factories.coordinator(counter_terrorism_cleared=True)  # Category 4 is among the cases
        self.lead = factories.agency(self.person.area, "probation")
        self.day = dt.date(2015, 1, 1)

    def _snapshot(self):
        return list(
            RegistrationPeriod.objects.filter(individual=self.person)
            .order_by("start_date", "id")
            .values_list("start_date", "end_date", "category", "level", "location")
        )

    def _attempt(self, action):
        before = self._snapshot()
        try:
            action()
        except WorkflowError:
            assert self._snapshot() == before, "a refused action changed the history"

    def _active(self):
        return self.person.registrations.active().first()

    @rule(gap=st.integers(0, 400))
    def time_passes(self, gap):
        self.day = min(self.day + dt.timedelta(days=gap), dt.date(2026, 1, 1))

    @rule(
        category=st.integers(1, 4),
        level=st.integers(1, 3),
        location=st.sampled_from(["community", "custody", "hospital"]),
    )
    def register(self, category, level, location):
        self._attempt(
            lambda: services.registration_open(
                actor=None,
                individual=self.person,
                area=self.person.area,
                category=category,
                level=level,
                location=location,
                lead_agency=self.lead,
                start_date=self.day,
                reason="registered",
            )
        )

    @rule(level=st.integers(1, 3), category=st.one_of(st.none(), st.integers(1, 4)))
    def change_level(self, level, category):
        registration = self._active()
        if registration is not None:
            self._attempt(
                lambda: services.registration_change_level(
                    actor=self.coordinator,
                    registration=registration,
                    level=level,
                    category=category,
                    effective_date=self.day,
                    reason="panel",
                )
            )

    @rule(category=st.integers(1, 4))
    def change_category(self, category):
        registration = self._active()
        if registration is not None:
            self._attempt(
                lambda: services.registration_change_circumstances(
                    actor=self.coordinator,
                    registration=registration,
                    effective_date=self.day,
                    reason="re-assessed",
                    category=category,
                )
            )

    @rule(event=st.sampled_from(EVENTS))
    def life_event(self, event):
        self._attempt(
            lambda: services.life_event_record(
                actor=self.coordinator, individual=self.person, event_type=event, occurred_on=self.day
            )
        )

    @rule(reason=st.sampled_from(["risk_reduced", "deceased", "licence_or_order_ended"]))
    def exit(self, reason):
        registration = self._active()
        if registration is not None:
            self._attempt(
                lambda: services.registration_exit(
                    actor=self.coordinator, registration=registration, reason=reason, effective_date=self.day
                )
            )

    @invariant()
    def history_has_no_gaps_overlaps_or_impossible_levels(self):
        if not hasattr(self, "person"):
            return
        for registration in self.person.registrations.all():
            periods = list(registration.periods.order_by("start_date"))
            assert periods, "a registration without periods"
            assert periods[0].start_date == registration.started_on
            for earlier, later in itertools.pairwise(periods):
                assert earlier.end_date == later.start_date, "gap or overlap between periods"
            for period in periods:
                assert period.end_date is None or period.end_date > period.start_date
                assert not (period.category == 3 and period.level == 1)
            open_periods = [p for p in periods if p.end_date is None]
            if registration.status == RegistrationStatus.EXITED:
                assert not open_periods
                assert periods[-1].end_date == registration.ended_on
            else:
                assert len(open_periods) == 1
                assert LEVEL_FOR_STATUS[registration.status] == open_periods[0].level
        registrations = list(self.person.registrations.order_by("started_on"))
        assert sum(r.status != RegistrationStatus.EXITED for r in registrations) <= 1
        for earlier, later in itertools.pairwise(registrations):
            assert earlier.ended_on is not None and earlier.ended_on <= later.started_on


def test_random_sequences_of_actions_never_break_the_history():
    # Each example starts with a new person, so examples sharing the test transaction do not interfere.
    run_state_machine_as_test(
        RegistrationHistory,
        settings=settings(
            max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
