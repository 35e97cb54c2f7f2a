"""The SMB downloads the audit results (CSV, XLSX, PDF): the page's averages, for its own area, naming nobody."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import tablib
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from mappa_workflow.models import AgencyType, Area, AuditEvent
from oversight.audits.questions import CASE_QUESTIONS, MEETING_QUESTIONS, AuditKind
from oversight.services import quality_audit_answer, quality_audit_start, quality_audit_submit
from tests import factories

from .scenario import YEAR, accepted, minutes_recorded, on, panel_held

pytestmark = pytest.mark.django_db

PAGE = reverse("web:audit_results") + f"?year={YEAR}"
DOWNLOADS = {fmt: reverse(f"web:audit_results_{fmt}") + f"?year={YEAR}" for fmt in ("csv", "xlsx", "pdf")}
MEETING_AUDIT = AuditKind.MEETING.label
CASE_AUDIT = AuditKind.CASE.label


def signed_in(user) -> Client:
    return factories.verify_client(Client(), user)


def audited(actor, scores: dict[str, int], *, meeting=None, registration=None) -> None:
    with on(dt.date(2025, 7, 16)):
        audit = quality_audit_start(actor=actor, meeting=meeting, registration=registration)
        quality_audit_answer(actor=actor, audit=audit, answers={key: {"score": s} for key, s in scores.items()})
        quality_audit_submit(actor=actor, audit=audit)


def a_quarter_audited():
    """A Level 2 panel on 15 July 2025 (Q2) about someone with an unmistakable name, audited by a lay adviser
    observing (3s, and a 4 for the risk summary) and an SMB member (2s); its case audited by a co-ordinator (4s)."""
    person = factories.unmistakable_individual(area=factories.northamptonshire(), given_names="Zephyrine Quilla")
    registration = accepted(dt.date(2025, 7, 1), individual=person).registration
    meeting = minutes_recorded(panel_held(dt.date(2025, 7, 15), registrations=[registration]))
    lay = factories.lay_adviser(first_name="Ottoline", last_name="Observerwick")
    smb = factories.smb_member(first_name="Barnaby", last_name="Boardsworth")
    audited(lay, {q.key: 4 if q.key == "risk_summary" else 3 for q in MEETING_QUESTIONS}, meeting=meeting)
    audited(smb, {q.key: 2 for q in MEETING_QUESTIONS}, meeting=meeting)
    audited(factories.coordinator(), {q.key: 4 for q in CASE_QUESTIONS}, registration=registration)
    return person, meeting, [lay, smb]


def csv_rows(client) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(DOWNLOADS["csv"]).content.decode())))


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def cell(rows: list[dict[str, str]], audit: str, item: str, period: str) -> tuple[str, str]:
    found = next(r for r in rows if (r["Audit"], r["Item"], r["Period"]) == (audit, item, period))
    return found["Audits submitted"], found["Mean score (1 to 4)"]


def test_the_downloads_carry_the_pages_averages_and_each_is_in_the_audit_trail():
    a_quarter_audited()
    client = signed_in(factories.smb_member())

    page = client.get(PAGE)
    rows = csv_rows(client)

    # every cell of the page, in the CSV: the number of audits and the mean as the page shows it
    shown = []
    for title, result in page.context["results"]:
        lines = [("All items", result.overall), *((r.text, r.cells) for r in result.rows)]
        for item, cells in lines:
            for period, c in zip(result.periods, cells, strict=True):
                shown.append([title, item, period.label, str(c.audits), c.text])
    assert [
        [r["Audit"], r["Item"], r["Period"], r["Audits submitted"], r["Mean score (1 to 4)"]] for r in rows
    ] == shown
    # twelve 3s and a 4, and thirteen 2s: 66 / 26 = 2.54; the risk summary (4 + 2) / 2
    assert cell(rows, MEETING_AUDIT, "All items", "Q2 (Jul-Sep)") == ("2", "2.5")
    assert cell(rows, MEETING_AUDIT, "Risk of serious harm summarised", "2025/26") == ("2", "3.0")
    assert cell(rows, MEETING_AUDIT, "All items", "Q1 (Apr-Jun)") == ("0", "-")
    assert cell(rows, CASE_AUDIT, "All items", "Q2 (Jul-Sep)") == ("1", "4.0")
    assert "2.5" in page.content.decode() and "2 audits" in page.content.decode()
    for label in ("CSV", "XLSX", "PDF"):
        assert f'{label}<span class="govuk-visually-hidden"> file of the audit results' in page.content.decode()

    sheet = tablib.Dataset().load(client.get(DOWNLOADS["xlsx"]).content, format="xlsx")
    assert sheet.headers == list(rows[0])
    for row, cells in zip(rows, sheet, strict=True):  # the same rows, counts and means as numbers
        audits, mean = cells[6], cells[7]
        assert audits == int(row["Audits submitted"])
        assert mean == (row["Mean score (1 to 4)"] if mean == "-" else pytest.approx(float(row["Mean score (1 to 4)"])))

    response = client.get(DOWNLOADS["pdf"])
    assert response["Content-Type"] == "application/pdf"
    assert f"mappa-audit-results-{YEAR}-26-northamptonshire.pdf" in response["Content-Disposition"]
    printed = pdf_text(response.content)
    assert "MAPPA audit results 2025/26" in printed and MEETING_AUDIT in printed and CASE_AUDIT in printed
    assert "2.5 (2 audits)" in printed and "4.0 (1 audit)" in printed
    for fmt in ("csv", "xlsx", "pdf"):
        assert AuditEvent.objects.filter(action="export", object_id=f"audit-results-{YEAR}-{fmt}").count() == 1


def test_an_smb_member_of_another_area_downloads_only_their_own_areas_results():
    a_quarter_audited()
    kent_member = signed_in(factories.smb_member(area=Area.objects.get(slug="kent")))

    rows = csv_rows(kent_member)
    printed = pdf_text(kent_member.get(DOWNLOADS["pdf"]).content)
    asked_for_northamptonshire = kent_member.get(DOWNLOADS["csv"] + "&area=northamptonshire")

    assert rows and {(r["Audits submitted"], r["Mean score (1 to 4)"]) for r in rows} == {("0", "-")}
    assert "Northamptonshire" not in printed and "Kent" in printed and "2.5" not in printed
    assert "kent.csv" in asked_for_northamptonshire["Content-Disposition"]
    assert "2.5" not in asked_for_northamptonshire.content.decode()


def test_a_lay_adviser_downloads_the_results_and_no_file_names_a_person():
    person, meeting, auditors = a_quarter_audited()
    lay = signed_in(factories.lay_adviser())

    texts = [
        lay.get(DOWNLOADS["csv"]).content.decode(),
        tablib.Dataset().load(lay.get(DOWNLOADS["xlsx"]).content, format="xlsx").export("csv"),
        pdf_text(lay.get(DOWNLOADS["pdf"]).content),
    ]

    assert all("2.5" in text for text in texts)
    # (the chair's generated surname is left out: a common one, such as Page, is in any PDF's footer)
    names = [person.family_name, person.given_names, str(person.pk), *(r.reference for r in person.referrals.all())]
    names += [user.last_name for user in auditors] + [str(meeting.pk)]
    for text in texts:
        assert not [name for name in names if name.upper() in text.upper()]


def test_practitioners_may_not_download_the_results():
    for url in DOWNLOADS.values():
        assert signed_in(factories.practitioner(AgencyType.POLICE)).get(url).status_code == 403
