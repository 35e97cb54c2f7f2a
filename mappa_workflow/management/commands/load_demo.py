"""Load the synthetic demo area for `make run`: generated history, meetings, and demo sign-ins.

Safe to run again: the history is generated once per database (use --reset to start again);
demo passwords are reset and printed every time.
"""

from __future__ import annotations

import importlib

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from mappa_workflow.demo import create_demo_accounts, write_signins
from mappa_workflow.models import Area
from referrals.models import Individual


class Command(BaseCommand):
    help = "Load a synthetic demo area (default Northamptonshire) with demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--area", default="northamptonshire")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--reset", action="store_true", help="Generate the history again even if it exists.")

    def handle(self, *args, area: str, seed: int, reset: bool, **options):
        try:
            the_area = Area.objects.get(slug=area)
        except Area.DoesNotExist as exc:
            raise CommandError(f"--area: no MAPPA area '{area}'") from exc
        if reset or not Individual.objects.filter(area=the_area).exists():
            self.stdout.write(f"Generating the synthetic history of {the_area} (seed {seed})...")
            call_command("generate_synthetic_data", area=area, seed=seed, stdout=self.stdout)
            demo_meetings = _optional("meetings.demo", "generate_demo_meetings")
            if demo_meetings is not None:
                self.stdout.write("Generating meetings, minutes and actions...")
                demo_meetings(area=the_area, seed=seed, today=timezone.localdate())
        else:
            self.stdout.write(f"{the_area} already has its synthetic history; keeping it (use --reset to regenerate).")
        accounts = create_demo_accounts(the_area)
        self.stdout.write(write_signins(the_area, accounts))


def _optional(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
