"""Retention: records past their period are anonymised or deleted by `apply_retention`, a dry run changes
nothing, statistics records stay, and every anonymisation is itself an audit row."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from administration.retention import ANONYMISE_TRANSITION, ANONYMISED, DELETE_TRANSITION
from mappa_workflow.audit import verify_chain
from mappa_workflow.models import AuditEvent
from referrals import services
from referrals.models import Alias, Individual, Referral, RegistrationPeriod
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - years) - dt.timedelta(days=days)


def exited_case(category: int, *, exit_years_ago: int, **individual):
    person = factories.IndividualFactory(**individual)
    Alias.objects.create(individual=person, name="Johnny Synthetic")
    referral = factories.accepted_referral(
        decided_on=years_ago(exit_years_ago + 2), category=category, individual=person
    )
    services.registration_exit(
        actor=factories.coordinator(),
        registration=referral.registration,
        reason="licence_or_order_ended",
        effective_date=years_ago(exit_years_ago),
    )
    return referral


def run(*args: str) -> str:
    out = StringIO()
    call_command("apply_retention", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_a_dry_run_lists_what_is_due_and_changes_nothing():
    referral = exited_case(2, exit_years_ago=8)
    rows_before = AuditEvent.objects.count()
    out = run("--dry-run")
    assert "Would anonymise 1 people" in out and str(referral.individual_id) in out
    assert Individual.objects.get(pk=referral.individual_id).family_name == referral.individual.family_name
    assert AuditEvent.objects.count() == rows_before


def test_a_person_who_left_mappa_long_ago_is_anonymised_and_their_statistics_records_stay():
    referral = exited_case(2, exit_years_ago=8)
    recent = exited_case(2, exit_years_ago=2)
    periods_before = RegistrationPeriod.objects.count()
    run()
    person = Individual.objects.get(pk=referral.individual_id)
    assert (person.given_names, person.family_name, person.address, person.pnc_reference) == (
        ANONYMISED,
        ANONYMISED,
        "",
        "",
    )
    assert person.date_of_birth == dt.date(referral.individual.date_of_birth.year, 1, 1)
    assert not Alias.objects.filter(individual=person).exists()
    kept = Referral.objects.get(pk=referral.pk)
    assert referral.reason_for_referral not in kept.reason_for_referral and kept.state == referral.state
    assert RegistrationPeriod.objects.count() == periods_before
    assert Individual.objects.get(pk=recent.individual_id).family_name == recent.individual.family_name
    row = AuditEvent.objects.get(transition=ANONYMISE_TRANSITION)
    assert row.object_id == str(person.pk) and "years_after_exit" in row.reason
    assert verify_chain()[1] is None, "earlier audit rows are untouched"
    # Running again finds nothing new.
    assert "Will anonymise 0 people" in run()


def test_category_1_is_kept_until_the_person_reaches_the_minimum_age():
    young = exited_case(1, exit_years_ago=8, date_of_birth=dt.date(1980, 5, 1))
    old = exited_case(1, exit_years_ago=8, date_of_birth=years_ago(101))
    run()
    assert Individual.objects.get(pk=young.individual_id).family_name != ANONYMISED
    assert Individual.objects.get(pk=old.individual_id).family_name == ANONYMISED


def test_an_abandoned_draft_is_deleted_with_the_person_it_created_and_the_deletion_is_audited():
    draft = factories.draft_referral()
    fresh = factories.draft_referral()
    Referral.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=400))
    run()
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert not Individual.objects.filter(pk=draft.individual_id).exists()
    assert Referral.objects.filter(pk=fresh.pk).exists()
    row = AuditEvent.objects.get(transition=DELETE_TRANSITION)
    assert row.details["individual_deleted"] is True
    assert AuditEvent.objects.filter(object_id=str(draft.pk), transition="").exists(), "its history stays"


def test_periods_come_from_settings(settings):
    settings.RETENTION = {"years_after_exit": 1}
    referral = exited_case(2, exit_years_ago=2)
    run()
    assert Individual.objects.get(pk=referral.individual_id).family_name == ANONYMISED


def test_a_bad_date_names_the_option():
    with pytest.raises(CommandError, match="--today"):
        run("--today", "31/03/2025")
