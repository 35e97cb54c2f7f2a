"""Django's admin autodiscovery imports this module: it registers every app's admin, one module per app."""

from . import (  # noqa: F401
    accounts,
    audits,
    between_meetings,
    case_reviews,
    meetings,
    notifications,
    oversight,
    referrals,
)
