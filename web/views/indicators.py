"""Performance indicators for the SMB, lay advisers, co-ordinators and chairs of the area: aggregates only.

The same readers as the statistics page (``can_read_statistics``), each for their own area only.
Figures come from oversight.indicators and are shown and downloaded (CSV, XLSX, PDF) through
oversight.exports, so the page and every download agree. No figure links to a case: the co-ordinators' drill-down is a later piece of work.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_export, audit_list
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from oversight import exports
from oversight.drilldown import UnknownFigure, drill_down
from oversight.indicators import AreaIndicators
from oversight.indicators_page import IndicatorsPage, indicators_across_years
from oversight.indicators_page import indicators_page as page_figures
from reporting.exports import CONTENT_TYPES

from ..access import can_manage_cases, can_read_board_governance, can_read_statistics, page
from .statistics import _year, recent_years, year_label


def _figures(request: AuthenticatedHttpRequest) -> IndicatorsPage:
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    return page_figures(area=area, year=_year(request))


def _count_sections(figures: IndicatorsPage) -> list[dict[str, Any]]:
    """The tables of counts below the indicators: movement between levels, and the diversity of referrals (the API
    returns the same counts: ``oversight.counts``)."""
    counts = figures.counts
    return [
        {
            "key": "movement",
            "heading": "Movement between levels and out of MAPPA",
            "intro": "Counts, with no target: each falls in the quarter of its date.",
            "tables": exports.movement_context(counts.movement),
        },
        {
            "key": "diversity",
            "heading": "Diversity of referrals and screening decisions",
            "intro": "For the equality duty. Ethnicity is recorded in the person's own words, so it is counted only as"
            " stated or not. The area's eligible population by gender, age and ethnicity is not held here: compare"
            " with the area's own figures.",
            "tables": exports.count_tables_context(counts.diversity, figures.indicators.periods),
        },
    ]


def _context(
    found: AreaIndicators, sections: list[dict[str, Any]], by_year: list[AreaIndicators] | None = None
) -> dict[str, object]:
    return {
        "area": found.area,
        "year": found.year,
        "year_label": year_label(found.year),
        "periods": found.periods,
        "threshold": found.suppression_threshold,
        "indicators": exports.page_context(found, by_year or ()),
        "count_sections": sections,
    }


@page(can_read_statistics)
def indicators_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    figures = _figures(request)
    found = figures.indicators
    query = f"?year={found.year}"
    return render(
        request,
        "web/statistics/indicators.html",
        {
            # each indicator's yearly figure in the years before, for its chart across years
            **_context(found, _count_sections(figures), indicators_across_years(found)),
            "years": recent_years(),
            # co-ordinators and chairs may open the records behind each figure (the SMB and lay advisers may not)
            "can_drill": can_manage_cases(request.user),
            "downloads": [
                ("CSV", reverse("web:indicators_csv") + query),
                ("XLSX", reverse("web:indicators_xlsx") + query),
                ("PDF", reverse("web:indicators_pdf") + query),
            ],
            "governance_href": (
                reverse("web:smb_governance") + query if can_read_board_governance(request.user) else ""
            ),
        },
    )


def _download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    figures = _figures(request)
    found = figures.indicators
    sections = _count_sections(figures)
    counts = [table for section in sections for table in section["tables"]]
    if fmt == "csv":
        body: bytes | str = exports.render_csv(found, counts)
    elif fmt == "xlsx":
        body = exports.render_xlsx(found, counts)
    else:
        from weasyprint import HTML

        context = {**_context(found, sections), "generated_at": timezone.localtime()}
        body = HTML(string=render_to_string("web/statistics/indicators_pdf.html", context)).write_pdf()
    audit_export(
        request,
        what=f"indicators-{found.year}-{fmt}",
        details={"year": found.year, "format": fmt, "path": request.path},
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"mappa-indicators-{found.year}-{(found.year + 1) % 100:02d}-{found.area.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page(can_read_statistics)
def indicators_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "csv")


@page(can_read_statistics)
def indicators_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@page(can_read_statistics)
def indicators_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "pdf")


@page(can_manage_cases)
def indicator_records(request: AuthenticatedHttpRequest, indicator: str) -> HttpResponse:
    """The records behind one figure, for the area's co-ordinators and chairs: each with its date and outcome, and
    a link to the case, meeting or action (where the need-to-know rules apply again)."""
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    year = _year(request)
    try:
        found = drill_down(
            user=request.user,
            area=area,
            year=year,
            indicator=indicator,
            row=request.GET.get("row", ""),
            period_key=request.GET.get("period", "year"),
        )
    except UnknownFigure as exc:
        raise Http404("No such figure") from exc
    named = [row.person_record for row in found.rows if row.person_record is not None]
    audit_list(request, what=f"indicator records {indicator}", shown=named, search=request.GET)
    return render(
        request,
        "web/statistics/indicator_records.html",
        {"found": found, "year": year, "year_label": year_label(year), "area": area},
    )
