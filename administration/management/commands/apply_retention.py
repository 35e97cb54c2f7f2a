"""Remove or anonymise records past retention (docs/retention.md). Audit rows are never touched:
each anonymisation or deletion is recorded as a new audit row."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from administration import retention


class Command(BaseCommand):
    help = "Anonymise or delete records past their retention period. Use --dry-run to list them first."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what is due; change nothing.")
        parser.add_argument("--today", help="Apply the policy as on this date (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run: bool, today: str | None, **options):
        day = None
        if today:
            try:
                day = dt.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today: '{today}' is not a date like 2025-03-31") from exc
        plan = retention.find_due(day)
        periods = ", ".join(f"{k}={v}" for k, v in retention.periods().items())
        self.stdout.write(f"Retention periods: {periods}")
        verb = "Would" if dry_run else "Will"
        self.stdout.write(
            f"{verb} anonymise {plan.count('anonymise')} people and delete {plan.count('delete')} draft referrals "
            f"(as on {plan.today:%Y-%m-%d})."
        )
        if dry_run:
            for item in plan.items:
                self.stdout.write(f"  {item.action:<9} {item.description} [{item.rule}]")
            return
        with tqdm(total=len(plan.items), disable=not plan.items, file=self.stderr, unit="record") as bar:
            retention.apply(plan, progress=lambda _item: bar.update(1))
        self.stdout.write(self.style.SUCCESS(f"Done: {len(plan.items)} records; each is recorded in the audit trail."))
