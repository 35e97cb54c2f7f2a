"""The statistics page offers only the years the area has records for, every table it shows is in every
download, the PDF has no stranded headings or blank pages, and the page draws its charts without a
chart library's second-long import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import openpyxl
import pytest
from django.urls import reverse
from pypdf import PdfReader

from mappa_workflow.models import Role
from reporting.statistics import current_reporting_year
from reporting.synthetic.generator import generate_area
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


def _label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


@pytest.fixture
def smb_client(signed_in):
    return signed_in(factories.UserFactory(roles=[Role.SMB_MEMBER]))


def test_years_before_the_first_record_are_not_offered_and_the_page_says_why(smb_client):
    current = current_reporting_year()
    first_day = dt.date(current - 3, 6, 2)  # in the reporting year three before this one
    factories.registration_at_level(2, decided_on=first_day)
    page = smb_client.get(reverse("web:statistics")).content.decode()
    offered = [y for y in range(current - 12, current + 1) if f'<option value="{y}"' in page]
    assert offered == [current - 3, current - 2, current - 1, current]
    assert f'<option value="{current - 1}" selected>' in page
    assert (
        f"Earlier years are not offered: this area&#x27;s records begin on 2 June {current - 3}, "
        f"in the reporting year {_label(current - 3)}." in page
    )


def test_an_area_without_records_offers_the_last_complete_and_current_year_and_says_why(smb_client):
    current = current_reporting_year()
    page = smb_client.get(reverse("web:statistics")).content.decode()
    offered = [y for y in range(current - 12, current + 1) if f'<option value="{y}"' in page]
    assert offered == [current - 1, current]
    assert "there are no records for this area yet" in page


@pytest.fixture
def history(smb_client):
    generate_area(area=factories.northamptonshire(), seed=3, years=3, use_services=False)
    page = smb_client.get(reverse("web:statistics")).content.decode()
    return page


def _trend_titles(page: str) -> list[str]:
    import re

    return [
        t.replace("&#x27;", "'").replace("&amp;", "&")
        for t in re.findall(r'<caption class="govuk-table__caption govuk-table__caption--s">(.*?)</caption>', page)
    ]


@pytest.mark.slow
def test_every_year_on_year_table_on_the_page_is_in_the_csv_and_the_spreadsheet(smb_client, history):
    titles = _trend_titles(history)
    assert len(titles) > 5 and all(t.endswith(": year on year") for t in titles)
    year = current_reporting_year() - 1

    body = smb_client.get(reverse("web:statistics_download", args=["csv"]), {"year": year}).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    first_cells = [row[0] if row else "" for row in rows]
    assert all(title in first_cells for title in titles)
    assert rows[first_cells.index(titles[0]) + 1][-2:] == [_label(year), "Change"]

    xlsx = smb_client.get(reverse("web:statistics_download", args=["xlsx"]), {"year": year}).content
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet_titles = [sheet.cell(1, 1).value for sheet in book.worksheets]
    assert all(title in sheet_titles for title in titles)
    trend_sheet = book.worksheets[sheet_titles.index(titles[0])]
    assert [c.value for c in trend_sheet[1]][-2:] == [_label(year), "Change"]


@pytest.mark.slow
def test_the_pdf_has_no_page_that_is_only_a_heading_nor_a_table_title_at_the_foot_of_a_page(smb_client, history):
    year = current_reporting_year() - 1
    pdf = smb_client.get(reverse("web:statistics_download", args=["pdf"]), {"year": year}).content
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 2
    titles = {" ".join(t.split()) for t in _trend_titles(history)}
    for number, pdf_page in enumerate(pages, start=1):
        lines = [line for line in pdf_page.extract_text().splitlines() if line.strip()]
        content = [line for line in lines if not line.startswith("Page ")]
        assert len(content) > 3, f"page {number} is all but blank: {content}"
        # The last line before the footer is a table's row, never its title (nor the start of it).
        tail = " ".join(content[-2:])
        assert not any(tail.endswith(t[-30:]) for t in titles), f"page {number} ends with a title: {tail}"
        assert not content[-1].startswith("The last "), f"page {number} ends with a heading"


def test_the_statistics_page_draws_its_charts_without_importing_a_chart_library():
    """The first load of the page paid over a second importing matplotlib; the charts are plain SVG."""
    import os

    settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.test")
    script = (
        "import sys, django, os;"
        f"os.environ['DJANGO_SETTINGS_MODULE']={settings_module!r};"
        "django.setup();"
        "from reporting import trends;"
        "svg = trends._draw_svg('Levels', ['2024/25', '2025/26'], {'Level 2': [3, None], 'Level 3': [1, 2]});"
        "assert '2025/26' in svg and '<svg' in svg and '>*<' in svg;"
        "print('matplotlib' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)  # noqa: S603  # our own script
    assert result.stdout.strip().splitlines()[-1] == "False"
