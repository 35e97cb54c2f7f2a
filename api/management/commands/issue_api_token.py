"""Issue (or replace) the API token of one user: ``python manage.py issue_api_token <username>``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from mappa_workflow.audit import audit_record
from mappa_workflow.models import AuditAction, User


class Command(BaseCommand):
    help = (
        "Print a user's API token, creating it if they have none. --rotate replaces an existing token "
        "(the old one stops working at once); --revoke deletes it. Each issue, rotation and revocation is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--rotate", action="store_true", help="Replace the existing token with a new one.")
        group.add_argument("--revoke", action="store_true", help="Delete the token: the API refuses it from now on.")

    def handle(self, *args: Any, username: str, rotate: bool, revoke: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username: there is no user called {username!r}")
        if not user.is_active:
            raise CommandError(f"username: {username!r} is deactivated; reactivate the account first")
        with transaction.atomic():
            existing = Token.objects.select_for_update().filter(user=user).first()
            if revoke:
                if existing is None:
                    raise CommandError(f"username: {username!r} has no API token to revoke")
                existing.delete()
                self._audit(user, "API token revoked")
                self.stdout.write(f"Revoked the API token of {username}.")
                return
            if existing is not None and not rotate:
                self.stdout.write(existing.key)
                return
            if existing is not None:
                existing.delete()
            token = Token.objects.create(user=user)
            self._audit(user, "API token rotated" if existing is not None else "API token issued")
        self.stdout.write(token.key)

    def _audit(self, user: User, reason: str) -> None:
        # The token itself is never written to the audit trail: only that one was issued and for whom.
        audit_record(actor=None, action=AuditAction.CHANGE, obj=user, area_id=user.area_id, reason=reason)
