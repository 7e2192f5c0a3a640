"""Settings for the test suite: the production settings with a few test-only choices."""

from config.settings import *  # noqa: F403
from config.settings import CACHES, ENV, STORAGES

# Background work (search indexing, e-mail) runs inside the test that caused it, unless
# a test asks for the database-backed queue explicitly.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# With REDIS_URL the suite runs against the real Redis (as production does), under its
# own key prefix; otherwise each test process keeps its cache in memory (the file cache
# would carry rate-limit counters from one run into the next).
if ENV.redis_url:
    CACHES["default"]["KEY_PREFIX"] = "bs-test"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "renditions": CACHES["renditions"],
    }

# Fast hashing: the suite creates many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files come straight from the finders (no collectstatic between edits).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
