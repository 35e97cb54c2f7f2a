"""The SMB's indicators page and its downloads (CSV, XLSX, PDF): who may see them, that they name nobody, and their cost in queries."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
import tablib
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from mappa_workflow.models import AgencyType, Area, AreaSettings, AuditEvent
from oversight.models import Indicator
from tests import factories

from .scenario import YEAR, accepted, action_set, minutes_approved, minutes_recorded, on, panel_held

pytestmark = pytest.mark.django_db

PAGE = reverse("web:indicators") + f"?year={YEAR}"
CSV = reverse("web:indicators_csv") + f"?year={YEAR}"
XLSX = reverse("web:indicators_xlsx") + f"?year={YEAR}"
PDF = reverse("web:indicators_pdf") + f"?year={YEAR}"


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def history(area: Area | None = None, *, individual=None, year: int = YEAR) -> None:
    """One Level 2 case with a panel, its attendance, minutes approved and an action, in Q2 of ``year`` (2025/26)."""
    registration = accepted(dt.date(year, 8, 1), area=area, individual=individual).registration
    meeting = minutes_recorded(panel_held(dt.date(year, 8, 22), registrations=[registration], area=area))
    action_set(meeting, due=dt.date(year, 9, 5))
    minutes_approved(meeting, dt.date(year, 9, 1))


def signed_in(user) -> Client:
    return factories.verify_client(Client(), user)


@pytest.mark.parametrize("reader", [factories.smb_member, factories.lay_adviser])
def test_smb_members_and_lay_advisers_see_figures_and_no_person(reader):
    # given names no signed-in reader can share (a reader named like the person would look like a leak)
    person = factories.unmistakable_individual(area=factories.northamptonshire(), given_names="Zephyrine Quilla")
    history(individual=person)
    user = reader()

    response = signed_in(user).get(PAGE)
    download = signed_in(user).get(CSV)
    printed = pdf_text(signed_in(user).get(PDF).content)
    sheet = tablib.Dataset().load(signed_in(user).get(XLSX).content, format="xlsx").export("csv")

    assert response.status_code == 200
    for body in (response.content.decode(), download.content.decode(), printed, sheet):
        assert person.family_name not in body
        assert person.given_names not in body
        assert str(person.pk) not in body
        for referral in person.referrals.all():
            assert referral.reference not in body
    assert "1 of 1 (100%)" in response.content.decode()
    assert "Green" in response.content.decode()


def test_another_areas_records_are_not_counted():
    kent = Area.objects.get(slug="kent")
    history(area=kent)

    body = signed_in(factories.smb_member()).get(PAGE).content.decode()
    kent_body = signed_in(factories.smb_member(area=kent)).get(PAGE).content.decode()

    assert "1 of 1" not in body
    assert "1 of 1 (100%)" in kent_body


def test_the_csv_matches_the_page_and_hides_small_numbers():
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=2)
    history()
    user = factories.smb_member()

    page = signed_in(user).get(PAGE).content.decode()
    response = signed_in(user).get(CSV)

    assert response["Content-Type"].startswith("text/csv")
    assert f"mappa-indicators-{YEAR}-26-northamptonshire.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    first_meeting = [
        r
        for r in rows
        if r["Indicator"] == Indicator.FIRST_MEETING.label and r["Breakdown"] == "Level 2" and r["Period"] == "2025/26"
    ]
    assert [(r["Numerator"], r["Denominator"], r["Percentage"]) for r in first_meeting] == [("*", "*", "*")]
    assert "1 of 1" not in page
    assert AuditEvent.objects.filter(action="export", object_id=f"indicators-{YEAR}-csv").count() == 1


def test_practitioners_are_refused():
    response = signed_in(factories.practitioner(AgencyType.POLICE)).get(PAGE)

    assert response.status_code == 403


def test_navigation_links_the_page_where_statistics_are_linked():
    body = signed_in(factories.lay_adviser()).get(reverse("web:statistics")).content.decode()

    assert f'href="{reverse("web:indicators")}"' in body


def test_the_page_costs_the_same_queries_however_many_records(django_assert_max_num_queries):
    user = factories.smb_member()
    client = signed_in(user)
    history()
    # 14 for the indicators, 3 for the movement tables, 2 for diversity, 28 for the indicators of the two years
    # before (the charts across years), the rest signing in and the page's frame
    with on(dt.date(2026, 5, 1)), django_assert_max_num_queries(55) as few:
        client.get(PAGE)
    for _ in range(3):
        history()
    with on(dt.date(2026, 5, 1)), django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(PAGE).status_code == 200


def _sheet_matches_csv(client) -> list[dict[str, str]]:
    rows = list(csv.DictReader(io.StringIO(client.get(CSV).content.decode())))
    response = client.get(XLSX)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"mappa-indicators-{YEAR}-26-northamptonshire.xlsx" in response["Content-Disposition"]
    sheet = tablib.Dataset().load(response.content, format="xlsx")
    assert sheet.headers == list(rows[0])
    assert len(sheet) == len(rows)
    for row, cells in zip(rows, sheet, strict=True):
        for (name, text), value in zip(row.items(), cells, strict=True):
            if name in ("Numerator", "Denominator") and text not in ("", "-"):
                # a number the spreadsheet can sum, or hidden exactly where the CSV hides it
                assert value == (text if text == "*" else int(text)), (name, row)
    return rows


def test_the_spreadsheet_and_the_pdf_carry_the_csvs_figures_and_hide_the_same_small_numbers():
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=2)
    client = signed_in(factories.smb_member())
    history()  # one case: its figures are hidden
    rows = _sheet_matches_csv(client)
    assert "*" in {r["Numerator"] for r in rows}
    for _ in range(2):
        history()  # three cases: shown
    rows = _sheet_matches_csv(client)

    response = client.get(PDF)
    assert response["Content-Type"] == "application/pdf"
    printed = pdf_text(response.content)
    assert "MAPPA performance indicators 2025/26" in printed
    page = client.get(PAGE).content.decode()
    for title in (Indicator.SCREENING.label, Indicator.FIRST_MEETING.label, Indicator.ACTIONS.label):
        assert title in printed.replace("\n", " ") and html.escape(title) in page
    shown = [
        f"{r['Numerator']} of {r['Denominator']}" for r in rows if r["Numerator"] not in ("*", "0") and r["Denominator"]
    ]
    assert shown and all(figure in printed for figure in shown)
    assert AuditEvent.objects.filter(action="export", object_id=f"indicators-{YEAR}-pdf").count() == 1
    assert AuditEvent.objects.filter(action="export", object_id=f"indicators-{YEAR}-xlsx").count() == 2


def test_each_indicator_has_a_chart_of_its_quarters_drawing_no_hidden_figure():
    import base64
    import re

    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=0)
    for _ in range(3):
        history()
    page = signed_in(factories.smb_member()).get(PAGE).content.decode()

    sources = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)" alt="([^:"]+),', page)
    titles = [title for _, title in sources]
    assert Indicator.FIRST_MEETING.label in [html.unescape(t) for t in titles]
    first_meeting = next(
        base64.b64decode(src).decode()
        for src, title in sources
        if html.unescape(title) == Indicator.FIRST_MEETING.label
    )
    # Q2: three cases, each first panel held on time: 100% for Level 2; no Level 3 case, so no Level 3 bar.
    assert "<title>Level 2, Q2: 100</title>" in first_meeting
    assert "<title>Level 3, Q2: -</title>" in first_meeting  # nothing to measure: no bar, not a hidden figure

    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=5)
    hidden_page = signed_in(factories.smb_member()).get(PAGE).content.decode()
    hidden = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', hidden_page)
    hidden_chart = next(c for c in (base64.b64decode(src).decode() for src in hidden) if "First Level 2 or 3" in c)
    assert "<title>Level 2, Q2: *</title>" in hidden_chart  # three cases: hidden at 5, drawn as no bar


def _charts(page: str) -> dict[str, str]:
    """The page's charts by their alternative text, each as its SVG text."""
    import base64
    import re

    found = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', page)
    return {html.unescape(alt): base64.b64decode(src).decode() for src, alt in found}


def test_each_indicator_has_a_chart_across_years_of_its_yearly_figures_drawing_no_hidden_figure():
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=0)
    for _ in range(3):
        history()  # 2025/26: three cases, each first panel on time
    history(year=YEAR - 1)  # 2024/25: one
    client = signed_in(factories.smb_member())

    page = client.get(PAGE).content.decode()

    by_year = f"{Indicator.FIRST_MEETING.label}, percentage by reporting year, 2023/24 to 2025/26"
    chart = _charts(page)[f"{by_year}: the figures are in the table below it."]
    assert "<title>Level 2, 2025/26: 100</title>" in chart
    assert "<title>Level 2, 2024/25: 100</title>" in chart
    assert "<title>Level 2, 2023/24: -</title>" in chart  # nothing to measure: no bar
    assert "<title>Level 3, 2025/26: -</title>" in chart
    assert f"{html.escape(Indicator.FIRST_MEETING.label)}: year by year" in page
    assert "3 of 3 (100%)" in page and "1 of 1 (100%)" in page

    # at a threshold of 5 the one case of 2024/25 is hidden on that year's page, so here too
    AreaSettings.objects.filter(area=factories.northamptonshire()).update(suppression_threshold=5)
    page = client.get(PAGE).content.decode()
    hidden = _charts(page)[f"{by_year}: the figures are in the table below it."]
    assert "<title>Level 2, 2024/25: *</title>" in hidden and "<title>Level 2, 2025/26: *</title>" in hidden
    assert "1 of 1" not in page and "3 of 3" not in page
    earlier = signed_in(factories.smb_member()).get(reverse("web:indicators") + f"?year={YEAR - 1}")
    assert "1 of 1" not in earlier.content.decode()  # the year's own page hides it the same way
