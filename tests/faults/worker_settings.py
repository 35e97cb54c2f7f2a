"""Settings for the worker and beat processes the fault tests start (production-like, faster clocks).

Everything comes from base.py as deployed (DATABASE_URL, REDIS_URL, EMAIL_URL from the environment);
only the clocks are shortened so each fault test ends within a minute or two.
"""

import os

from config.settings.development import *  # noqa: F403

DEBUG = False
NOTIFICATIONS_CLAIM_LEASE_SECONDS = int(os.environ.get("FAULTS_LEASE_SECONDS", "10"))
NOTIFICATIONS_DRAIN_GRACE_SECONDS = 2
NOTIFICATIONS_RETRY_BACKOFF_SECONDS = 1
NOTIFICATIONS_RETRY_BACKOFF_MAX_SECONDS = 5
EMAIL_TIMEOUT = 20
