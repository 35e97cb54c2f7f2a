"""The audit pages: a lay adviser audits a sampled meeting and the SMB reads the averages; nobody is named."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from mappa_workflow.models import AgencyType
from oversight.audits.models import AuditState, QualityAudit
from oversight.audits.questions import MEETING_QUESTIONS, AuditKind
from oversight.services import audit_sample_draw, quality_audit_start
from tests import factories

from .scenario import YEAR, accepted, minutes_recorded, on, panel_held

pytestmark = pytest.mark.django_db

LIST = reverse("web:audits") + f"?year={YEAR}&quarter=2"
RESULTS = reverse("web:audit_results") + f"?year={YEAR}"


def signed_in(user) -> Client:
    return factories.verify_client(Client(), user)


def sampled_meeting(person=None):
    registration = accepted(dt.date(2025, 7, 1), individual=person).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[registration]))
    area = factories.northamptonshire()
    with on(dt.date(2025, 10, 2)):
        audit_sample_draw(
            actor=factories.coordinator(area), area=area, kind=AuditKind.MEETING, year=YEAR, quarter=2, size=3
        )
    return meeting


def test_a_lay_adviser_audits_a_sampled_meeting_and_the_smb_sees_the_average_and_no_person():
    person = factories.unmistakable_individual(area=factories.northamptonshire())
    meeting = sampled_meeting(person)
    lay = signed_in(factories.lay_adviser())

    listing = lay.get(LIST).content.decode()
    assert "Audit this meeting" in listing and "1 of the 1 meeting held" in listing
    started = lay.post(reverse("web:meeting_audit_start", args=[meeting.pk]))
    audit = QualityAudit.objects.get()
    assert started.url == reverse("web:audit_detail", args=[audit.pk])
    form = lay.get(started.url).content.decode()
    assert "Lay adviser observing" in form and "acknowledged by 3 of 3 attendees" in form
    assert "Number of cases" in form and "Police" in form

    answers = {f"{q.key}-score": "3" for q in MEETING_QUESTIONS if q.key != "started_on_time"}
    refused = lay.post(started.url, {**answers, "submit": "submit"})
    assert refused.status_code == 200
    assert 'href="#id_started_on_time-score_0"' in refused.content.decode()
    assert "Score this question before submitting" in refused.content.decode()
    assert QualityAudit.objects.get().state == AuditState.DRAFT

    done = lay.post(started.url, {**answers, "started_on_time-score": "4", "submit": "submit"})
    assert done.status_code == 302 and QualityAudit.objects.get().state == AuditState.SUBMITTED

    smb = signed_in(factories.smb_member())
    results = smb.get(RESULTS).content.decode()
    assert "3.1" in results and "1 audit" in results  # twelve 3s and a 4, over thirteen items
    for body in (listing, form, results, lay.get(started.url).content.decode()):
        assert person.family_name not in body and person.given_names not in body
        assert str(person.pk) not in body


def test_someone_elses_audit_is_not_found_and_practitioners_are_refused():
    meeting = sampled_meeting()
    lay = factories.lay_adviser()
    signed_in(lay).post(reverse("web:meeting_audit_start", args=[meeting.pk]))
    audit = QualityAudit.objects.get()

    assert signed_in(factories.lay_adviser()).get(reverse("web:audit_detail", args=[audit.pk])).status_code == 404
    assert signed_in(factories.coordinator()).get(reverse("web:audit_detail", args=[audit.pk])).status_code == 200
    assert signed_in(factories.practitioner(AgencyType.POLICE)).get(LIST).status_code == 403
    assert signed_in(factories.chair()).get(RESULTS).status_code == 200


def test_a_coordinator_draws_the_sample_from_the_page_and_a_bad_size_is_named():
    minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[accepted(dt.date(2025, 7, 1)).registration]))
    coordinator = signed_in(factories.coordinator())
    with on(dt.date(2025, 10, 2)):
        bad = coordinator.post(LIST, {"kind": "meeting", "meeting-size": "0"})
        assert 'href="#id_meeting-size"' in bad.content.decode() and "from 1 to 50" in bad.content.decode()
        drawn = coordinator.post(LIST, {"kind": "meeting", "meeting-size": "2"})
        assert drawn.status_code == 302
        assert "1 of the 1 meeting held" in coordinator.get(LIST).content.decode()
        again = coordinator.post(LIST, {"kind": "meeting", "meeting-size": "2"})
        assert "already been drawn" in again.content.decode()
    refused = signed_in(factories.smb_member()).post(LIST, {"kind": "meeting", "meeting-size": "2"})
    assert refused.status_code == 403


def test_the_list_costs_the_same_queries_however_many_meetings(django_assert_max_num_queries):
    meeting = sampled_meeting()  # one meeting sampled in Q2
    lay = factories.lay_adviser()
    client = signed_in(lay)
    client.post(reverse("web:meeting_audit_start", args=[meeting.pk]))
    with django_assert_max_num_queries(30) as few:
        first = client.get(LIST)
    assert first.status_code == 200
    one_meeting = len(few.captured_queries)  # read now: the next request empties the log it slices
    q3 = [
        minutes_recorded(panel_held(day, registrations=[accepted(dt.date(2025, 9, 1)).registration]))
        for day in (dt.date(2025, 10, 6), dt.date(2025, 10, 7), dt.date(2025, 10, 8))
    ]
    area = factories.northamptonshire()
    with on(dt.date(2026, 1, 5)):
        audit_sample_draw(
            actor=factories.coordinator(area), area=area, kind=AuditKind.MEETING, year=YEAR, quarter=3, size=3
        )
        quality_audit_start(actor=lay, meeting=q3[0])
    with django_assert_max_num_queries(one_meeting):
        body = client.get(reverse("web:audits") + f"?year={YEAR}&quarter=3").content.decode()
    assert body.count("Audit this meeting<") == 2
