"""Registrations exchanged with probation as its MAPPA details: exported, read back, and refused whole when
any record is wrong (file, record and field named; nothing written). The named officer and team show on the
case page and change through a service."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.models import AuditEvent
from referrals.models import Registration
from referrals.registration_details import registration_details_update
from reporting.exchange import export_mappa_details
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _person(reference: str):
    return factories.IndividualFactory(area=factories.northamptonshire(), ndelius_reference=reference)


def _write(tmp_path, records, **document):
    path = tmp_path / "mappa-details.json"
    body = {"format": "mappa-details", "version": 1, "area": "northamptonshire", "registrations": records}
    path.write_text(json.dumps({**body, **document}))
    return path


def _record(reference: str, **overrides):
    start = timezone.localdate() - dt.timedelta(days=60)
    return {
        "ndelius_reference": reference,
        "category": 2,
        "level": 1,
        "start_date": start.isoformat(),
        "review_date": (start + dt.timedelta(days=120)).isoformat(),
        "team": "Northampton Central OMU",
        "officer": "Sam Synthetic",
        "notes": "Synthetic record for the exchange test.",
        **overrides,
    }


def test_details_are_imported_exported_and_shown_on_the_case_page(tmp_path):
    registered = factories.registration_at_level(2, individual=_person("CSYN000101"))
    newcomer = _person("CSYN000102")
    records = [
        _record("CSYN000101", level=2, start_date=registered.started_on.isoformat(), review_date=None),
        _record("CSYN000102"),
    ]
    call_command("import_mappa_details", str(_write(tmp_path, records)), area="northamptonshire")

    registered.refresh_from_db()
    assert (registered.officer_name, registered.team) == ("Sam Synthetic", "Northampton Central OMU")
    opened = Registration.objects.get(individual=newcomer)
    assert opened.status == "level_1" and opened.started_on == timezone.localdate() - dt.timedelta(days=60)
    assert opened.next_review_due == opened.started_on + dt.timedelta(days=120)
    assert AuditEvent.objects.filter(object_id=str(opened.pk), action="change").exists()

    exported = export_mappa_details(factories.northamptonshire())
    by_reference = {r["ndelius_reference"]: r for r in exported["registrations"]}
    assert by_reference["CSYN000102"] == records[1]
    assert by_reference["CSYN000101"]["level"] == 2 and by_reference["CSYN000101"]["officer"] == "Sam Synthetic"

    client = factories.verify_client(Client(), factories.coordinator())
    page = client.get(reverse("web:case_detail", args=[newcomer.pk])).content.decode()
    assert "Sam Synthetic" in page and "Northampton Central OMU" in page


def test_an_export_read_back_changes_nothing(tmp_path):
    registration = factories.registration_at_level(2, individual=_person("CSYN000111"))
    registration_details_update(
        actor=factories.coordinator(), registration=registration, officer_name="Jo Synthetic", team="Kettering OMU"
    )
    path = tmp_path / "out.json"
    call_command("export_mappa_details", area="northamptonshire", output=str(path))
    rows = AuditEvent.objects.count()
    call_command("import_mappa_details", str(path), area="northamptonshire")
    assert AuditEvent.objects.count() == rows  # nothing differed, so nothing was changed or audited
    registration.refresh_from_db()
    assert (registration.officer_name, registration.team) == ("Jo Synthetic", "Kettering OMU")


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"ndelius_reference": "X123456"}, "ndelius_reference"),  # not a synthetic reference
        ({"ndelius_reference": "CSYN999999"}, "ndelius_reference"),  # nobody in the area
        ({"category": 4}, "category"),
        ({"category": 3, "level": 1}, "level"),
        ({"start_date": "31/12/2024"}, "start_date"),
        ({"review_date": "2000-01-01"}, "review_date"),
        ({"officer": "x" * 201}, "officer"),
        ({"team": "Central\u200bOMU"}, "team"),  # a hidden character
        ({"grade": "PO"}, "grade"),  # not a field of the format
    ],
)
def test_a_bad_record_anywhere_stops_the_whole_import(tmp_path, record, field):
    _person("CSYN000121")
    _person("CSYN000122")
    records = [_record("CSYN000121"), _record("CSYN000122", **record)]
    rows = AuditEvent.objects.count()
    with pytest.raises(CommandError) as exc:
        call_command("import_mappa_details", str(_write(tmp_path, records)), area="northamptonshire")
    assert f"mappa-details.json, row 2, {field}:" in str(exc.value)
    assert not Registration.objects.exists() and AuditEvent.objects.count() == rows


def test_a_level_different_from_ours_is_refused_not_applied(tmp_path):
    registration = factories.registration_at_level(3, individual=_person("CSYN000131"))
    records = [_record("CSYN000131", level=2, start_date=registration.started_on.isoformat())]
    with pytest.raises(CommandError, match="row 1, level: is 3 here"):
        call_command("import_mappa_details", str(_write(tmp_path, records)), area="northamptonshire")
    with pytest.raises(CommandError, match="format"):
        call_command("import_mappa_details", str(_write(tmp_path, [], format="ndelius")), area="northamptonshire")


def test_the_officer_and_team_page_names_a_bad_field_and_saves_through_the_service():
    registration = factories.registration_at_level(2)
    client = factories.verify_client(Client(), factories.coordinator())
    url = reverse("web:case_officer", args=[registration.individual_id])
    response = client.post(url, {"officer_name": "Pat\u202eSynthetic", "team": "OMU"})
    assert response.status_code == 200 and 'href="#id_officer_name"' in response.content.decode()
    registration.refresh_from_db()
    assert registration.officer_name == ""
    response = client.post(url, {"officer_name": "Pat Synthetic", "team": "Wellingborough OMU"})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert (registration.officer_name, registration.team) == ("Pat Synthetic", "Wellingborough OMU")
    practitioner = factories.verify_client(Client(), factories.practitioner())
    assert practitioner.get(url).status_code == 403
