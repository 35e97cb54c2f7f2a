from django.core.management.base import BaseCommand

from mappa_workflow import diagrams


class Command(BaseCommand):
    help = "Write a Mermaid diagram of every state machine to docs/state-machines/."

    def handle(self, *args, **options):
        for path in diagrams.write_all():
            self.stdout.write(f"wrote {path.relative_to(diagrams.DOCS_DIR.parent.parent)}")
