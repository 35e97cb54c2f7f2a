"""A person's MAPPA history as a list of dated steps, and two ways to write it.

The generator (and the property tests) plan histories as steps: open a registration, change level or
category, record an event, exit. :class:`BulkWriter` turns steps into rows in memory, with the same
rules as ``referrals.services`` (half-open periods with no gaps or overlaps, a same-day change replaces
the period begun that day, Category 3 only at Level 2 or 3), ready for ``bulk_create``.
:class:`ServiceWriter` runs the same steps through the services, so those people get a real audit trail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Union

from django.db.models import Model

from mappa_workflow.models import Agency, Area, User
from referrals import services
from referrals.models import (
    Category,
    ExitReason,
    Individual,
    LifeEvent,
    LifeEventType,
    Location,
    Registration,
    RegistrationPeriod,
    RegistrationStatus,
)


@dataclass(frozen=True)
class Open:
    on: date
    category: int
    level: int
    location: str = Location.COMMUNITY
    reason: str = "Became MAPPA-eligible"
    via_referral: bool = False  # accepted at Level 2/3 through a MAPPA A referral (service writer)


@dataclass(frozen=True)
class ChangeLevel:
    on: date
    level: int
    reason: str
    category: int | None = None
    via_referral: bool = False


@dataclass(frozen=True)
class Event:
    on: date
    event_type: str
    foreign_travel_restriction: bool = False


@dataclass(frozen=True)
class Exit:
    on: date
    reason: str


Step = Union[Open, ChangeLevel, Event, Exit]  # noqa: UP007

LOCATION_AFTER = {
    LifeEventType.RETURNED_TO_CUSTODY_LICENCE: Location.CUSTODY,
    LifeEventType.RETURNED_TO_CUSTODY_SHPO: Location.CUSTODY,
    LifeEventType.RELEASED: Location.COMMUNITY,
    LifeEventType.HOSPITAL_ADMISSION: Location.HOSPITAL,
    LifeEventType.HOSPITAL_DISCHARGE: Location.COMMUNITY,
}


class HistoryError(ValueError):
    """A planned history that breaks a registration rule."""


@dataclass
class Plan:
    """One individual's history. ``steps`` must be in date order."""

    individual: Individual
    steps: list[Step] = field(default_factory=list)
    via_services: bool = False

    def add(self, step: Step) -> None:
        if self.steps and step.on < self.steps[-1].on:
            raise HistoryError(f"{step} is dated before the previous step {self.steps[-1]}")
        self.steps.append(step)


def uuid_from(rng) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class BulkWriter:
    """Collects the rows of many plans; :meth:`flush` writes them with ``bulk_create`` in batches."""

    def __init__(self, *, area: Area, lead_agency: Callable[[int], Agency], rng, batch_size: int = 2000) -> None:  # type: ignore[no-untyped-def]
        self.area = area
        self.lead_agency = lead_agency
        self.rng = rng
        self.batch_size = batch_size
        self.individuals: list[Individual] = []
        self.registrations: list[Registration] = []
        self.periods: list[RegistrationPeriod] = []
        self.events: list[LifeEvent] = []

    # The in-memory equivalent of referrals.services.registrations._change_period.
    def _change(self, state: dict, on: date, reason: str, **values: object) -> None:
        current: RegistrationPeriod = state["period"]
        if on < current.start_date:
            raise HistoryError(f"change on {on} before the current period began on {current.start_date}")
        new = {k: values.get(k, getattr(current, k)) for k in ("category", "level", "location")}
        if new["category"] == Category.OTHER_DANGEROUS and new["level"] == 1:
            raise HistoryError("Category 3 only at Level 2 or 3")
        if all(getattr(current, k) == v for k, v in new.items()):
            return
        if on == current.start_date:
            for k, v in new.items():
                setattr(current, k, v)
            current.change_reason = reason[:200]
        else:
            current.end_date = on
            period = RegistrationPeriod(
                registration_id=state["registration"]["id"],
                individual=current.individual,
                area=self.area,
                start_date=on,
                lead_agency=self.lead_agency(new["category"]),  # type: ignore[arg-type]
                change_reason=reason[:200],
                **new,
            )
            self.periods.append(period)
            state["period"] = period
        state["registration"]["status"] = RegistrationStatus(f"level_{new['level']}")

    def _open(
        self, individual: Individual, state: dict, on: date, category: int, level: int, location: str, reason: str
    ) -> None:
        if state.get("registration") is not None:
            raise HistoryError(f"{individual} already has an active registration")
        if category == Category.OTHER_DANGEROUS and level == 1:
            raise HistoryError("Category 3 only at Level 2 or 3")
        if state.get("last_end") and on < state["last_end"]:
            raise HistoryError("a registration cannot start before the previous one ended")
        # The FSM status is protected once a Registration exists, so build it when the plan is done.
        registration: dict[str, Any] = {
            "id": uuid_from(self.rng),
            "individual": individual,
            "status": RegistrationStatus(f"level_{level}"),
            "started_on": on,
            "ended_on": None,
            "exit_reason": "",
        }
        period = RegistrationPeriod(
            registration_id=registration["id"],
            individual=individual,
            area=self.area,
            start_date=on,
            category=category,
            level=level,
            location=location,
            lead_agency=self.lead_agency(category),
            change_reason=reason[:200],
        )
        state["pending"].append(registration)
        self.periods.append(period)
        state.update(registration=registration, period=period)

    def _exit(self, state: dict, on: date, reason: str) -> None:
        registration: dict | None = state.get("registration")
        if registration is None:
            raise HistoryError("no active registration to end")
        current: RegistrationPeriod = state["period"]
        if on < current.start_date:
            raise HistoryError("exit before the current period began")
        if on == current.start_date:
            if on == registration["started_on"]:
                raise HistoryError("a registration cannot end on the day it starts")
            self.periods.remove(current)
        else:
            current.end_date = on
        registration.update(status=RegistrationStatus.EXITED, ended_on=on, exit_reason=reason)
        state.update(registration=None, period=None, last_end=on)

    def add(self, plan: Plan) -> None:
        individual = plan.individual
        self.individuals.append(individual)
        state: dict = {"registration": None, "period": None, "last_end": None, "pending": []}
        for step in plan.steps:
            if isinstance(step, Open):
                self._open(individual, state, step.on, step.category, step.level, step.location, step.reason)
            elif isinstance(step, ChangeLevel):
                if state["registration"] is None:
                    raise HistoryError("no active registration to change")
                values: dict[str, object] = {"level": step.level}
                if step.category is not None:
                    values["category"] = step.category
                self._change(state, step.on, step.reason, **values)
            elif isinstance(step, Exit):
                self._exit(state, step.on, step.reason)
            else:
                self._event(individual, state, step)
        for values in state["pending"]:
            self.registrations.append(Registration(area=self.area, **values))

    def _event(self, individual: Individual, state: dict, step: Event) -> None:
        registration = state["registration"]
        kind = LifeEventType(step.event_type)
        if kind in LOCATION_AFTER:
            if registration is None:
                raise HistoryError(f"{kind.label} needs an active registration")
            self._change(state, step.on, kind.label, location=LOCATION_AFTER[kind])
        if kind in (
            LifeEventType.BREACH_NOTIFICATION_CAUTION,
            LifeEventType.BREACH_NOTIFICATION_CONVICTION,
            LifeEventType.LIFETIME_NOTIFICATION_REVOKED,
        ) and (registration is None or state["period"].category != Category.SEXUAL):
            raise HistoryError(f"{kind.label} applies only to someone registered under Category 1")
        if kind == LifeEventType.SRO_BREACHED and registration is not None and state["period"].category != 1:
            self._change(state, step.on, kind.label, category=Category.SEXUAL)
        self.events.append(
            LifeEvent(
                id=uuid_from(self.rng),
                individual=individual,
                area=self.area,
                registration_id=registration["id"] if registration else None,
                event_type=kind,
                occurred_on=step.on,
                foreign_travel_restriction=step.foreign_travel_restriction,
            )
        )
        if kind == LifeEventType.LIFETIME_NOTIFICATION_REVOKED:
            self._exit(state, step.on, ExitReason.LIFETIME_NOTIFICATION_REVOKED)
        elif kind == LifeEventType.TRANSFERRED_OUT and registration is not None:
            self._exit(state, step.on, ExitReason.TRANSFERRED_OUT)
        elif kind == LifeEventType.SRO_BREACHED and registration is None:
            self._open(individual, state, step.on, Category.SEXUAL, 1, Location.COMMUNITY, kind.label)
            self.events[-1].registration_id = state["registration"]["id"]

    def flush(self, progress: Callable[[int], None] | None = None) -> None:
        """Write everything collected, parents first, in batches; ``progress`` gets the rows written."""
        tables: tuple[tuple[type[Model], Sequence[Model]], ...] = (
            (Individual, self.individuals),
            (Registration, self.registrations),
            (RegistrationPeriod, self.periods),
            (LifeEvent, self.events),
        )
        for model, rows in tables:
            for start in range(0, len(rows), self.batch_size):
                batch = rows[start : start + self.batch_size]
                model._default_manager.bulk_create(batch, batch_size=self.batch_size)  # each has one manager, objects
                if progress:
                    progress(len(batch))
        self.individuals, self.registrations, self.periods, self.events = [], [], [], []

    @property
    def pending_rows(self) -> int:
        return len(self.individuals) + len(self.registrations) + len(self.periods) + len(self.events)


@dataclass
class ServiceWriter:
    """Runs plans through ``referrals.services`` as a co-ordinator would, referral and all."""

    coordinator: User
    referrer: User
    lead_agency: Callable[[int], Agency]

    def add(self, plan: Plan) -> None:
        individual = plan.individual
        registration: Registration | None = None
        for step in plan.steps:
            if isinstance(step, Open | ChangeLevel) and step.via_referral:
                registration = self._accept_referral(individual, step)
            elif isinstance(step, Open):
                registration = services.registration_open(
                    actor=self.coordinator,
                    individual=individual,
                    area=individual.area,
                    category=step.category,
                    level=step.level,
                    location=step.location,
                    lead_agency=self.lead_agency(step.category),
                    start_date=step.on,
                    reason=step.reason,
                )
            elif isinstance(step, ChangeLevel):
                assert registration is not None
                registration = services.registration_change_level(
                    actor=self.coordinator,
                    registration=registration,
                    level=step.level,
                    category=step.category,
                    effective_date=step.on,
                    reason=step.reason,
                )
            elif isinstance(step, Exit):
                assert registration is not None
                registration = services.registration_exit(
                    actor=self.coordinator, registration=registration, reason=step.reason, effective_date=step.on
                )
                registration = None
            else:
                services.life_event_record(
                    actor=self.coordinator,
                    individual=individual,
                    event_type=step.event_type,
                    occurred_on=step.on,
                    foreign_travel_restriction=step.foreign_travel_restriction,
                )
                if step.event_type in (LifeEventType.LIFETIME_NOTIFICATION_REVOKED, LifeEventType.TRANSFERRED_OUT):
                    registration = None
                elif registration is None:
                    registration = individual.registrations.active().first()

    def _accept_referral(self, individual: Individual, step: Open | ChangeLevel) -> Registration:
        """A MAPPA A referral drafted, submitted a week before and accepted on ``step.on``."""
        active = individual.registrations.active().first()
        if isinstance(step, Open):
            category, location = step.category, step.location
        else:
            assert active is not None
            current = active.periods.get(end_date__isnull=True)
            category = step.category or current.category
            location = current.location
        answers = referral_answers(category=category, level=step.level, location=location, on=step.on)
        referral = services.referral_create(actor=self.referrer, individual=individual, **answers)
        referral = services.referral_submit(
            actor=self.referrer, referral=referral, submitted_on=step.on - timedelta(days=7)
        )
        referral = services.referral_decide(
            actor=self.coordinator,
            referral=referral,
            decision=f"level_{step.level}",
            rationale=f"Meets the threshold for Level {step.level} (synthetic).",
            decided_on=step.on,
        )
        assert referral.registration is not None
        return referral.registration


def referral_answers(*, category: int, level: int, location: str, on: date) -> dict:
    """The MAPPA A answers of a generated referral (all synthetic text)."""
    return {
        "level_requested": level,
        "category": category,
        "current_location": location,
        "proposed_release_address": "Approved premises (synthetic)" if location == Location.CUSTODY else "",
        "reason_for_referral": "Synthetic case: risk escalating; multi-agency management needed.",
        "risk_of_serious_harm": "very_high" if level == 3 else "high",
        "index_offence": {
            1: "Sexual assault (synthetic)",
            2: "Wounding with intent (synthetic)",
            3: "Stalking (synthetic)",
        }.get(category, "Synthetic offence"),
        "index_offence_date": on - timedelta(days=900),
        "sentence": "Imprisonment (synthetic)",
        "sentence_date": on - timedelta(days=700),
        "referring_officer_name": "Synthetic Officer",
        "why_level_2_cannot_manage": "Needs senior resources at short notice (synthetic)." if level == 3 else "",
    }
