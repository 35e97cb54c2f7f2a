"""Names, aliases and references refuse characters a reader cannot see (issue 13): a right-to-left override
can make "Smith" display as another name, a zero-width space can hide a person from a search. Each way in
(service, page, API, importer) refuses them with a message naming the field, and writes nothing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.models import AgencyType
from referrals import services
from referrals.models import Individual
from tests import factories

pytestmark = pytest.mark.django_db

SPOOFS = {
    "right-to-left override": "Smith\u202enosaj",
    "zero-width space": "Smi\u200bth",
    "zero-width joiner": "Smi\u200dth",
    "byte order mark": "\ufeffSmith",
    "first-strong isolate": "Smith\u2068",
    "control character": "Smith\x07",
    "trailing newline": "Smith\n",
}
PERSON = {"given_names": "Sam", "family_name": "Example", "date_of_birth": "1980-02-03", "gender": "male"}


@pytest.mark.parametrize("field", ["given_names", "family_name", "visor_reference", "pnc_reference"])
@pytest.mark.parametrize("spoof", SPOOFS.values(), ids=SPOOFS.keys())
def test_the_service_refuses_a_hidden_character_naming_the_field(field, spoof):
    coordinator = factories.coordinator()
    value = (
        spoof
        if "name" in field
        else {"visor_reference": "VSYN-004512", "pnc_reference": "PSYN/19/0012345K"}[field] + spoof[-1]
    )
    with pytest.raises(WorkflowError) as refused:
        services.individual_create(
            actor=coordinator,
            area=coordinator.area,
            **{**PERSON, "date_of_birth": factories.dt.date(1980, 2, 3), field: value},
        )
    assert field in refused.value.errors
    assert not Individual.objects.exists()


def test_an_alias_with_a_hidden_character_is_refused_on_create_and_on_change():
    coordinator = factories.coordinator()
    with pytest.raises(WorkflowError) as refused:
        services.individual_create(
            actor=coordinator,
            area=coordinator.area,
            aliases=["JJ", "J\u202eJ"],
            **{**PERSON, "date_of_birth": factories.dt.date(1980, 2, 3)},
        )
    assert "RIGHT-TO-LEFT OVERRIDE" in refused.value.errors["aliases"][0]
    person = factories.IndividualFactory()
    with pytest.raises(WorkflowError) as refused:
        services.individual_update(actor=coordinator, individual=person, aliases=["Zero\u200bWidth"])
    assert "aliases" in refused.value.errors
    assert not person.aliases.exists()


def test_the_api_refuses_a_spoofed_name_with_a_400_naming_the_field():
    cache.clear()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {factories.api_token(factories.practitioner(AgencyType.POLICE))}")
    person = {**PERSON, "family_name": SPOOFS["right-to-left override"]}
    response = client.post(reverse("api:referral-list"), {"person": person}, format="json")
    assert response.status_code == 400, response.content
    assert "person-family_name" in response.json()["errors"]
    assert "U+202E" in response.json()["errors"]["person-family_name"][0]
    assert not Individual.objects.exists()


def test_the_referral_page_refuses_a_spoofed_name_with_the_error_summary(client):
    practitioner = factories.practitioner(AgencyType.POLICE)
    factories.verify_client(client, practitioner)
    form = {
        "given_names": "Sam",
        "family_name": SPOOFS["zero-width space"],
        "date_of_birth_day": "3",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1980",
        "gender": "male",
    }
    response = client.post(reverse("web:referral_start"), form)
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert "There is a problem" in page and "U+200B ZERO WIDTH SPACE" in page
    assert not Individual.objects.exists()


def test_the_importer_refuses_a_spoofed_name_on_its_row_and_column(tmp_path):
    (tmp_path / "individuals.csv").write_text(
        "reference,given_names,family_name,date_of_birth,gender\nP1,Adam,Syn\u202ethetic,1980-02-03,male\n"
    )
    (tmp_path / "periods.csv").write_text("reference,attribute,value,start_date,end_date,exit_reason\n")
    (tmp_path / "events.jsonl").write_text("")
    with pytest.raises(CommandError) as refused:
        call_command("import_cases", str(tmp_path), "--area", "northamptonshire")
    assert "individuals.csv, row 2, family_name: Remove the hidden or control character (U+202E" in str(refused.value)
    assert not Individual.objects.exists()
