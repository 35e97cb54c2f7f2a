"""Statistics for the SMB, lay advisers, co-ordinators and chairs: aggregates only, never a person.

Figures, year-on-year trend, charts and downloads all come from the reporting app
(reporting.statistics, reporting.trends, reporting.exports), so a number on this page is the
number in every download. A download can also be built in the background (notifications'
ExportJob, built by a worker): the user watches its progress and downloads it when it is ready.
Every download is recorded in the audit trail.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from mappa_workflow.audit import audit_export
from mappa_workflow.exceptions import WorkflowError
from mappa_workflow.signed_in import AuthenticatedHttpRequest
from need_to_know import permissions
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from notifications.models import ExportFormat, ExportStatus
from reporting import exports, statistics, trends

from ..access import can_read_statistics, page
from ..forms import ExportRequestForm
from ..forms_base import apply_workflow_error

TREND_YEARS = 3
FORMAT_LABELS = {
    "csv": "CSV (all tables)",
    "xlsx": "Excel spreadsheet (one sheet per table)",
    "ods": "OpenDocument spreadsheet",
    "pdf": "PDF report with charts",
    "json": "JSON",
}
CHART_TEXT = {
    "snapshot": "MAPPA-eligible individuals in the community on 31 March, by year",
    "level_2_3_yearly": "Individuals managed at Level 2 and Level 3 in each year",
    "returns": "Level 2 and 3 individuals returned to custody, by year",
}


def latest_complete_year() -> int:
    """The last reporting year that has ended: the default, as an unfinished year's figures mislead."""
    return statistics.current_reporting_year() - 1


def year_label(year: int) -> str:
    label = f"{year}/{(year + 1) % 100:02d}"
    return f"{label} (year to date)" if year == statistics.current_reporting_year() else label


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("year", "")
    if not raw:
        return latest_complete_year()
    try:
        year = int(raw)
        statistics.check_year(year)
    except (ValueError, statistics.UnknownReportingYear) as exc:
        raise Http404("No such reporting year") from exc
    return year


OFFERED_YEARS = 10


def recent_years() -> list[tuple[int, str]]:
    """The last ten reporting years, newest first."""
    latest = statistics.current_reporting_year()
    return [(y, year_label(y)) for y in range(latest, max(1999, latest - OFFERED_YEARS), -1)]


def _years(area: Any) -> tuple[list[tuple[int, str]], str]:
    """The reporting years offered: from the first with any record (at most ten), always including the
    latest complete year and the current one; and, when that trims the list, why earlier years are absent."""
    latest = statistics.current_reporting_year()
    first = latest - OFFERED_YEARS + 1
    first_day = statistics.first_record_day([area.pk]) if area is not None else None
    if first_day is None:
        first, why = latest - 1, "Earlier years are not offered: there are no records for this area yet."
    elif statistics.reporting_year_of(first_day) > first:
        first = min(statistics.reporting_year_of(first_day), latest - 1)
        why = (
            f"Earlier years are not offered: this area's records begin on {first_day:%-d %B %Y}, "
            f"in the reporting year {year_label(first).removesuffix(' (year to date)')}."
        )
    else:
        why = ""
    return [(y, year_label(y)) for y in range(latest, max(1999, first - 1), -1)], why


def _export_form(
    area: Any, data: Any = None, *, year: int | None = None, years: list[tuple[int, str]] | None = None
) -> ExportRequestForm:
    """The export request form; ``years`` are the years offered when the page has already found them."""
    formats = [(fmt, FORMAT_LABELS.get(fmt, label)) for fmt, label in ExportFormat.choices]
    initial = {"year": str(year if year is not None else latest_complete_year())}
    return ExportRequestForm(data, formats=formats, years=_years(area)[0] if years is None else years, initial=initial)


def _trend(request: AuthenticatedHttpRequest) -> trends.YearOnYear:
    area = request.user.area
    if area is None:
        raise Http404("Your account has no area")
    return trends.compute_year_on_year(areas=area, year=_year(request), years=TREND_YEARS, cached=True)


@page(can_read_statistics)
def statistics_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    trend = _trend(request)
    report = trend.reports[-1]
    latest = statistics.current_reporting_year()
    years, years_note = _years(request.user.area)
    charts = [
        {
            "src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
            "alt": CHART_TEXT.get(key, key) + ": the figures are in the year-on-year tables below.",
            "caption": CHART_TEXT.get(key, key),
        }
        for key, svg in trends.charts(trend).items()
    ]
    return render(
        request,
        "web/statistics/report.html",
        {
            **exports.report_context(report, trend),
            "charts": charts,
            "years": years,
            "years_note": years_note,
            "year": report.year,
            "year_to_date": report.year == latest,
            "downloads": [
                {"href": reverse("web:statistics_download", args=[fmt]) + f"?year={report.year}", "label": label}
                for fmt, label in FORMAT_LABELS.items()
                if fmt in exports.FORMATS
            ],
            "export_form": _export_form(request.user.area, year=report.year, years=years),
        },
    )


@page(can_read_statistics)
def statistics_download(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404("Unknown format")
    trend = _trend(request)
    report = trend.reports[-1]
    body = exports.render(report, fmt, trend)
    audit_export(
        request,
        what=f"statistics-{report.year}-{fmt}",
        details={"year": report.year, "format": fmt, "path": request.path},
    )
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES[fmt])
    area = request.user.area
    assert area is not None  # _trend refused an account without one
    filename = f"mappa-statistics-{report.year}-{(report.year + 1) % 100:02d}-{area.slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


STATUS_TAGS: dict[str, str] = {
    ExportStatus.QUEUED: "govuk-tag--grey",
    ExportStatus.RUNNING: "govuk-tag--blue",
    ExportStatus.DONE: "govuk-tag--green",
    ExportStatus.FAILED: "govuk-tag--red",
}


@page(can_read_statistics)
def export_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's background downloads with their status and progress; POST asks for another."""
    user = request.user
    if user.area is None:
        raise Http404("Your account has no area")
    form = _export_form(user.area, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = notification_services.export_request(
                actor=user,
                area=user.area,
                year=form.cleaned_data["year"],
                export_format=form.cleaned_data["export_format"],
            )
        except WorkflowError as exc:
            apply_workflow_error(form, exc)
        else:
            messages.success(
                request, f"Your download is being prepared: {job}. We will also email you when it is ready."
            )
            return redirect("web:statistics_exports")
    jobs = list(notification_selectors.export_jobs_for(user)[:50])
    return render(
        request,
        "web/statistics/exports.html",
        {
            "form": form,
            "error_items": form.summary_errors() if form.is_bound else [],
            "jobs": [
                {
                    "job": job,
                    "year_label": year_label(job.year),
                    "tag": STATUS_TAGS.get(job.status, "govuk-tag--grey"),
                    "href": reverse("web:statistics_export_download", args=[job.pk])
                    if job.status == ExportStatus.DONE
                    else "",
                }
                for job in jobs
            ],
            "unfinished": any(not job.is_finished for job in jobs),
        },
    )


@page(can_read_statistics)
def export_download(request: AuthenticatedHttpRequest, pk: Any) -> HttpResponseBase:
    """A finished background download: only its requester, while they still read that area's statistics."""
    job = get_object_or_404(notification_selectors.export_jobs_for(request.user), pk=pk)
    if not (
        permissions.has_perm(request.user, "notifications.view_export", job)
        and permissions.has_perm(request.user, "reporting.view_statistics", job.area)
    ):
        raise Http404
    stored_name = job.file.name  # a FieldFile is false exactly when it has no name
    if job.status != ExportStatus.DONE or not stored_name:
        messages.info(request, "That download is not ready yet")
        return redirect("web:statistics_exports")
    audit_export(
        request,
        what=f"statistics-{job.year}-{job.export_format}",
        area_id=job.area_id,
        details={"year": job.year, "format": job.export_format, "export_job": str(job.pk), "path": request.path},
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=os.path.basename(stored_name),
        content_type=exports.CONTENT_TYPES.get(job.export_format, "application/octet-stream"),
    )
