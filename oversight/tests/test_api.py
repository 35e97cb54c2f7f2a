"""The indicators and audit results over the API: aggregates for the area's statistics readers, no person."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from mappa_workflow.models import AgencyType, Area
from oversight.audits.questions import MEETING_QUESTIONS
from oversight.services import quality_audit_answer, quality_audit_start, quality_audit_submit
from tests import factories

from .scenario import YEAR, accepted, minutes_recorded, on, panel_held

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {factories.api_token(user)}")


def test_an_smb_token_reads_the_indicators_and_audit_scores_and_no_person():
    person = factories.unmistakable_individual(area=factories.northamptonshire())
    registration = accepted(dt.date(2025, 7, 1), individual=person).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[registration]))
    lay = factories.lay_adviser()
    with on(dt.date(2025, 7, 16)):
        audit = quality_audit_start(actor=lay, meeting=meeting)
        audit = quality_audit_answer(actor=lay, audit=audit, answers={q.key: {"score": 2} for q in MEETING_QUESTIONS})
        quality_audit_submit(actor=lay, audit=audit)
    client = api(factories.smb_member())

    indicators = client.get(f"/api/v1/indicators/northamptonshire/{YEAR}/")
    audits = client.get(f"/api/v1/audits/results/northamptonshire/{YEAR}/")

    assert indicators.status_code == 200 and audits.status_code == 200
    first_meeting = next(i for i in indicators.json()["indicators"] if i["indicator"] == "first_meeting")
    assert first_meeting["rows"][0]["figures"]["q2"]["denominator"] == 1
    meeting_audits = next(a for a in audits.json()["audits"] if a["kind"] == "meeting")
    assert meeting_audits["overall"]["q2"] == {"audits": 1, "mean_score": 2.0}
    for body in (indicators.content.decode(), audits.content.decode()):
        assert person.family_name not in body and str(person.pk) not in body and str(meeting.pk) not in body


def test_another_area_a_practitioner_and_a_bad_year_are_refused():
    kent = Area.objects.get(slug="kent")
    smb = api(factories.smb_member())
    assert smb.get(f"/api/v1/indicators/kent/{YEAR}/").status_code == 403
    assert api(factories.smb_member(area=kent)).get(f"/api/v1/audits/results/kent/{YEAR}/").status_code == 200
    assert (
        api(factories.practitioner(AgencyType.POLICE)).get(f"/api/v1/indicators/northamptonshire/{YEAR}/").status_code
        == 403
    )
    bad = smb.get("/api/v1/audits/results/northamptonshire/1999/")
    assert bad.status_code == 400 and "year" in bad.json()["errors"]
    assert Client().get(f"/api/v1/indicators/northamptonshire/{YEAR}/").status_code in (401, 403)


# ---------------------------------------------------------------------------------------------
# Movement and diversity: the counts below the indicators, as the page and its downloads show them
# ---------------------------------------------------------------------------------------------


def _history_of_movement_and_referrals() -> None:
    """Level changes, an exit and two stays at Level 3 (oversight/tests/test_movement.py), each from a referral
    received and decided; and three women referred in Q2 (a count large enough to be shown at threshold 2)."""
    from referrals.models import Gender

    from .scenario import referral_received
    from .test_movement import history

    history()
    for _ in range(3):
        referral_received(dt.date(2025, 8, 4), individual=factories.IndividualFactory(gender=Gender.FEMALE))


def _csv_counts(client: Client) -> dict[tuple[str, str, str], str]:
    """(table title, row label, period label) -> the count as the CSV download gives it (``*`` when hidden)."""
    import csv
    import io

    from django.urls import reverse

    body = client.get(reverse("web:indicators_csv") + f"?year={YEAR}").content.decode()
    return {
        (row["Indicator"], row["Breakdown"], row["Period"]): row["Numerator"]
        for row in csv.DictReader(io.StringIO(body))
        if row["Green from (%)"] == ""  # a count, not an indicator (which has its target)
    }


def _api_counts(body: dict) -> dict[tuple[str, str, str], str]:
    """The same keys and values from the API's body: a hidden count as ``*``, and the median stay at Level 3 as the
    row the page adds to the stays table (``*`` hidden, ``-`` when no stay ended)."""
    from oversight.exports import MEDIAN_LEVEL_3

    labels = {period["key"]: period["label"] for period in body["periods"]}
    found: dict[tuple[str, str, str], str] = {}
    for table in [*body["movement"]["tables"], *body["diversity"]["tables"]]:
        for row in table["rows"]:
            for key, cell in row["counts"].items():
                assert (cell["count"] is None) == cell["hidden"], cell
                found[(table["title"], row["label"], labels[key])] = "*" if cell["hidden"] else str(cell["count"])
    stays = next(t for t in body["movement"]["tables"] if t["key"] == "level_3_stays")["title"]
    for key, cell in body["movement"]["level_3_median_days"].items():
        median = cell["median_days"]
        shown = "*" if cell["hidden"] else ("-" if median is None else f"{median:g}")
        found[(stays, MEDIAN_LEVEL_3, labels[key])] = shown
    return found


@pytest.mark.parametrize("threshold", [0, 2])
def test_the_api_gives_the_movement_and_diversity_counts_of_the_page_and_its_csv_hidden_the_same_way(threshold):
    from mappa_workflow.models import AreaSettings

    area = factories.northamptonshire()
    AreaSettings.objects.filter(area=area).update(suppression_threshold=threshold)
    _history_of_movement_and_referrals()
    lay = factories.lay_adviser()

    response = api(lay).get(f"/api/v1/indicators/northamptonshire/{YEAR}/")

    assert response.status_code == 200
    body = response.json()
    page_counts = _csv_counts(factories.verify_client(Client(), lay))
    api_counts = _api_counts(body)
    assert api_counts == page_counts
    assert {t["key"] for t in body["movement"]["tables"]} == {"level_changes", "exits", "level_3_stays"}
    assert len(body["diversity"]["tables"]) == 4

    def cell(section: str, key: str, label: str, period: str) -> dict:
        table = next(t for t in body[section]["tables"] if t["key"] == key)
        return next(r for r in table["rows"] if r["label"] == label)["counts"][period]

    women = cell("diversity", "referrals_by_gender", "Female", "q2")
    upwards = cell("movement", "level_changes", "Level 2 to Level 3", "year")
    medians = body["movement"]["level_3_median_days"]
    if threshold:
        assert upwards == {"hidden": True, "count": None}  # one: hidden, as on the page
        assert medians["year"] == {"hidden": True, "median_days": None}  # with the count of stays it comes from
        assert women["hidden"] is False and women["count"] >= 3
    else:
        assert upwards == {"hidden": False, "count": 1}
        assert medians["year"] == {"hidden": False, "median_days": 165}
        assert medians["q1"] == {"hidden": False, "median_days": None}  # no stay ended: the page's "-"


def _nullable_as_json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, so jsonschema can check a body against the schema."""
    if isinstance(node, dict):
        node = {key: _nullable_as_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            node = {"anyOf": [node, {"type": "null"}]}
        return node
    if isinstance(node, list):
        return [_nullable_as_json_schema(value) for value in node]
    return node


def test_the_indicators_body_is_the_one_the_schema_documents():
    import jsonschema
    from drf_spectacular.generators import SchemaGenerator

    _history_of_movement_and_referrals()
    body = api(factories.smb_member()).get(f"/api/v1/indicators/northamptonshire/{YEAR}/").json()
    openapi = SchemaGenerator().get_schema(request=None, public=True)
    operation = openapi["paths"]["/api/v1/indicators/{area}/{year}/"]["get"]
    response = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert response == {"$ref": "#/components/schemas/Indicators"}  # documented, not a bare object
    schema = {**_nullable_as_json_schema({"components": openapi["components"]}), **response}

    jsonschema.Draft202012Validator(schema).validate(body)
    documented = openapi["components"]["schemas"]["Indicators"]
    assert {"movement", "diversity", "indicators", "periods"} <= set(documented["required"])


def test_another_areas_smb_and_lay_tokens_read_none_of_the_counts():
    _history_of_movement_and_referrals()
    kent = Area.objects.get(slug="kent")
    for reader in (factories.smb_member(area=kent), factories.lay_adviser(area=kent), factories.smb_chair(area=kent)):
        refused = api(reader).get(f"/api/v1/indicators/northamptonshire/{YEAR}/")
        assert refused.status_code in (403, 404)
        assert "movement" not in refused.json() and "Level 2 to Level 3" not in refused.content.decode()
