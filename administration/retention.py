"""The retention policy (docs/retention.md) as code: what is past retention, and what happens to it.

Three rules, each with a period from settings (``RETENTION``; every default is to verify):

* **Abandoned drafts**: a referral still in draft and untouched for ``draft_referral_years`` is
  deleted, with the person it created when nothing else refers to them.
* **Referrals that went nowhere**: a person never registered whose referrals are all closed
  (withdrawn, or managed at Level 1 without a registration) for ``unadopted_referral_years`` is
  anonymised.
* **People who left MAPPA**: a person with no active registration whose last registration ended
  ``years_after_exit`` ago is anonymised; someone ever managed under Category 1 or 4 is kept
  until also ``category_1_and_4_minimum_age`` years old.

Anonymising keeps the records statistics are built from (registration periods, dated life events,
meetings, decisions, actions' states and dates) and blanks everything that identifies or
describes the person: names, aliases, date of birth (kept as 1 January of the birth year, so
age bands still count), addresses, references, and the free text of referrals, life events,
minutes, disclosures and actions. Audit rows are never changed or deleted: each anonymisation
or deletion is itself recorded as a new audit row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from mappa_workflow.audit import audit_record
from mappa_workflow.models import AuditAction, AuditEvent
from meetings import models as m
from referrals.models import (
    Alias,
    Individual,
    LifeEvent,
    Referral,
    ReferralState,
    RegistrationPeriod,
    RegistrationStatus,
)

ANONYMISED = "Anonymised"
REDACTED = "[removed under the retention policy]"
ANONYMISE_TRANSITION = "retention_anonymise"
DELETE_TRANSITION = "retention_delete"

DEFAULTS = {
    "years_after_exit": 7,
    "category_1_and_4_minimum_age": 100,
    "unadopted_referral_years": 3,
    "draft_referral_years": 1,
}


def periods() -> dict[str, int]:
    configured = getattr(settings, "RETENTION", {}) or {}
    return {key: int(configured.get(key, default)) for key, default in DEFAULTS.items()}


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@dataclass
class Due:
    """One record past retention and what the policy does with it."""

    action: str  # "anonymise" or "delete"
    model: str
    pk: Any
    rule: str
    description: str


@dataclass
class Plan:
    today: dt.date
    items: list[Due] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)


# ---------------------------------------------------------------------------------------------
# Finding what is due
# ---------------------------------------------------------------------------------------------


def _already_anonymised() -> models.QuerySet:
    return AuditEvent.objects.filter(object_type="referrals.Individual", transition=ANONYMISE_TRANSITION).values(
        "object_id"
    )


def find_due(today: dt.date | None = None) -> Plan:

    today = today or timezone.localdate()
    p = periods()
    plan = Plan(today=today)
    done = {str(pk) for pk in _already_anonymised().values_list("object_id", flat=True)}

    # Abandoned drafts.
    draft_cutoff = timezone.make_aware(dt.datetime.combine(_years_before(today, p["draft_referral_years"]), dt.time()))
    for referral in Referral.objects.filter(state=ReferralState.DRAFT, updated_at__lt=draft_cutoff).only(
        "pk", "reference", "updated_at"
    ):
        plan.items.append(
            Due(
                "delete",
                "referrals.Referral",
                referral.pk,
                "draft_referral_years",
                f"Draft referral {referral.reference}, untouched since {timezone.localdate(referral.updated_at)}",
            )
        )

    # People never registered whose referrals are all closed.
    open_states = [ReferralState.DRAFT, ReferralState.SUBMITTED, ReferralState.RESUBMITTED]
    open_states.append(ReferralState.MORE_INFORMATION_REQUESTED)
    unadopted_cutoff = timezone.make_aware(
        dt.datetime.combine(_years_before(today, p["unadopted_referral_years"]), dt.time())
    )
    never_registered = (
        Individual.objects.filter(registrations__isnull=True)
        .exclude(referrals__state__in=open_states)
        .annotate(last_activity=Max("referrals__updated_at"))
        .filter(last_activity__lt=unadopted_cutoff)
    )
    for person in never_registered.only("pk"):
        note = f"never registered; last referral activity {person.last_activity:%Y-%m-%d}"
        _anonymise_unless_done(plan, done, person, "unadopted_referral_years", note)

    # People who left MAPPA.
    exit_cutoff = _years_before(today, p["years_after_exit"])
    age_cutoff = _years_before(today, p["category_1_and_4_minimum_age"])
    restricted = RegistrationPeriod.objects.filter(category__in=[1, 4]).values("individual_id")
    left = (
        Individual.objects.filter(registrations__isnull=False)
        .exclude(registrations__status__in=[s for s in RegistrationStatus.values if s != RegistrationStatus.EXITED])
        .annotate(last_exit=Max("registrations__ended_on"))
        .filter(last_exit__lt=exit_cutoff)
        .filter(~Q(pk__in=restricted) | Q(date_of_birth__lte=age_cutoff))
    )
    for leaver in left.only("pk", "date_of_birth"):
        _anonymise_unless_done(plan, done, leaver, "years_after_exit", f"left MAPPA on {leaver.last_exit:%Y-%m-%d}")
    return plan


def _anonymise_unless_done(plan: Plan, done: set[str], person: Any, rule: str, note: str) -> None:
    if str(person.pk) not in done:
        plan.items.append(Due("anonymise", "referrals.Individual", person.pk, rule, f"Person {person.pk}: {note}"))


# ---------------------------------------------------------------------------------------------
# Doing it
# ---------------------------------------------------------------------------------------------


def _blank(model: type[models.Model], qs: models.QuerySet, values: dict[str, Any]) -> int:
    """Update only the fields ``model`` still has (the meetings models may grow or change)."""
    names = {f.name for f in model._meta.get_fields()}
    present = {k: v for k, v in values.items() if k in names}
    return qs.update(**present) if present else 0


def anonymise_individual(individual_pk: Any, *, rule: str, actor: Any = None) -> None:

    with transaction.atomic():
        person = Individual.objects.select_for_update().filter(pk=individual_pk).first()
        if person is None:
            return
        birth_year = person.date_of_birth.year
        Alias.objects.filter(individual=person).delete()
        Individual.objects.filter(pk=person.pk).update(
            given_names=ANONYMISED,
            family_name=ANONYMISED,
            date_of_birth=dt.date(birth_year, 1, 1),
            ethnicity_as_stated="",
            address="",
            area_of_closest_links=ANONYMISED if person.no_fixed_abode else "",
            visor_reference="",
            pnc_reference="",
            ndelius_reference="",
        )
        referrals = Referral.objects.filter(individual=person)
        _blank(
            Referral,
            referrals,
            {
                "why_level_2_cannot_manage": "",
                "reason_for_referral": REDACTED,
                "proposed_release_address": "",
                "index_offence": REDACTED,
                "sentence": REDACTED[:200],
                "previous_relevant_offending": "",
                "hospital_detention": "",
                "referring_officer_phone": "",
                "referring_officer_email": "",
                "more_information_request": "",
                "withdrawal_reason": "",
            },
        )
        # A decided referral must keep a rationale (a database constraint): replace, never blank.
        referrals.exclude(decision_rationale="").update(decision_rationale=REDACTED)
        LifeEvent.objects.filter(individual=person).update(details="")
        _anonymise_meeting_records(person)
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type="referrals.Individual",
            object_id=str(person.pk),
            area_id=person.area_id,
            transition=ANONYMISE_TRANSITION,
            reason=f"Anonymised under the retention policy ({rule})",
            details={"rule": rule, "periods": periods()},
        )


def _anonymise_meeting_records(person: Any) -> None:
    items = m.AgendaItem.objects.filter(Q(referral__individual=person) | Q(registration__individual=person))
    minutes = m.CaseMinutes.objects.filter(agenda_item__in=items)
    _blank(
        m.CaseMinutes,
        minutes,
        {
            "risk_summary": REDACTED,
            "rationale": REDACTED,
            "differing_views": "",
            "why_level_2_cannot_manage": "",
            "rmp_supervision": "",
            "rmp_monitoring_and_control": "",
            "rmp_interventions_and_treatment": "",
            "rmp_victim_safety_planning": "",
            "contingency": "",
        },
    )
    _blank(
        m.DisclosureDecision,
        m.DisclosureDecision.objects.filter(case_minutes__in=minutes),
        {
            "recipient": ANONYMISED,
            "what_is_disclosed": REDACTED,
            "why": REDACTED,
            "recipient_undertaking": REDACTED,
            "why_individual_not_told": REDACTED,
        },
    )
    actions = m.RiskAction.objects.filter(registration__individual=person)
    _blank(m.RiskAction, actions, {"description": REDACTED, "closed_reason": REDACTED})
    actions.filter(closed_reason=REDACTED, state__in=["open", "in_progress", "completed"]).update(closed_reason="")
    _blank(m.RiskActionUpdate, m.RiskActionUpdate.objects.filter(action__in=actions), {"text": REDACTED})


def delete_draft_referral(referral_pk: Any, *, rule: str, actor: Any = None) -> None:

    with transaction.atomic():
        referral = Referral.objects.select_for_update().filter(pk=referral_pk).first()
        if referral is None:
            return
        person_pk, area_id, reference = referral.individual_id, referral.area_id, referral.reference
        referral.delete()
        person_deleted = False
        person = Individual.objects.filter(pk=person_pk).first()
        if (
            person is not None
            and not person.referrals.exists()
            and not person.registrations.exists()
            and not person.life_events.exists()
        ):
            person.aliases.all().delete()
            person.delete()
            person_deleted = True
        audit_record(
            actor=actor,
            action=AuditAction.CHANGE,
            object_type="referrals.Referral",
            object_id=str(referral_pk),
            area_id=area_id,
            transition=DELETE_TRANSITION,
            reason=f"Draft referral {reference} deleted under the retention policy ({rule})",
            details={"rule": rule, "individual_id": str(person_pk), "individual_deleted": person_deleted},
        )


def apply(plan: Plan, *, actor: Any = None, progress: Callable[[Due], None] | None = None) -> None:
    for item in _ordered(plan.items):
        if item.action == "delete":
            delete_draft_referral(item.pk, rule=item.rule, actor=actor)
        else:
            anonymise_individual(item.pk, rule=item.rule, actor=actor)
        if progress:
            progress(item)


def _ordered(items: Iterable[Due]) -> list[Due]:
    # Deletions first: a person whose only record was an abandoned draft is then deleted, not anonymised.
    return sorted(items, key=lambda item: item.action != "delete")
