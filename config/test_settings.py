"""Settings for the test suite: the production settings with a few test-only choices."""

import atexit
import shutil
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403
from config.settings import CACHES, ENV, STORAGES

# Background work (search indexing, e-mail) runs inside the test that caused it, unless
# a test asks for the database-backed queue explicitly.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# With REDIS_URL the suite runs against the real Redis (as production does), under its
# own key prefix; otherwise against the real disk cache and shared-memory scope versions
# of the default set-up, in a directory of this test process's own (var/cache would carry
# rate-limit counters from one run into the next).
if ENV.redis_url:
    CACHES["default"]["KEY_PREFIX"] = "bs-test"
else:
    _TEST_CACHE_DIR = Path(tempfile.mkdtemp(prefix="broadsheet-test-cache-"))
    atexit.register(shutil.rmtree, _TEST_CACHE_DIR, ignore_errors=True)
    CACHES["default"]["LOCATION"] = str(_TEST_CACHE_DIR / "cache")
    BROADSHEET_PAGE_CACHE_VERSIONS = str(_TEST_CACHE_DIR / "page-cache-versions")

# Fast hashing: the suite creates many accounts.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Static files come straight from the finders (no collectstatic between edits).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Live updates: the suite's many posts and votes publish into this process's memory; each
# back-end (database, PostgreSQL, Redis) has its own tests against the real thing.
BROADSHEET_LIVE_BACKEND = ENV.live_backend or "memory"
