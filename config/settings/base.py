"""Settings shared by every environment, read from the environment with safe defaults."""

from __future__ import annotations

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None


def _development_secret_key() -> str:
    """A random key kept in var/ so sessions survive restarts of `make run`; never used in production."""
    VAR_DIR.mkdir(exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or _development_secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_fsm",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "govuk_frontend_django",
    "mappa_workflow",
    "need_to_know",
    "referrals",
    "meetings",
    "case_reviews",
    "reporting",
    "notifications",
    "oversight",
    "victims",
    "transfers",
    "release_planning",
    "level_one",
    "web",
    "api",
    "administration",
]

MIDDLEWARE = [
    "mappa_workflow.middleware.PermissionsPolicyMiddleware",  # first, so static files get it too
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mappa_workflow.middleware.SessionIdleRefreshMiddleware",  # the idle timeout, saving at most once a minute
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mappa_workflow.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "mappa_workflow.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mappa_workflow.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mappa.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # One connection per process, kept between requests (issue 19): a new PostgreSQL connection per request cost
    # about 7 ms of waiting while the server started a backend for it, and that CPU on the shared cores. Each is
    # checked before a request reuses it, so a restarted database or a dropped connection costs one reconnect.
    DATABASES["default"]["CONN_MAX_AGE"] = POSTGRESQL_CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let web, worker and beat share the demo database without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "mappa_workflow.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Agencies' written reports: never under a published folder, read only through a view that checks access.
PRIVATE_FILES_ROOT = Path(env.str("PRIVATE_FILES_ROOT", default=str(VAR_DIR / "private")))

# Sessions: idle timeout (refreshed at most once a minute: middleware.SessionIdleRefreshMiddleware), cookies never
# readable by scripts.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = False  # SessionIdleRefreshMiddleware refreshes the expiry instead
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "api.errors.csrf_failure"  # the API's JSON body under /api/, Django's page elsewhere
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Permissions-Policy: every powerful browser feature the service never uses is refused to the page and to
# anything it could embed (mappa_workflow.middleware.PermissionsPolicyMiddleware, on every response).
PERMISSIONS_POLICY = [
    "accelerometer",
    "ambient-light-sensor",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "web-share",
    "xr-spatial-tracking",
]

# Content Security Policy: no inline script or style anywhere.
from csp.constants import NONE, SELF

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Two-factor sign-in (TOTP) for every user: mappa_workflow/two_factor.py.
OTP_TOTP_ISSUER = "Manage MAPPA cases"
OTP_TOTP_THROTTLE_FACTOR = 1

# Retention (docs/retention.md; `manage.py apply_retention`). Every default is to verify locally.
RETENTION = {
    "years_after_exit": env.int("RETENTION_YEARS_AFTER_EXIT", default=7),
    "category_1_and_4_minimum_age": env.int("RETENTION_CATEGORY_1_AND_4_MINIMUM_AGE", default=100),
    "unadopted_referral_years": env.int("RETENTION_UNADOPTED_REFERRAL_YEARS", default=3),
    "draft_referral_years": env.int("RETENTION_DRAFT_REFERRAL_YEARS", default=1),
}

# Sign-in lockout (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

# Email: console in development, SMTP when EMAIL_URL says so.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="MAPPA co-ordination <mappa-noreply@example.invalid>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # the sign-in link in emails

# Celery: Redis when REDIS_URL is set, else a broker that needs no server (see config/celery.py).
REDIS_URL = env.str("REDIS_URL", default="")
# Short socket timeouts: publishing after commit is one attempt that must not hold a request up
# (notifications.outbox.publish); the worker's 1-second BRPOP polls stay inside them.
REDIS_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 0.3, "socket_timeout": 5}


def redis_cache(url: str) -> dict:
    """Django's cache on Redis at ``url``, falling back to per-process memory while Redis does not
    answer (mappa_workflow/cache.py), with socket timeouts short enough not to hold a page up."""
    return {
        "BACKEND": "mappa_workflow.cache.FallbackRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "mappa",
        "OPTIONS": {"socket_connect_timeout": 0.3, "socket_timeout": 1},
    }


CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = dict(REDIS_BROKER_TRANSPORT_OPTIONS)
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "out"),
        "data_folder_out": str(CELERY_BROKER_DIR / "out"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
# A shared cache (API throttle counts, rate limits) in Redis when there is one; per-process otherwise.
CACHES = {
    "default": redis_cache(REDIS_URL) if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # One error body for every 4xx (api/errors.py); per-user limits on the API (api/access.py).
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "api_user": env.str("API_USER_RATE", default="600/minute"),
        "api_anon": env.str("API_ANON_RATE", default="60/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MAPPA case workflow API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Separate request and response components, so read-only fields are never asked for.
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Enums as components (the default hook), then the links from a record's id to its operations.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.link_records_to_their_operations",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ReferralStateEnum": "referrals.models.ReferralState",
        "RegistrationStatusEnum": "referrals.models.RegistrationStatus",
        "MeetingStateEnum": "meetings.models.MeetingState",
        "AttendanceStatusEnum": "meetings.models.AttendanceStatus",
        "RiskActionStateEnum": "meetings.models.RiskActionState",
        "ChecklistItemKindEnum": "release_planning.models.ChecklistItemKind",
        "ReleaseKindEnum": "release_planning.models.ReleaseKind",
        "ReleasePlanStateEnum": "release_planning.models.ReleasePlanState",
        "NotificationStateEnum": "release_planning.models.NotificationState",
        "TransferStateEnum": "transfers.models.TransferState",
        "TransferredActionOutcomeEnum": "transfers.models.ActionOutcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# The service's own settings.
SERVICE_NAME = "Manage MAPPA cases"
SYNTHETIC_DATA_BANNER = env.bool("SYNTHETIC_DATA_BANNER", default=True)
