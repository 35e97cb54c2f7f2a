"""Django's admin autodiscovery imports this module: it registers every app's admin, one module per app."""

from . import accounts, audits, between_meetings, meetings, notifications, oversight, referrals  # noqa: F401
