"""Django settings for Broadsheet.

Values an operator may change come from config/env.py (the only reader of the
environment); everything else here is a fixed decision, explained where it is made.
"""

from __future__ import annotations

from typing import Any

from config.env import BASE_DIR, mailer_from_url, read_environment

ENV = read_environment()

DEBUG = ENV.debug
BROADSHEET_DEMO = ENV.demo
SECRET_KEY = ENV.secret_key
# Keys the stored pseudonyms (guest reader ids, e-mail and IP hashes): never rotated with
# SECRET_KEY (broadsheet.core.hashing).
BROADSHEET_HASHING_KEY = ENV.hashing_key
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
VAR_DIR = ENV.var_dir
SITE_URL = ENV.site_url
WAGTAILADMIN_BASE_URL = ENV.site_url

INSTALLED_APPS = [
    "broadsheet.core",
    "broadsheet.accounts",
    "broadsheet.notifications",
    "broadsheet.moderation",
    "broadsheet.realtime",
    "broadsheet.discussion",
    "broadsheet.articles",
    "broadsheet.api",
    "broadsheet.importers",
    "broadsheet.embed",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

DATABASES = {"default": ENV.database}
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if IS_POSTGRES:
    # Wagtail's PostgreSQL search backend needs it (check postgres.E005 otherwise).
    INSTALLED_APPS.append("django.contrib.postgres")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MIDDLEWARE = [
    # Outermost: Brotli or gzip for what the stack answers (stored pages are compressed
    # once, by the page cache, and served compressed before Django runs).
    "broadsheet.core.compression.CompressionMiddleware",
    # Next: a page is stored with every header the stack below gives it, and a hit
    # needs none of sessions, auth, CSRF or messages (config/wsgi.py serves most hits
    # before Django runs at all).
    "broadsheet.core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "broadsheet.core.middleware.ContentSecurityPolicyMiddleware",
    # Cross-origin requests from embedding sites' pages (preflights answered here).
    "broadsheet.embed.middleware.EmbedCorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the reader's choice (language cookie, then Accept-Language)
    # where the publication allows it, else the publication's own (docs/languages.md).
    # Django's LocaleMiddleware underneath, told the publication's language per request.
    "broadsheet.articles.languages.PublicationLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # /?p=123 and friends from an imported WordPress site (docs/importing.md).
    "broadsheet.importers.middleware.WordPressQueryRedirectMiddleware",
    # Demo only (a no-op otherwise): who may read which mail in /_dev/outbox/.
    "broadsheet.notifications.devmail.OutboxOwnerMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "broadsheet" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                # csrf_token, one per request, made with one os.urandom call (in place of
                # Django's built-in processor: broadsheet/core/csrf_tokens.py).
                "broadsheet.core.csrf_tokens.csrf",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "broadsheet.articles.context_processors.navigation",
                "broadsheet.articles.languages.interface_language",
            ],
        },
    },
]
if not DEBUG:
    # Cached template loaders: templates are parsed once per process.
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            [
                "django.template.loaders.filesystem.Loader",
                "django.template.loaders.app_directories.Loader",
            ],
        )
    ]

# Caching: Redis when REDIS_URL is set (shared by every app process); otherwise a disk
# cache under var/ (SQLite-indexed, python-diskcache), which the app processes of one
# machine share too, so rate limits and invalidations hold across granian's workers.
# Not Django's own FileBasedCache: it lists its whole directory on every set to cull,
# which made every write slow (figures in docs/performance.md).
CACHES: dict[str, dict[str, Any]]
if ENV.redis_url:
    CACHES = {
        "default": {
            # Redis out of reach: a logged warning, and the site serves from the database.
            "BACKEND": "broadsheet.core.redis_cache.TolerantRedisCache",
            "LOCATION": ENV.redis_url,
            "KEY_PREFIX": "bs",
            # A Redis that does not answer is given up on quickly, not waited for.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    # Scope versions of the page cache (broadsheet.core.versions): in Redis, for every
    # machine.
    BROADSHEET_PAGE_CACHE_VERSIONS = "cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "broadsheet.core.caching.SharedDiskCache",
            "LOCATION": str(VAR_DIR / "cache"),
            # Writes wait for the lock (diskcache retries them); a read that would wait
            # longer than this answers "not cached" instead.
            "DATABASE_TIMEOUT": 0.05,
            "SHARDS": 4,
            # Each thread of each process opens every shard: a page cache of 64 pages each
            # (256 KiB, not diskcache's 32 MiB); reads come through its memory map.
            "OPTIONS": {"size_limit": 512 * 1024 * 1024, "sqlite_cache_size": 64},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # One machine: a memory-mapped file every process maps (a read costs microseconds).
    BROADSHEET_PAGE_CACHE_VERSIONS = str(VAR_DIR / "page-cache-versions")

# Wagtail looks up image renditions on every page render; they never change once made,
# so each process keeps them in memory instead of writing the shared cache per request.
# Bounded in bytes, like every per-process cache (docs/settings.md).
BROADSHEET_RENDITIONS_CACHE_BYTES = 4 * 1024 * 1024
CACHES["renditions"] = {
    "BACKEND": "broadsheet.core.caching.BoundedMemoryCache",
    "TIMEOUT": 3600,
    "OPTIONS": {"MAX_BYTES": BROADSHEET_RENDITIONS_CACHE_BYTES},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MAILERS = {"default": mailer_from_url(ENV.email_url, VAR_DIR, ENV.demo)}
DEFAULT_FROM_EMAIL = ENV.default_from_email
SERVER_EMAIL = ENV.default_from_email

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
# Readers may sign in before confirming their address (they can still comment as a guest
# could); the confirmation mail goes out at once and its link signs them in. Docs:
# docs/accounts.md.
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if ENV.site_url.startswith("https://") else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# After confirming an address the reader lands on their account page, which shows
# allauth's "You have confirmed ..." message (the front page shows no messages).
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "/me/"
ACCOUNT_EMAIL_CONFIRMATION_ANONYMOUS_REDIRECT_URL = "/me/"
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Social providers are optional: add "allauth.socialaccount" and a provider app to
# INSTALLED_APPS and its keys to SOCIALACCOUNT_PROVIDERS; none is installed by default.

# The source texts are British English; LANGUAGE_CODE stays en-gb whatever the
# publication's language, because Wagtail's content locale is derived from it (changing it
# would orphan every page's Locale). The publication's interface language is
# BROADSHEET_LANGUAGE (or its admin settings), applied per request by the middleware above.
LANGUAGE_CODE = "en-gb"
# Each name in its own language, as a language switcher shows it.
LANGUAGES = [("en-gb", "English"), ("ar", "العربية"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "broadsheet" / "locale"]
# Number and date formats that differ from Django's for a language (docs/languages.md).
FORMAT_MODULE_PATH = ["broadsheet.formats"]
BROADSHEET_LANGUAGE = ENV.language
# What e-mails sent by tasks are written in (core.languages.publication_language).
BROADSHEET_PUBLICATION_LANGUAGE = "broadsheet.articles.languages.publication_language"
# A year: a reader's choice of language outlives their session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = ENV.secure_cookies
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "src", VAR_DIR / "assets"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = 3600

# Security: cookies, headers. The Content-Security-Policy for public pages is set by
# broadsheet.core.middleware (no inline scripts anywhere on our pages).
SESSION_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_SECURE = ENV.secure_cookies
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Over HTTPS, browsers are told to come back only over HTTPS (a year by default; the
# header is sent on secure requests only, so a plain-HTTP demo is never pinned).
SECURE_HSTS_SECONDS = ENV.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # other hosts of the domain are not ours to pin
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
BROADSHEET_TRUSTED_PROXIES = ENV.trusted_proxies

WAGTAIL_SITE_NAME = "Broadsheet"
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
    }
}
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Editors' avatars are never fetched from gravatar.com: no third-party request (their
# e-mail hash) from the admin, and no broken image where it is unreachable.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
TAGGIT_CASE_INSENSITIVE = True

# Broadsheet's own settings (documented in docs/settings.md).
BROADSHEET_REACTION_RATE_LIMIT = (30, 60)  # votes per IP per 60 s
BROADSHEET_RELATED_ARTICLES = 4
BROADSHEET_RELATED_CACHE_SECONDS = 600
BROADSHEET_LISTING_PAGE_SIZE = 12
if BROADSHEET_DEMO:
    # A visitor trying "Notify of" in the demo should see the digest arrive in the outbox
    # within a minute, not after the production default of ten.
    BROADSHEET_NOTIFICATIONS_DIGEST_INTERVAL = 60
# The periodic jobs `manage.py run_schedule` enqueues for the task worker: task -> every
# N seconds (0 switches one off). Scheduled publishing is checked often, so a column set
# for 14:03 is live within seconds of 14:03.
BROADSHEET_SCHEDULE = {
    "broadsheet.articles.tasks.publish_scheduled_pages_task": 10,
    "broadsheet.moderation.tasks.send_moderation_digest_task": 3600,
    "broadsheet.moderation.tasks.close_old_discussions_task": 86400,
    "broadsheet.core.tasks.prune_task_results_task": 86400,
    "broadsheet.embed.tasks.send_due_webhooks_task": 60,
    "broadsheet.core.tasks.requeue_abandoned_tasks_task": 60,
}
# A task worker records a heartbeat every quarter of this many seconds; a task still
# marked running whose worker has not been heard from for this long (killed, or its
# machine gone) is queued again by the sweep above and at every worker's start
# (broadsheet.core.workers).
BROADSHEET_TASKS_WORKER_LEASE = ENV.task_worker_lease
BROADSHEET_PAGE_CACHE_SECONDS = 600  # upper bound; invalidation is by scope, at once
# Requests one web process runs through Django at once (broadsheet/core/admission.py);
# its other threads hold live streams or wait their turn. 0: no limit. One on SQLite,
# where a writer interrupted by another thread keeps the database's one write lock; none
# on PostgreSQL, whose queries wait on the network (not measured there yet).
BROADSHEET_CONCURRENT_REQUESTS = 1 if str(DATABASES["default"]["ENGINE"]).endswith("sqlite3") else 0
# What each per-process cache may hold, in bytes (broadsheet.core.lru; docs/settings.md,
# docs/performance.md "Memory"): together well under what a web process may cost.
BROADSHEET_PAGE_CACHE_LOCAL_BYTES = 8 * 1024 * 1024
BROADSHEET_COMMENT_FRAGMENTS_BYTES = 8 * 1024 * 1024
BROADSHEET_ARTICLE_PARTS_BYTES = 2 * 1024 * 1024
BROADSHEET_KEPT_MARKUP_BYTES = 2 * 1024 * 1024
BROADSHEET_COMPILED_QUERIES_BYTES = 1024 * 1024
BROADSHEET_SQL_TEXTS_BYTES = 512 * 1024
BROADSHEET_REMEMBERED_ROUTES_BYTES = 8 * 1024 * 1024
# The release's name in page-cache keys; unset, the code's files fingerprint it.
BROADSHEET_RELEASE = ENV.release
# The discussion engine asks the publication (Wagtail settings) whether guests may comment,
# which sort is the default, and whether discussions are on at all.
# Embedded threads follow their embedding site's settings; every other thread the
# articles' policy (BROADSHEET_EMBED_HOST_POLICY).
BROADSHEET_DISCUSSION_POLICY = "broadsheet.embed.policy.embed_policy"
# The REST API's /sites reads and changes embedding sites through the embed app, named
# here (the API does not import its sibling).
BROADSHEET_API_SITES = "broadsheet.embed.directory.SITES"
BROADSHEET_DISCUSSION_ANCHOR_TEXT = "broadsheet.articles.discussion_policy.anchor_texts"
# A person's public name and picture come from their profile (accounts), for every reader,
# page and e-mail alike.
BROADSHEET_DISCUSSION_PEOPLE = "broadsheet.accounts.identity.PROFILE_PEOPLE"
# New comments go through the moderation pipeline; every moderation change is audited.
BROADSHEET_DISCUSSION_MODERATION = "broadsheet.moderation.pipeline.MODERATION"
# Live updates (broadsheet.realtime): the section asks whether a thread goes live.
BROADSHEET_DISCUSSION_LIVE = "broadsheet.realtime.section.live_attributes"
BROADSHEET_LIVE_ENABLED = ENV.live
BROADSHEET_LIVE_ENGINE = ENV.live_engine
BROADSHEET_LIVE_BACKEND = ENV.live_backend  # empty: chosen from REDIS_URL / DATABASE_URL
BROADSHEET_LIVE_PUSHPIN_PUBLISH_URLS = ENV.live_pushpin_urls
BROADSHEET_LIVE_NCHAN_PUBLISH_URLS = ENV.live_nchan_urls
BROADSHEET_LIVE_KEEPALIVE = ENV.live_keepalive
BROADSHEET_DISCUSSION_THREAD_AUTHORS = "broadsheet.articles.discussion_policy.thread_author_ids"

# Rate limits and moderation thresholds the operator set in the environment (config/env.py
# lists which; docs/settings.md documents each); unset ones keep the defaults above or the
# app's own.
globals().update(ENV.tunables)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The task worker's and the schedule's routine INFO lines (several every 10 s on an
    # idle site) are dropped at the handler; their warnings and errors still show.
    "filters": {"quiet_routine_tasks": {"()": "broadsheet.core.logs.QuietRoutineTasks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["quiet_routine_tasks"]}},
    "root": {"handlers": ["console"], "level": ENV.log_level},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "wagtail": {"level": "WARNING"},
        # One line per task state change is noise at INFO.
        "django.tasks": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}
