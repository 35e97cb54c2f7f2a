"""Import an area's existing (synthetic) case histories: ``python manage.py import_cases FOLDER --area X``.

The format is in docs/import-format.md. Nothing is written unless every row of every file is valid.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from mappa_workflow.models import Area
from reporting.importer import ImportErrors, import_cases


class Command(BaseCommand):
    help = "Import individuals, category/level/location periods and life events from CSV or JSON lines files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="folder holding individuals, periods and (optionally) events files")
        parser.add_argument("--area", required=True, help="area slug, e.g. northamptonshire")

    def handle(self, *args, **options) -> None:
        area = Area.objects.filter(slug=options["area"]).first()
        if area is None:
            raise CommandError(f"Unknown area '{options['area']}'")
        with tqdm(desc="Importing", unit=" rows", disable=not self.stdout.isatty()) as bar:
            try:
                result = import_cases(options["path"], area, progress=bar.update)
            except ImportErrors as exc:
                raise CommandError(
                    f"Nothing was imported: {len(exc.errors)} problem(s) to fix first:\n"
                    + "\n".join(f"  {e}" for e in exc.errors)
                ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {area}: {result.individuals} individuals, {result.registrations} registrations, "
                f"{result.periods} periods, {result.events} life events."
            )
        )
