"""Generate a synthetic area (or all 42) with several years of MAPPA history.

python manage.py generate_synthetic_data --area northamptonshire --seed 2025
python manage.py generate_synthetic_data --area northamptonshire --seed 1 --target northamptonshire-2021.json
python manage.py generate_synthetic_data --area northamptonshire --seed 1 --last-year 2025
python manage.py generate_synthetic_data --national --seed 1   (and Level 2/3 panels, reporting/synthetic/meetings.py)

With --last-year the history ends with that reporting year instead of the target's: the target's figures
shape it (the demo uses this so its history runs up to the last year that has ended), but only the
target's own year is reproduced cell for cell.
"""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from mappa_workflow.models import Area, reporting_year_bounds
from reporting.synthetic.figures import YearFigures, figures_from_target, load_target
from reporting.synthetic.generator import (
    DEFAULT_TARGET,
    GenerationError,
    GenerationResult,
    generate_area,
    scale_figures,
)
from reporting.synthetic.meetings import MeetingCounts, generate_meetings

# England and Wales hold about 90,000 MAPPA-eligible people in the community across 42 areas (DOMAIN.md).
NATIONAL_IN_COMMUNITY = 90_000


NATIONAL_CATEGORY_1_SHARE = 0.75


def _national_mix(base: YearFigures) -> None:
    """About 75% of those in the community nationally are Category 1 (DOMAIN.md), fewer than in the
    Northamptonshire figures the areas are scaled from: add Category 2 people at Level 1 to match."""
    category_1 = sum(n for (c, _level), n in base.snapshot.items() if c == 1)
    total = sum(base.snapshot.values())
    base.snapshot[(2, 1)] += max(0, round(category_1 / NATIONAL_CATEGORY_1_SHARE) - total)


def _target_shape(target: dict) -> YearFigures:
    """The target's figures as the shape of a history that does not claim the published year's cells
    (so the cells it cannot honour are not reported against it)."""
    figures = figures_from_target(target)
    figures.problems = []
    return figures


def _shaped_on(target: dict, last_year: int) -> dict:
    """Arguments for a history ending in ``last_year`` with the target's figures as its shape."""
    return {"figures": _target_shape(target), "last_year": last_year}


class Command(BaseCommand):
    help = "Generate synthetic MAPPA histories (deterministic for a seed). Everything written is marked synthetic."

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--area", help="area slug, e.g. northamptonshire")
        where.add_argument("--national", action="store_true", help="all 42 areas, about 90,000 people")
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--target", help="a published year's figures (JSON); default: Northamptonshire 2024/25")
        parser.add_argument("--years", type=int, default=5, help="reporting years of history (default 5)")
        parser.add_argument(
            "--last-year",
            type=int,
            help="end the history with this reporting year (its April), shaped on the target's figures; "
            "default: the target's own year, reproduced exactly",
        )

    def handle(self, *args, **options) -> None:
        try:
            target = load_target(options["target"] or DEFAULT_TARGET)
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read the target: {exc}") from exc
        if options["national"] and options["last_year"] is not None:
            raise CommandError("--last-year: not with --national (the national set ends with the target's year)")
        if options["national"]:
            results = self._national(options["seed"], options["years"], target)
        else:
            area = Area.objects.filter(slug=options["area"]).first()
            if area is None:
                raise CommandError(
                    f"Unknown area '{options['area']}'. Areas: {', '.join(Area.objects.values_list('slug', flat=True))}"
                )
            last_year = options["last_year"]
            if last_year is None or last_year == int(target["year"]):
                results = [self._one(area, options["seed"], options["years"], target=target)]
            else:
                results = [self._one(area, options["seed"], options["years"], **_shaped_on(target, last_year))]
        for result in results:
            self._summary(result)
        if options["national"]:
            self._meetings(results, options["seed"])

    def _meetings(self, results: list[GenerationResult], seed: int) -> None:
        """Level 2/3 panels with attendance, minutes and actions for every area, in bulk."""
        today = timezone.localdate()
        total = MeetingCounts()
        with tqdm(desc="Meetings", unit=" meetings", disable=not self.stdout.isatty()) as bar:
            for result in tqdm(results, desc="Areas (meetings)", unit=" area"):
                total += generate_meetings(
                    area=result.area,
                    seed=seed,
                    today=today,
                    history_start=reporting_year_bounds(result.years[0])[0],
                    progress=bar.update,
                )
        self.stdout.write(
            f"Level 2/3 panels: {total.meetings:,} meetings, {total.agenda_items:,} cases on agendas, "
            f"{total.attendance:,} attendance rows, {total.actions:,} actions."
        )

    def _one(self, area: Area, seed: int, years: int, **kwargs) -> GenerationResult:
        with tqdm(desc=f"{area.name}", unit=" rows", disable=not self.stdout.isatty()) as bar:
            try:
                return generate_area(area=area, seed=seed, years=years, progress=bar.update, **kwargs)
            except GenerationError as exc:
                raise CommandError(str(exc)) from exc

    def _national(self, seed: int, years: int, target: dict) -> list[GenerationResult]:
        base = _target_shape(target)
        _national_mix(base)
        base_size = sum(base.snapshot.values())
        areas = list(Area.objects.order_by("name"))
        rng = random.Random(seed)
        weights = [rng.uniform(0.4, 2.2) for _ in areas]
        scale = NATIONAL_IN_COMMUNITY / base_size / sum(weights)
        results = []
        for index, (area, weight) in enumerate(
            tqdm(list(zip(areas, weights, strict=True)), desc="Areas", unit=" area")
        ):
            if area.slug == target["area"]:
                results.append(self._one(area, seed, years, target=target))
                continue
            figures = scale_figures(base, weight * scale, rng, spread=0.1)
            results.append(
                self._one(
                    area,
                    seed,
                    years,
                    figures=figures,
                    last_year=int(target["year"]),
                    use_services=False,
                    reference_offset=(index + 1) * 10_000,
                )
            )
        return results

    def _summary(self, result: GenerationResult) -> None:
        report = result.report
        assert report is not None
        snapshot = report.table("snapshot").value("total", "total")
        self.stdout.write(
            f"{result.area.name}: {result.individuals:,} synthetic individuals, reporting years "
            f"{result.years[0]}/{(result.years[0] + 1) % 100:02d} to {report.year_label}; "
            f"{snapshot:,} MAPPA-eligible in the community on 31 March {report.last_day.year}."
        )
        if result.target is None:
            return
        if not result.unhonoured:
            self.stdout.write(self.style.SUCCESS(f"Every published cell of {report.year_label} is reproduced."))
            return
        self.stdout.write(
            self.style.WARNING(f"{len(result.unhonoured)} published cells of {report.year_label} cannot be honoured:")
        )
        for item in result.unhonoured:
            self.stdout.write(f"  - {item}")
