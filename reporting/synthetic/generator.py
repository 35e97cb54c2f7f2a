"""Synthetic MAPPA histories for an area, the same for the same seed.

The last reporting year of the history is built to a set of figures (a published year's target file, or
the 2024/25 Northamptonshire figures by default): its derived tables equal those figures cell for cell,
except cells no history can produce, which :func:`generate_area` reports with the reason. Earlier years
get figures varied from the last year's, so the five-year trend looks like an area's and not a copy.

Who is generated, for the last year (see ``docs/statistics.md``):

* *episode* people: one per Level 2/3 yearly-total cell count, given the returns to custody of their cell;
  those in the 31 March snapshot stay at their level in the community, the rest step down to Level 1,
  leave MAPPA (Category 3), or are back in custody on 31 March;
* *joiners*: Notification Orders and breached Sexual Risk Orders bring new Category 1 registrations;
* *stayers*: Level 1 people filling the snapshot, some registered years ago, some during the history; they
  receive the cautions, convictions and SHPOs;
* *leavers*, people in custody or hospital on 31 March, and lifetime revocations: never in the snapshot.

The episode people of the last year (and referrals in every state) go through ``referrals.services``, so
their audit trail is real; the mass history is written with ``bulk_create`` in batches.

One module on purpose, though it passes 500 lines: :class:`AreaGenerator` builds one plan of the area's
history, and every step reads and adds to the figures, the plan and the seeded random state the others use.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from faker import Faker

from mappa_workflow.models import Agency, AgencyType, Area, Role, RoleAssignment, User, reporting_year_bounds
from referrals import identifiers, services
from referrals.models import (
    Category,
    ExitReason,
    Gender,
    Individual,
    LifeEventType,
    Location,
    ReferralState,
)
from reporting.statistics import AnnualReport, compute_annual_report, current_reporting_year

from .figures import CATS, Unhonoured, YearFigures, compare, figures_from_target, load_target, make_feasible
from .timeline import BulkWriter, ChangeLevel, Event, Exit, Open, Plan, ServiceWriter, referral_answers, uuid_from

DEFAULT_TARGET = "northamptonshire-2024.json"
EARLIEST_START = date(2003, 1, 1)
ETHNICITIES = [
    ("White British", 80),
    ("White other", 6),
    ("Black British", 4),
    ("Asian British: Indian", 2),
    ("Asian British: Pakistani", 2),
    ("Mixed: White and Black Caribbean", 2),
    ("Prefer not to say", 2),
    ("Gypsy or Irish Traveller", 1),
    ("Other", 1),
]


class GenerationError(ValueError):
    """The generator was asked for something it cannot do (an area already populated, a future year...)."""


@dataclass
class GenerationResult:
    area: Area
    seed: int
    years: list[int]
    individuals: int = 0
    target: dict | None = None
    unhonoured: list[Unhonoured] = field(default_factory=list)
    report: AnnualReport | None = None


def scale_figures(base: YearFigures, factor: float, rng: random.Random, *, spread: float = 0.0) -> YearFigures:
    """Figures like ``base`` times ``factor`` (each cell varied by up to ``spread``), made feasible."""

    def s(n: int) -> int:
        return max(0, round(n * factor * rng.uniform(1 - spread, 1 + spread)))

    f = YearFigures(
        {k: s(v) for k, v in base.snapshot.items()},
        {k: s(v) for k, v in base.yearly.items()},
        {k: s(v) for k, v in base.returns_licence.items()},
        {k: s(v) for k, v in base.returns_shpo.items()},
        cautioned=s(base.cautioned),
        convicted=s(base.convicted),
        lifetime_revoked=s(base.lifetime_revoked),
        shpo=s(base.shpo),
        shpo_foreign_travel=s(base.shpo_foreign_travel),
        notification_order=s(base.notification_order),
        sro_breach=s(base.sro_breach),
    )
    f.snapshot[(3, 1)] = 0
    make_feasible(f)
    f.problems = []  # varied figures are not published ones: nothing to report
    return f


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, max(low, high)))


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


class AreaGenerator:
    def __init__(
        self,
        *,
        area: Area,
        seed: int,
        last_year: int,
        years: int,
        figures: YearFigures,
        earlier: dict[int, YearFigures],
        use_services: bool,
        reference_offset: int,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.area = area
        self.rng = random.Random(f"{seed}:{area.slug}")
        self.fake = Faker("en_GB")
        self.fake.seed_instance(self.rng.getrandbits(32))
        self.last_year = last_year
        self.years = list(range(last_year - years + 1, last_year + 1))
        self.figures = {last_year: figures, **earlier}
        self.use_services = use_services
        self.reference_offset = reference_offset
        self.counter = 0
        self.progress = progress
        self.history_start = reporting_year_bounds(self.years[0])[0]
        self.final_day = reporting_year_bounds(last_year)[1]
        self.police = Agency.objects.filter(area=area, agency_type=AgencyType.POLICE).order_by("pk").first()
        self.probation = Agency.objects.filter(area=area, agency_type=AgencyType.PROBATION).order_by("pk").first()
        if self.police is None or self.probation is None:
            raise GenerationError(f"{area} needs a police and a probation agency to lead cases")
        self.bulk = BulkWriter(area=area, lead_agency=self.lead_agency, rng=self.rng)
        self.service_plans: list[Plan] = []
        # people in the community at Level 1 on the last 31 March, by category, planned so far
        self.level_1_on_last_day = {1: 0, 2: 0}
        self.stayers: dict[int, list[Plan]] = {1: [], 2: []}

    def lead_agency(self, category: int) -> Agency:
        return self.police if category == Category.SEXUAL else self.probation  # type: ignore[return-value]

    # -- people -----------------------------------------------------------------------------------

    def new_individual(self, *, born_before: date) -> Individual:
        self.counter += 1
        n = self.reference_offset + self.counter
        female = self.rng.random() < 0.05
        first = self.fake.first_name_female() if female else self.fake.first_name_male()
        if self.rng.random() < 0.3:
            first = f"{first} {self.fake.first_name_female() if female else self.fake.first_name_male()}"
        no_fixed_abode = self.rng.random() < 0.03
        age_days = self.rng.randint(19 * 365, 75 * 365)
        return Individual(
            id=uuid_from(self.rng),
            area=self.area,
            given_names=first,
            family_name=self.fake.last_name(),
            date_of_birth=born_before - timedelta(days=age_days),
            gender=Gender.FEMALE if female else Gender.MALE,
            ethnicity_as_stated=self.rng.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0],
            address="" if no_fixed_abode else self.fake.address().replace("\n", ", "),
            no_fixed_abode=no_fixed_abode,
            area_of_closest_links=self.fake.city() if no_fixed_abode else "",
            visor_reference=identifiers.visor_reference(n),
            pnc_reference=identifiers.pnc_reference(2000 + n % 24, n),
            ndelius_reference=identifiers.ndelius_reference(n),
            children_linked=self.rng.random() < 0.15,
        )

    def plan(self, *, via_services: bool = False) -> Plan:
        return Plan(
            self.new_individual(born_before=self.history_start - timedelta(days=365 * 3)), via_services=via_services
        )

    def commit(self, plan: Plan) -> None:
        if plan.via_services:
            self.service_plans.append(plan)
        else:
            self.bulk.add(plan)

    # -- Level 2 and 3 episodes -------------------------------------------------------------------

    def episodes(self, year: int, f: YearFigures) -> None:
        first, last = reporting_year_bounds(year)
        final = year == self.last_year
        next_start = last + timedelta(days=1)
        people: list[dict[str, Any]] = []
        for c in CATS:
            for level in (2, 3):
                for i in range(f.yearly[(c, level)]):
                    people.append({"c": c, "level": level, "snapshot": i < f.snapshot[(c, level)], "returns": []})
        for kind, returns in (
            (LifeEventType.RETURNED_TO_CUSTODY_LICENCE, f.returns_licence),
            (LifeEventType.RETURNED_TO_CUSTODY_SHPO, f.returns_shpo),
        ):
            for (c, level), n in sorted(returns.items()):
                exact = [p for p in people if p["c"] == c and p["level"] == level]
                wider = [p for p in people if p["c"] == c and p["level"] == 3] if level == 2 else []
                for _ in range(n):
                    # the least-returned person, preferring those whose highest level is this level
                    pool = min(exact + wider, key=lambda p: (len(p["returns"]), p not in exact))
                    pool["returns"].append((kind, level))
        for person in people:
            self._episode(person, first, last, next_start, final)

    def _episode(self, p: dict, first: date, last: date, next_start: date, final: bool) -> None:
        rng = self.rng
        c, level = p["c"], p["level"]
        plan = self.plan(via_services=final and self.use_services)
        at_2 = [k for k, lv in p["returns"] if lv == 2]
        at_3 = [k for k, lv in p["returns"] if lv == 3]
        start_level = 2 if (level == 2 or at_2 or rng.random() < 0.4) else 3
        entry = first + _days(rng, 1, 60)
        budget = (last - entry).days - 25
        step = max(6, budget // (len(p["returns"]) + 2))
        if c != Category.OTHER_DANGEROUS and rng.random() < 0.5:
            plan.add(Open(_between(rng, EARLIEST_START, entry - timedelta(days=30)), c, 1))
            plan.add(ChangeLevel(entry, start_level, f"Accepted at Level {start_level}", via_referral=True))
        else:
            plan.add(Open(entry, c, start_level, reason=f"Accepted at Level {start_level}", via_referral=True))
        cursor = entry
        in_custody = False
        returns = [(k, 2) for k in at_2] + [(k, 3) for k in at_3]
        for i, (kind, at_level) in enumerate(returns):
            if (
                at_level == 3
                and start_level == 2
                and not any(isinstance(s, ChangeLevel) and s.level == 3 for s in plan.steps)
            ):
                cursor += _days(rng, 3, step // 3)
                plan.add(ChangeLevel(cursor, 3, "Risk escalated: Level 3 resources needed"))
            cursor += _days(rng, 3, step // 3)
            plan.add(Event(cursor, kind))
            last_return = i == len(returns) - 1
            if last_return and not p["snapshot"] and rng.random() < 0.5:
                in_custody = True
            else:
                cursor += _days(rng, 5, step // 2)
                plan.add(Event(cursor, LifeEventType.RELEASED))
        if level == 3 and not any(s.level == 3 for s in plan.steps if isinstance(s, Open | ChangeLevel)):
            cursor += _days(rng, 3, 20)
            plan.add(ChangeLevel(cursor, 3, "Risk escalated: Level 3 resources needed"))
        if not p["snapshot"] and not in_custody:
            cursor += _days(rng, 5, 40)
            if c == Category.OTHER_DANGEROUS:
                plan.add(Exit(cursor, ExitReason.RISK_REDUCED))
            else:
                plan.add(ChangeLevel(cursor, 1, "Risk now managed by the lead agency: Level 1"))
        if cursor >= last:
            raise GenerationError(f"an episode ran past 31 March {last.year}: too many returns for one year")
        if final:
            if not p["snapshot"] and not in_custody and c != Category.OTHER_DANGEROUS:
                self.level_1_on_last_day[c] += 1
        else:
            self._wind_down(plan, c, next_start, in_custody)
        self.commit(plan)

    def _wind_down(self, plan: Plan, c: int, next_start: date, in_custody: bool) -> None:
        """After an earlier year: off Level 2/3 on 1 April (so not in next year's figures), out by the end."""
        if isinstance(plan.steps[-1], Exit):
            return
        last_level = next(s.level for s in reversed(plan.steps) if isinstance(s, Open | ChangeLevel))
        if last_level in (2, 3):
            if c == Category.OTHER_DANGEROUS:
                plan.add(Exit(next_start, ExitReason.RISK_REDUCED))
                return
            plan.add(ChangeLevel(next_start, 1, "Stepped down to Level 1"))
        cursor = max(plan.steps[-1].on, next_start)
        if cursor + timedelta(days=40) >= self.final_day:
            if not in_custody:
                self.level_1_on_last_day[c] += 1  # still at Level 1 in the community on the last 31 March
            return
        if in_custody:
            cursor = _between(self.rng, cursor + timedelta(days=10), self.final_day - timedelta(days=30))
            plan.add(Event(cursor, LifeEventType.RELEASED))
        exit_on = _between(self.rng, cursor + timedelta(days=5), self.final_day - timedelta(days=1))
        reason = ExitReason.NOTIFICATION_PERIOD_ENDED if c == 1 else ExitReason.LICENCE_OR_ORDER_ENDED
        plan.add(Exit(exit_on, reason))

    # -- the rest of the area -----------------------------------------------------------------------

    def joiners_and_revocations(self, year: int, f: YearFigures) -> None:
        first, last = reporting_year_bounds(year)
        for _ in range(f.notification_order):
            plan = self.plan()
            on = _between(self.rng, first, last)
            plan.add(Open(on, Category.SEXUAL, 1, reason="Notification Order imposed"))
            plan.add(Event(on, LifeEventType.NOTIFICATION_ORDER_IMPOSED))
            self._joiner(plan)
        for _ in range(f.sro_breach):
            plan = self.plan()
            on = _between(self.rng, first, last)
            plan.add(
                Event(_between(self.rng, on - timedelta(days=700), on - timedelta(days=60)), LifeEventType.SRO_MADE)
            )
            plan.add(Event(on, LifeEventType.SRO_BREACHED))
            self._joiner(plan)
        for _ in range(f.lifetime_revoked):
            plan = self.plan()
            on = _between(self.rng, first, last)
            plan.add(Open(_between(self.rng, EARLIEST_START, date(2010, 1, 1)), Category.SEXUAL, 1))
            plan.add(Event(on, LifeEventType.LIFETIME_NOTIFICATION_REVOKED))
            self.commit(plan)

    def _joiner(self, plan: Plan) -> None:
        # joiners stay on the register: they are among the last year's Level 1 Category 1 people
        self.level_1_on_last_day[1] += 1
        self.stayers[1].append(plan)

    def stayers_and_events(self, f_last: YearFigures) -> list[Unhonoured]:
        problems: list[Unhonoured] = []
        rng = self.rng
        for c in (1, 2):
            wanted = f_last.snapshot[(c, 1)] - self.level_1_on_last_day[c]
            if wanted < 0:
                problems.append(
                    Unhonoured(
                        f"snapshot.level_1.category_{c}",
                        f_last.snapshot[(c, 1)],
                        self.level_1_on_last_day[c],
                        "more people step down to Level 1 or join the register than the snapshot holds",
                    )
                )
            for _ in range(max(0, wanted)):
                plan = self.plan()
                # about half registered before the history: with the leavers below, a rise of some 2-3% a year
                if rng.random() < 0.52:
                    start = _between(rng, EARLIEST_START, self.history_start - timedelta(days=1))
                else:
                    start = _between(rng, self.history_start, self.final_day - timedelta(days=1))
                plan.add(Open(start, c, 1))
                self.stayers[c].append(plan)
        # cautions, convictions and orders fall on Category 1 stayers registered before the day
        self.stayers[1].sort(key=registered_on)
        starts = [registered_on(p) for p in self.stayers[1]]
        extra: dict[int, list[Event]] = {}
        for year in self.years:
            f = self.figures[year]
            first, last = reporting_year_bounds(year)
            chosen: set[int] = set()
            for count, kind, distinct, ftr in (
                (f.cautioned, LifeEventType.BREACH_NOTIFICATION_CAUTION, True, 0),
                (f.convicted, LifeEventType.BREACH_NOTIFICATION_CONVICTION, True, 0),
                (f.shpo, LifeEventType.SHPO_IMPOSED, False, f.shpo_foreign_travel),
            ):
                for n in range(count):
                    on = _between(rng, first + timedelta(days=1), last)
                    registered_before = bisect.bisect_left(starts, on)
                    choice = None
                    for _ in range(50):
                        if not registered_before:
                            break
                        i = rng.randrange(registered_before)
                        if not distinct or i not in chosen:
                            choice = i
                            break
                    if choice is None:
                        if year == self.last_year:
                            problems.append(Unhonoured(kind, count, n, "no Category 1 person registered in time"))
                        continue
                    chosen.add(choice)
                    extra.setdefault(choice, []).append(Event(on, kind, foreign_travel_restriction=n < ftr))
        for i, plan in enumerate(self.stayers[1]):
            if i in extra:
                plan.steps.extend(extra[i])
                plan.steps.sort(key=lambda s: s.on)  # stable: a same-day order keeps its registration first
        for c in (1, 2):
            for plan in self.stayers[c]:
                self.commit(plan)
        return problems

    def outside_the_snapshot(self, snapshot_size: int) -> None:
        """Leavers during the history, and people in custody or hospital on the last 31 March."""
        rng = self.rng
        for _ in range(round(snapshot_size * 0.07 * len(self.years))):
            c = 1 if rng.random() < 0.75 else 2
            exit_on = _between(rng, self.history_start, self.final_day - timedelta(days=1))
            plan = self.plan()
            plan.add(Open(_between(rng, EARLIEST_START, exit_on - timedelta(days=200)), c, 1))
            if rng.random() < 0.08:
                plan.add(Event(exit_on, LifeEventType.TRANSFERRED_OUT))
            elif rng.random() < 0.03:
                plan.add(Exit(exit_on, ExitReason.DECEASED))
            else:
                reason = ExitReason.NOTIFICATION_PERIOD_ENDED if c == 1 else ExitReason.LICENCE_OR_ORDER_ENDED
                plan.add(Exit(exit_on, reason))
            self.commit(plan)
        for _ in range(round(snapshot_size * 0.18)):
            c = 1 if rng.random() < 0.6 else 2
            plan = self.plan()
            start = _between(rng, EARLIEST_START, self.final_day - timedelta(days=60))
            if rng.random() < 0.3:
                # released at some point, then recalled while at Level 1 (not counted in the returns table)
                plan.add(Open(start, c, 1))
                plan.add(
                    Event(
                        _between(rng, start + timedelta(days=1), self.final_day - timedelta(days=1)),
                        LifeEventType.RETURNED_TO_CUSTODY_LICENCE,
                    )
                )
            else:
                plan.add(Open(start, c, 1, location=Location.CUSTODY))
            self.commit(plan)
        for _ in range(max(1, round(snapshot_size * 0.01))):
            plan = self.plan()
            plan.add(
                Open(
                    _between(rng, EARLIEST_START, self.final_day - timedelta(days=30)), 2, 1, location=Location.HOSPITAL
                )
            )
            self.commit(plan)

    # -- referrals in every state ---------------------------------------------------------------------

    def referrals_in_every_state(self, coordinator: User, referrer: User) -> None:
        """A few referrals made after the history, one or more in each state (through the services)."""
        today = timezone.localdate()
        recent = max(self.final_day + timedelta(days=30), today - timedelta(days=60))
        recent = min(recent, today)
        states = [
            ReferralState.DRAFT,
            ReferralState.DRAFT,
            ReferralState.SUBMITTED,
            ReferralState.SUBMITTED,
            ReferralState.MORE_INFORMATION_REQUESTED,
            ReferralState.RESUBMITTED,
            ReferralState.WITHDRAWN,
            ReferralState.MANAGED_AT_LEVEL_1,
        ]
        for state in states:
            person = self.new_individual(born_before=self.history_start)
            fields = {k: getattr(person, k) for k in services.INDIVIDUAL_FIELDS}
            individual = services.individual_create(actor=referrer, area=self.area, **fields)
            category = 2 if state == ReferralState.MANAGED_AT_LEVEL_1 else self.rng.choice([1, 2, 3])
            answers = referral_answers(category=category, level=2, location=Location.COMMUNITY, on=recent)
            referral = services.referral_create(actor=referrer, individual=individual, **answers)
            if state == ReferralState.DRAFT:
                continue
            if state == ReferralState.WITHDRAWN:
                services.referral_withdraw(
                    actor=referrer, referral=referral, reason="Risk now managed by probation alone (synthetic)."
                )
                continue
            referral = services.referral_submit(actor=referrer, referral=referral, submitted_on=recent)
            if state == ReferralState.SUBMITTED:
                continue
            if state == ReferralState.MANAGED_AT_LEVEL_1:
                services.referral_decide(
                    actor=coordinator,
                    referral=referral,
                    decision="level_1",
                    rationale="Below the Level 2 threshold: the lead agency can manage the risk (synthetic).",
                    decided_on=recent,
                )
                continue
            referral = services.referral_request_more_information(
                actor=coordinator, referral=referral, request="Please add the previous relevant offending (synthetic)."
            )
            if state == ReferralState.RESUBMITTED:
                services.referral_update(
                    actor=referrer, referral=referral, previous_relevant_offending="Assault (2015, synthetic)."
                )
                services.referral_resubmit(actor=referrer, referral=referral)

    # -- putting it together ------------------------------------------------------------------------

    def build(self) -> list[Unhonoured]:
        problems: list[Unhonoured] = []
        for year in self.years:
            self.episodes(year, self.figures[year])
            self.joiners_and_revocations(year, self.figures[year])
        f_last = self.figures[self.last_year]
        problems += self.stayers_and_events(f_last)
        self.outside_the_snapshot(sum(f_last.snapshot.values()))
        return problems

    def write(self, coordinator: User | None, referrer: User | None) -> int:
        people = len(self.bulk.individuals)
        self.bulk.flush(self.progress)
        if self.service_plans or coordinator is not None:
            assert coordinator is not None and referrer is not None
            writer = ServiceWriter(coordinator=coordinator, referrer=referrer, lead_agency=self.lead_agency)
            for plan in self.service_plans:
                fields = {k: getattr(plan.individual, k) for k in services.INDIVIDUAL_FIELDS}
                plan.individual = services.individual_create(actor=coordinator, area=self.area, **fields)
                writer.add(plan)
                if self.progress:
                    self.progress(1)
            self.referrals_in_every_state(coordinator, referrer)
        return people + len(self.service_plans)


def registered_on(plan: Plan) -> date:
    """When a planned person's registration begins (a breached SRO registers them)."""
    return next(
        s.on
        for s in plan.steps
        if isinstance(s, Open) or (isinstance(s, Event) and s.event_type == LifeEventType.SRO_BREACHED)
    )


def synthetic_user(
    area: Area, username: str, *, role: str, agency_type: str, last_name: str, seniority: int | None = None
) -> User:
    """A synthetic member of staff of ``area`` (no usable password) holding ``role``, made once."""
    username = username[:150]
    defaults = {
        "first_name": "Synthetic",
        "last_name": last_name,
        "area": area,
        "agency": Agency.objects.filter(area=area, agency_type=agency_type).order_by("pk").first(),
        "is_synthetic": True,
        "email": f"{username}@example.invalid",
    }
    if seniority is not None:
        defaults["seniority"] = seniority
    user, created = User.objects.get_or_create(username=username, defaults=defaults)
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        RoleAssignment.objects.create(user=user, role=role)
    return user


def synthetic_staff(area: Area) -> tuple[User, User]:
    """The co-ordinator and probation officer the generated referrals are made and screened by."""
    coordinator, practitioner = (
        synthetic_user(
            area,
            f"synthetic-{role}-{area.slug}",
            role=role,
            agency_type=AgencyType.PROBATION,
            last_name=Role(role).label,
        )
        for role in (Role.COORDINATOR, Role.PRACTITIONER)
    )
    return coordinator, practitioner


def generate_area(
    *,
    area: Area,
    seed: int,
    years: int = 5,
    target: dict | None = None,
    figures: YearFigures | None = None,
    use_services: bool = True,
    reference_offset: int = 0,
    last_year: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> GenerationResult:
    """Generate ``years`` reporting years of history for ``area``, ending with the target's year.

    ``target`` is a published year (see :mod:`reporting.synthetic.figures`); without it the default
    Northamptonshire 2024/25 figures are used (or ``figures``, for the national data set).
    All or nothing: one transaction.
    """
    if not 1 <= years <= 20:
        raise GenerationError("--years must be from 1 to 20")
    if Individual.objects.filter(area=area).exists():
        raise GenerationError(f"{area} already has individuals: generate into an empty area (a fresh database)")
    if target is None and figures is None:
        target = load_target(DEFAULT_TARGET)
    if target is not None:
        last_year = int(target["year"])
    elif last_year is None:
        raise GenerationError("say which reporting year the figures are for")
    if last_year >= current_reporting_year():
        raise GenerationError(f"{last_year}/{(last_year + 1) % 100:02d} has not ended: choose an earlier year")
    if figures is None:
        assert target is not None
        figures = figures_from_target(target)
    rng = random.Random(f"{seed}:{area.slug}:trend")
    earlier = {}
    for i, year in enumerate(range(last_year - years + 1, last_year)):
        # a gentle rise to the last year, as both Northamptonshire reports show
        earlier[year] = scale_figures(figures, 0.93 + 0.07 * (i + 1) / years, rng, spread=0.3)
    result = GenerationResult(
        area=area, seed=seed, years=list(range(last_year - years + 1, last_year + 1)), target=target
    )
    with transaction.atomic():
        generator = AreaGenerator(
            area=area,
            seed=seed,
            last_year=last_year,
            years=years,
            figures=figures,
            earlier=earlier,
            use_services=use_services,
            reference_offset=reference_offset,
            progress=progress,
        )
        problems = figures.problems + generator.build()
        staff = synthetic_staff(area) if use_services else (None, None)
        result.individuals = generator.write(*staff)
    result.report = compute_annual_report(areas=area, year=last_year, suppression_threshold=0)
    if target is not None:
        result.unhonoured = compare(target, result.report, problems)
    else:
        result.unhonoured = problems
    return result
