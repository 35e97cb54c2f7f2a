"""Import probation's MAPPA details (JSON) into an area: ``import_mappa_details FILE --area X``.

The format is in docs/import-format.md ("MAPPA details"). Nothing is written unless every record is valid;
otherwise the command exits non-zero naming file, record and field.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mappa_workflow.models import Area
from reporting.exchange import import_mappa_details
from reporting.importer import ImportErrors


class Command(BaseCommand):
    help = "Import registrations' level, category, dates, team, officer and notes from probation's MAPPA details."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the JSON document")
        parser.add_argument("--area", required=True, help="area slug, e.g. northamptonshire")

    def handle(self, *args, **options) -> None:
        area = Area.objects.filter(slug=options["area"]).first()
        if area is None:
            raise CommandError(f"Unknown area '{options['area']}'")
        try:
            result = import_mappa_details(options["path"], area)
        except ImportErrors as exc:
            raise CommandError(
                f"Nothing was imported: {len(exc.errors)} problem(s) to fix first:\n"
                + "\n".join(f"  {e}" for e in exc.errors)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported into {area}: {result.updated} registrations updated, {result.opened} registrations opened."
            )
        )
