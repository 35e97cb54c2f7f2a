"""Print a demo account's current two-factor code, so `make run` works without an authenticator app."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from mappa_workflow.models import User
from mappa_workflow.two_factor import base32_secret, confirmed_device, seconds_left, totp_code


class Command(BaseCommand):
    help = "Print the current TOTP code of a synthetic demo account (development only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp runs only with DEBUG on (development settings): it would defeat two-factor")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"username: no account '{username}'")
        if not user.is_synthetic:
            raise CommandError(f"username: '{username}' is not a synthetic demo account; its codes stay on its device")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"username: '{username}' has no authenticator yet; run `manage.py load_demo` first")
        code = totp_code(device, fresh=True)
        self.stdout.write(code)
        self.stderr.write(
            f"Code for {username}, valid for about {seconds_left(device)} more seconds "
            f"(authenticator key {base32_secret(device)})."
        )
