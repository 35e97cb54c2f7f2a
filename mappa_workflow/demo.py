"""Demo sign-ins for `make run`: one synthetic account per role in an area.

Passwords are random per installation, kept in var/demo_signins.txt (never committed) and
printed when the demo starts. Every account also needs a two-factor code: each demo user has an
authenticator (TOTP device) whose secret is random per installation and kept across runs, so an
authenticator app set up once keeps working; ``python manage.py demo_totp <username>`` prints
the current code without one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from .models import Agency, AgencyType, Area, Role, RoleAssignment, Seniority, User

SIGNINS_FILE = Path(settings.BASE_DIR) / "var" / "demo_signins.txt"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    agency_type: str
    seniority: int = Seniority.PRACTITIONER
    job_title: str = ""
    staff: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("coordinator", "Casey", "Coordinator", (Role.COORDINATOR,), AgencyType.PROBATION, Seniority.MANAGER, "MAPPA co-ordinator"),
    DemoAccount("chair", "Sam", "Superintendent", (Role.CHAIR,), AgencyType.POLICE, Seniority.SUPERINTENDENT, "Detective Superintendent"),
    DemoAccount("police", "Pat", "Constable", (Role.PRACTITIONER,), AgencyType.POLICE, job_title="MOSOVO officer"),
    DemoAccount("probation", "Robin", "Probation", (Role.PRACTITIONER,), AgencyType.PROBATION, job_title="Probation officer"),
    DemoAccount("housing", "Hari", "Housing", (Role.PRACTITIONER,), AgencyType.HOUSING, job_title="Housing options officer"),
    DemoAccount("smb", "Morgan", "Board", (Role.SMB_MEMBER,), AgencyType.PROBATION, Seniority.CHIEF_OFFICER, "SMB member"),
    DemoAccount("layadviser", "Lee", "Adviser", (Role.LAY_ADVISER,), AgencyType.OTHER, job_title="Lay adviser"),
    DemoAccount("admin", "Alex", "Administrator", (Role.ADMINISTRATOR,), AgencyType.POLICE, job_title="System administrator", staff=True),
]  # fmt: skip


def _password() -> str:
    return "-".join(secrets.token_urlsafe(4) for _ in range(3))


@transaction.atomic
def create_demo_accounts(area: Area) -> list[tuple[DemoAccount, str]]:
    """Create (or reset the passwords of) the demo accounts; return each with its password."""
    created = []
    for account in DEMO_ACCOUNTS:
        agency = Agency.objects.filter(area=area, agency_type=account.agency_type).order_by("pk").first()
        user, _ = User.objects.update_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.example.invalid",
                "area": area,
                "agency": agency,
                "seniority": account.seniority,
                "job_title": account.job_title,
                "is_staff": account.staff,
                "is_superuser": account.staff,
                "is_synthetic": True,
            },
        )
        password = _password()
        user.set_password(password)
        user.save()
        for role in account.roles:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        demo_totp_device(user)
        created.append((account, password))
    return created


def demo_totp_device(user: User):  # type: ignore[no-untyped-def]
    """The demo user's authenticator: kept if it exists (its secret is random per installation)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .two_factor import confirmed_device

    return confirmed_device(user) or TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)


def write_signins(area: Area, accounts: list[tuple[DemoAccount, str]], extra_lines: list[str] | None = None) -> str:
    from .two_factor import base32_secret, confirmed_device

    lines = [f"Demo sign-ins for {area} (synthetic data only):"]
    lines.append(f"  {'username':<12} {'password':<20} {'authenticator key (TOTP)':<34} role")
    for account, password in accounts:
        roles = ", ".join(Role(r).label for r in account.roles)
        device = confirmed_device(User.objects.get(username=account.username))
        secret = base32_secret(device) if device else "(none)"
        lines.append(f"  {account.username:<12} {password:<20} {secret:<34} {roles}")
    lines += [
        "",
        "Every sign-in asks for a security code after the password. Either:",
        "  - print the current code:  .venv/bin/python manage.py demo_totp <username>",
        "  - or add the key above to an authenticator app (time-based, 6 digits, 30 seconds).",
    ]
    lines += extra_lines or []
    text = "\n".join(lines) + "\n"
    SIGNINS_FILE.parent.mkdir(exist_ok=True)
    SIGNINS_FILE.write_text(text)
    SIGNINS_FILE.chmod(0o600)
    return text
