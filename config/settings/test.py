"""Settings for the test suite: fast hashing, in-memory email, tasks recorded not sent."""

from .development import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never outside tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AXES_ENABLED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks queued by on_commit hooks stay in this process; the worker tests point the app at Redis themselves.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}  # typed in base.py
# Serve static files from the finders, never from var/staticfiles, which `make run`, the screenshot script
# or a benchmark may be rewriting while the tests run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = VAR_DIR / "test-staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Each test's connections are closed at the end of a request, as before connections were kept (issue 19): a kept
# connection in a test's own thread would still be open when pytest-django drops the test database ("is being
# accessed by other users"). tests/test_persistent_connections.py keeps its own, as served.
DATABASES["default"]["CONN_MAX_AGE"] = 0
