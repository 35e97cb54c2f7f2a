"""Synthetic release planning and Level 1 oversight for the demo area (`make run`): plans for some of the
people in custody or hospital, at different stages, a MAPPA J sent as a notification, and Level 1 reviews,
some overdue. Every record is made through the services, so the demo obeys the rules of real use; the same
seed and day give the same records. All of it is synthetic: it reads only the generated history."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from level_one.services import level_one_review_record
from mappa_workflow.models import Area, Role, User
from referrals.models import Location, Registration, RegistrationPeriod, RegistrationStatus
from release_planning import services
from release_planning.models import ChecklistItemKind

PLANS = 8
LEVEL_ONE_REVIEWS = 30


@dataclass
class DemoBetweenMeetings:
    release_plans: int = 0
    items_done: int = 0
    notifications: int = 0
    level_one_reviews: int = 0


def _sender(area: Area) -> User | None:
    """Someone with an agency to record the notifications as: the demo co-ordinator."""
    return (
        User.objects.filter(area=area, role_assignments__role=Role.COORDINATOR, agency__isnull=False)
        .order_by("pk")
        .first()
    )


def generate_demo_between_meetings(*, area: Area, seed: int, today: dt.date) -> DemoBetweenMeetings:
    rng = random.Random(seed + 18)
    summary = DemoBetweenMeetings()
    sender = _sender(area)
    in_custody = list(
        RegistrationPeriod.objects.filter(
            area=area, end_date__isnull=True, location__in=[Location.CUSTODY, Location.HOSPITAL]
        )
        .exclude(category=4)
        .select_related("registration__individual")
        .order_by("start_date", "registration__individual__family_name", "pk")[:PLANS]
    )
    with transaction.atomic():
        for n, period in enumerate(in_custody):
            release = today + dt.timedelta(weeks=2 + 2 * n, days=rng.randint(0, 4))
            plan = services.release_plan_create(
                actor=None, individual=period.registration.individual, expected_date=release
            )
            summary.release_plans += 1
            for item in plan.items.all():
                if item.due_date < today and rng.random() < 0.7:
                    if item.kind == ChecklistItemKind.MAPPA_J and sender is not None:
                        services.third_party_notification_record(
                            actor=sender,
                            individual=plan.individual,
                            release_plan=plan,
                            completes_item=item.kind,
                            recipient_type="dwp",
                            recipient="Jobcentre Plus, Northampton (synthetic)",
                            what_was_shared="MAPPA J: restrictions on work and training placements",
                            why_necessary="So that work-search does not bring the person into contact with the victim",
                            lawful_basis="Duty to co-operate (Criminal Justice Act 2003 s.325)",
                            why_proportionate="Only the restrictions and a contact point are shared",
                            recipient_undertaking="Held by the named work coach; not passed on",
                            individual_told=True,
                            sent_on=item.due_date,
                        )
                        summary.notifications += 1
                    else:
                        services.checklist_item_complete(
                            actor=None,
                            plan=plan,
                            kind=item.kind,
                            notes="Done (synthetic demo)",
                            completed_on=item.due_date,
                        )
                    summary.items_done += 1
            if plan.level_decision_due < today:
                services.release_plan_decide_level(
                    actor=None,
                    plan=plan,
                    level=2,
                    rationale="Panel agreed Level 2 management on release (synthetic demo).",
                    decided_on=plan.level_decision_due,
                )
        level_one = list(
            Registration.objects.filter(
                area=area, status=RegistrationStatus.LEVEL_1, started_on__lte=today - dt.timedelta(days=200)
            )
            .exclude(periods__category=4)
            .order_by("started_on", "pk")[:LEVEL_ONE_REVIEWS]
        )
        for registration in level_one:
            if rng.random() < 0.3:
                continue  # never reviewed: these show on the overdue lists
            level_one_review_record(
                actor=None,
                registration=registration,
                reviewed_on=today - dt.timedelta(days=rng.randint(10, 170)),
                risk_changed=False,
                plan_robust=True,
                refer_to_level_2=False,
                notes="Reviewed with the lead agency's manager: risk stable, plan holds (synthetic demo).",
            )
            summary.level_one_reviews += 1
    return summary
