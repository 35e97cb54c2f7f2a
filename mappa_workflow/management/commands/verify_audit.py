"""Check the audit trail's hash chain and name the first broken row (non-zero exit when broken)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mappa_workflow.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute every audit row's hash and its link to the row before. Exits 0 when the chain is "
        "intact; otherwise names the first broken row and exits 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=5000, help="Rows read per query (default 5000).")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size: must be 1 or more")
        checked, broken, why = verify_chain(batch_size=batch_size)
        if broken is None:
            self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked:,} rows checked."))
            return
        raise CommandError(
            f"Audit trail broken at row {broken.pk} ({broken.occurred_at:%Y-%m-%d %H:%M:%S %Z}, "
            f"{broken.actor_label}, {broken.action} {broken.object_type} {broken.object_id}): {why}. "
            f"{checked:,} rows before it are intact.",
            returncode=1,
        )
