"""Export the annual report tables for an area (or several, or all) and a reporting year.

python manage.py annual_report --area northamptonshire --year 2024 --format pdf --output report.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mappa_workflow.models import Area
from reporting.exports import FORMATS, render
from reporting.statistics import UnknownReportingYear, check_year, compute_annual_report
from reporting.trends import compute_year_on_year


class Command(BaseCommand):
    help = "Export the MAPPA annual report statistics as CSV, XLSX, ODS, PDF or JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--area", help="area slug, e.g. northamptonshire")
        where.add_argument("--areas", help="comma-separated area slugs")
        where.add_argument("--all-areas", action="store_true")
        parser.add_argument(
            "--year", type=int, required=True, help="the April the reporting year starts (2024 = 2024/25)"
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument(
            "--suppression-threshold",
            type=int,
            default=None,
            help="override the areas' small-number threshold (0 = off)",
        )

    def handle(self, *args, **options) -> None:
        areas = self._areas(options)
        try:
            check_year(options["year"])
        except UnknownReportingYear as exc:
            raise CommandError(str(exc)) from exc
        threshold = options["suppression_threshold"]
        if threshold is not None and threshold < 0:
            raise CommandError("--suppression-threshold must be 0 or more")
        report = compute_annual_report(areas=areas, year=options["year"], suppression_threshold=threshold)
        trend = None
        if options["format"] == "pdf":
            trend = compute_year_on_year(areas=areas, year=options["year"], suppression_threshold=threshold)
        content = render(report, options["format"], trend)
        if options["output"]:
            try:
                Path(options["output"]).write_bytes(content)
            except OSError as exc:
                raise CommandError(f"Cannot write {options['output']}: {exc}") from exc
            self.stderr.write(f"Wrote {report.title} ({options['format'].upper()}) to {options['output']}")
        else:
            sys.stdout.buffer.write(content) if options["format"] in ("xlsx", "ods", "pdf") else self.stdout.write(
                content.decode("utf-8"), ending=""
            )

    def _areas(self, options) -> list[Area] | None:
        if options["all_areas"]:
            return None
        slugs = [options["area"]] if options["area"] else [s.strip() for s in options["areas"].split(",") if s.strip()]
        found = {a.slug: a for a in Area.objects.filter(slug__in=slugs)}
        unknown = [s for s in slugs if s not in found]
        if unknown or not slugs:
            raise CommandError(
                f"Unknown area {', '.join(repr(s) for s in unknown) or '(none given)'}. "
                f"Areas: {', '.join(Area.objects.values_list('slug', flat=True))}"
            )
        return [found[s] for s in slugs]
