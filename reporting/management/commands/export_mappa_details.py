"""Export an area's active registrations as probation's MAPPA details (JSON): ``export_mappa_details --area X``.

The format is in docs/import-format.md ("MAPPA details"). Writes to standard output unless ``--output``.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mappa_workflow.audit import audit_record
from mappa_workflow.models import Area, AuditAction
from reporting.exchange import export_mappa_details


class Command(BaseCommand):
    help = "Export an area's active registrations in the shape of probation's MAPPA details, as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="area slug, e.g. northamptonshire")
        parser.add_argument("--output", help="file to write (standard output if left out)")

    def handle(self, *args, **options) -> None:
        area = Area.objects.filter(slug=options["area"]).first()
        if area is None:
            raise CommandError(f"Unknown area '{options['area']}'")
        document = export_mappa_details(area)
        text = json.dumps(document, indent=2) + "\n"
        audit_record(
            actor=None,
            action=AuditAction.EXPORT,
            object_type="mappa_details",
            object_id=area.slug,
            area_id=area.pk,
            details={"registrations": len(document["registrations"]), "output": options["output"] or "stdout"},
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as handle:
                handle.write(text)
            self.stderr.write(f"Exported {len(document['registrations'])} registrations of {area}.")
        else:
            self.stdout.write(text, ending="")
