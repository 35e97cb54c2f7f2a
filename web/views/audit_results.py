"""The audit results for the SMB: averages of the submitted meeting and case audits by question and quarter, on a
page and as CSV, XLSX and PDF downloads (docs/audits.md).

For every statistics reader (SMB members and lay advisers included), each their own area only, as the page.
Aggregates only: nothing about any one meeting, case or auditor. Each download is an export row in the audit
trail. The figures come from oversight.audits.results and are laid out by oversight.audits.exports, so the page
and every download agree.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mappa_workflow.audit import audit_export
from mappa_workflow.models import Area
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from oversight.audits import exports
from oversight.audits.questions import AuditKind
from oversight.audits.results import AuditResults, audit_results
from reporting.exports import CONTENT_TYPES

from ..access import can_read_statistics, page
from .audits import _year_and_quarter
from .statistics import recent_years, year_label


def _results(request: AuthenticatedHttpRequest) -> tuple[Area, int, list[tuple[str, AuditResults]]]:
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    year = _year_and_quarter(request)[0]
    return area, year, [(label, audit_results(area=area, kind=kind, year=year)) for kind, label in AuditKind.choices]


@page(can_read_statistics)
def audit_results_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Averages of the submitted audits by question and quarter: nothing about any one meeting or case."""
    area, year, results = _results(request)
    query = f"?year={year}"
    return render(
        request,
        "web/audits/results.html",
        {
            "area": area,
            "year": year,
            "year_label": year_label(year),
            "years": recent_years(),
            "results": results,
            "downloads": [
                ("CSV", reverse("web:audit_results_csv") + query),
                ("XLSX", reverse("web:audit_results_xlsx") + query),
                ("PDF", reverse("web:audit_results_pdf") + query),
            ],
        },
    )


def _download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    area, year, results = _results(request)
    if fmt == "csv":
        body: bytes | str = exports.render_csv(results)
    elif fmt == "xlsx":
        body = exports.render_xlsx(results)
    else:
        from weasyprint import HTML

        context = {
            "area": area,
            "year_label": year_label(year),
            "results": results,
            "generated_at": timezone.localtime(),
        }
        body = HTML(string=render_to_string("web/audits/results_pdf.html", context)).write_pdf()
    audit_export(
        request, what=f"audit-results-{year}-{fmt}", details={"year": year, "format": fmt, "path": request.path}
    )
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"mappa-audit-results-{year}-{(year + 1) % 100:02d}-{area.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page(can_read_statistics)
def audit_results_csv(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "csv")


@page(can_read_statistics)
def audit_results_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "xlsx")


@page(can_read_statistics)
def audit_results_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _download(request, "pdf")
