"""Recording a person and correcting their details, as the pages, the API and the imports ask the service:
what is asked for is saved, only what changed is audited, aliases follow the list given, and a user who may
not is refused with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from mappa_workflow.exceptions import NotPermitted, WorkflowError
from mappa_workflow.models import AgencyType, Area, AuditAction, AuditEvent
from referrals import services
from referrals.models import Individual
from tests import factories

pytestmark = pytest.mark.django_db

DETAILS = {
    "given_names": "Robin",
    "family_name": "Synthetica",
    "date_of_birth": dt.date(1984, 2, 29),
    "gender": "male",
    "ethnicity_as_stated": "Mixed",
}


def _changes(individual) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=str(individual.pk), action=AuditAction.CHANGE).order_by("pk"))


def test_a_coordinator_records_a_person_with_their_other_names_and_it_is_audited_as_theirs():
    coordinator = factories.coordinator()
    area = coordinator.area
    person = services.individual_create(actor=coordinator, area=area, aliases=[" Rob ", "", "R. Synth"], **DETAILS)
    person = Individual.objects.get(pk=person.pk)
    assert (person.given_names, person.family_name, person.date_of_birth, person.area) == (
        "Robin",
        "Synthetica",
        dt.date(1984, 2, 29),
        area,
    )
    assert sorted(person.aliases.values_list("name", flat=True)) == ["R. Synth", "Rob"]
    created = AuditEvent.objects.get(object_id=str(person.pk), action=AuditAction.CREATE)
    assert created.actor == coordinator


def test_nobody_records_a_person_in_another_area_and_nothing_is_written():
    elsewhere = Area.objects.exclude(slug="northamptonshire").order_by("pk").first()
    before = Individual.objects.count()
    for outsider in (factories.coordinator(elsewhere), factories.smb_member()):
        with pytest.raises(NotPermitted):
            services.individual_create(actor=outsider, area=factories.northamptonshire(), **DETAILS)
    assert Individual.objects.count() == before


def test_a_field_the_service_does_not_know_is_a_programming_error_naming_it():
    with pytest.raises(TypeError, match=r"^Unknown individual fields: \['shoe_size'\]$"):
        services.individual_create(actor=None, area=factories.northamptonshire(), shoe_size=9, **DETAILS)
    person = factories.registration_at_level(2).individual
    with pytest.raises(TypeError, match=r"^Unknown individual fields: \['shoe_size'\]$"):
        services.individual_update(actor=None, individual=person, shoe_size=9)


def test_a_correction_saves_what_is_asked_and_audits_only_the_fields_that_changed():
    person = factories.registration_at_level(2).individual
    coordinator = factories.coordinator()
    services.individual_update(
        actor=coordinator,
        individual=person,
        family_name="Corrected",
        given_names=person.given_names,  # unchanged: not in the audit row
        date_of_birth=dt.date(1990, 3, 1),
    )
    person.refresh_from_db()
    assert (person.family_name, person.date_of_birth) == ("Corrected", dt.date(1990, 3, 1))
    (change,) = _changes(person)
    assert change.actor == coordinator
    assert change.details == {"fields": ["family_name", "date_of_birth"]}


def test_a_correction_that_changes_nothing_leaves_no_audit_row():
    person = factories.registration_at_level(2).individual
    services.individual_update(actor=factories.coordinator(), individual=person, family_name=person.family_name)
    services.individual_update(actor=factories.coordinator(), individual=person, aliases=[])
    assert _changes(person) == []


def test_other_names_follow_the_list_given_and_the_change_is_audited():
    person = factories.registration_at_level(2).individual
    coordinator = factories.coordinator()
    services.individual_update(actor=coordinator, individual=person, aliases=["Robbie", "Bob"])
    assert sorted(person.aliases.values_list("name", flat=True)) == ["Bob", "Robbie"]
    services.individual_update(actor=coordinator, individual=person, aliases=["Bob", " Rab "])
    assert sorted(person.aliases.values_list("name", flat=True)) == ["Bob", "Rab"]
    services.individual_update(actor=coordinator, individual=person, family_name="Other")  # aliases not given
    assert sorted(person.aliases.values_list("name", flat=True)) == ["Bob", "Rab"]
    assert [c.details for c in _changes(person)] == [
        {"fields": ["aliases"]},
        {"fields": ["aliases"]},
        {"fields": ["family_name"]},
    ]


def test_an_alias_with_a_hidden_character_is_refused_naming_the_aliases_and_nothing_changes():
    person = factories.registration_at_level(2).individual
    with pytest.raises(WorkflowError) as refused:
        services.individual_update(
            actor=factories.coordinator(), individual=person, family_name="Changed", aliases=["Bob\u200b"]
        )
    assert list(refused.value.errors) == ["aliases"]
    person.refresh_from_db()
    assert person.family_name != "Changed" and not person.aliases.exists() and _changes(person) == []


def test_a_practitioner_whose_agency_has_no_part_in_the_case_cannot_correct_the_person():
    person = factories.registration_at_level(2).individual
    housing = factories.practitioner(AgencyType.HOUSING)
    with pytest.raises(NotPermitted):
        services.individual_update(actor=housing, individual=person, family_name="Changed")
    person.refresh_from_db()
    assert person.family_name != "Changed" and _changes(person) == []
