"""Load the synthetic demo area for `make run`: generated history, meetings, the SMB's board (its chair held by the
demo SMB account), and demo sign-ins.

The history ends with the last reporting year that has ended (so the statistics page opens on a full year),
shaped on the published Northamptonshire 2024/25 figures; `generate_synthetic_data` without --last-year
reproduces the published year itself cell for cell. Safe to run again: the history is generated once per
database (delete var/mappa.sqlite3 to start again); demo passwords are reset and printed every time.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from administration.demo_between_meetings import generate_demo_between_meetings
from mappa_workflow.demo import create_demo_accounts, write_signins
from mappa_workflow.models import Area, AreaPopulation, AreaSettings
from meetings.demo import generate_demo_meetings
from oversight.demo import generate_demo_board
from referrals.models import Individual
from reporting.statistics import current_reporting_year


class Command(BaseCommand):
    help = "Load a synthetic demo area (default Northamptonshire) with demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--area", default="northamptonshire")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument(
            "--last-year", type=int, help="the history's last reporting year (default: the last one that has ended)"
        )

    def handle(self, *args, area: str, seed: int, last_year: int | None, **options):
        try:
            the_area = Area.objects.get(slug=area)
        except Area.DoesNotExist as exc:
            raise CommandError(f"--area: no MAPPA area '{area}'") from exc
        if not Individual.objects.filter(area=the_area).exists():
            last_year = current_reporting_year() - 1 if last_year is None else last_year
            self.stdout.write(f"Generating the synthetic history of {the_area} (seed {seed})...")
            call_command("generate_synthetic_data", area=area, seed=seed, last_year=last_year, stdout=self.stdout)
            self.stdout.write("Generating meetings, minutes and actions...")
            generate_demo_meetings(area=the_area, seed=seed, today=timezone.localdate())
            self.stdout.write("Generating release plans and Level 1 reviews...")
            generate_demo_between_meetings(area=the_area, seed=seed, today=timezone.localdate())
            carried = carry_population_forward(the_area, through=current_reporting_year())
            if carried:
                self.stdout.write(
                    f"Population aged 10 and over carried forward (marked as a demo estimate) for {', '.join(carried)}."
                )
        else:
            self.stdout.write(
                f"{the_area} already has its synthetic history; keeping it (delete the database to start again)."
            )
        settings = AreaSettings.for_area(the_area)
        if not settings.coordination_team_email:  # the demo's co-ordinators share one team inbox
            settings.coordination_team_email = f"mappa-coordination.{the_area.slug}@example.invalid"
            settings.save(update_fields=["coordination_team_email"])
        accounts = create_demo_accounts(the_area)
        self.stdout.write(generate_demo_board(area=the_area, today=timezone.localdate()))
        self.stdout.write(write_signins(the_area, accounts))


@transaction.atomic
def carry_population_forward(area: Area, *, through: int) -> list[str]:
    """Give the demo a population for each later year without one, so its rates are not blank.

    Real areas enter the ONS mid-year estimate (admin, *Area populations*); the demo copies its latest
    known figure and says so in the source, which the statistics page and the exports cite.
    """
    latest = AreaPopulation.objects.filter(area=area, year__lte=through).order_by("-year").first()
    if latest is None:
        return []
    carried = []
    for year in range(latest.year + 1, through + 1):
        AreaPopulation.objects.create(
            area=area,
            year=year,
            population_aged_10_and_over=latest.population_aged_10_and_over,
            source=(
                f"Synthetic demo estimate: the {latest.year}/{(latest.year + 1) % 100:02d} figure carried forward "
                f"(replace with the ONS mid-year estimate). Earlier source: {latest.source}"
            ),
        )
        carried.append(f"{year}/{(year + 1) % 100:02d}")
    return carried
