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
