"""The one module that reads the process environment.

Every setting that an operator may change is read here, typed, validated and
documented (docs/settings.md mirrors this file; a test keeps the two in step).
Anything invalid stops start-up with a message that names the variable.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent


class EnvError(RuntimeError):
    """An environment variable holds a value Broadsheet cannot use."""


def _text(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _flag(name: str, default: bool = False) -> bool:
    raw = _text(name)
    if not raw:
        return default
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise EnvError(f"{name} must be true or false, not {raw!r}")


def _integer(name: str, default: int) -> int:
    raw = _text(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise EnvError(f"{name} must be a whole number, not {raw!r}") from None


def _list(name: str, default: list[str]) -> list[str]:
    raw = _text(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def _rate(name: str) -> tuple[int, int] | None:
    """ "COUNT/SECONDS" (e.g. "5/60"): at most COUNT per window of SECONDS; None when unset."""
    raw = _text(name)
    if not raw:
        return None
    count, _, seconds = raw.partition("/")
    try:
        parsed = (int(count), int(seconds))
    except ValueError:
        parsed = (-1, -1)
    if parsed[0] < 0 or parsed[1] <= 0:
        raise EnvError(f"{name} must be COUNT/SECONDS such as 5/60, not {raw!r}")
    return parsed


def _count(name: str) -> int | None:
    """A whole number ≥ 0; None when unset."""
    if not _text(name):
        return None
    value = _integer(name, 0)
    if value < 0:
        raise EnvError(f"{name} must be 0 or more, not {value}")
    return value


# Rate limits and moderation thresholds an operator may tune without a code change (behind
# a NAT or a proxy, one address may be many readers). Each variable sets the Django setting
# of the same name; unset, the app's documented default holds (docs/settings.md).
RATE_LIMIT_VARIABLES = (
    "BROADSHEET_DISCUSSION_POST_RATE_LIMIT",
    "BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT",
    "BROADSHEET_REACTION_RATE_LIMIT",
    "BROADSHEET_NOTIFICATIONS_SUBSCRIBE_RATE_LIMIT",
    "BROADSHEET_MODERATION_FLOOD_LIMIT",
    "BROADSHEET_MODERATION_ACCOUNT_RATE_LIMIT",
    "BROADSHEET_MODERATION_REPORT_RATE_LIMIT",
)
THRESHOLD_VARIABLES = (
    "BROADSHEET_MODERATION_DUPLICATE_WINDOW",
    "BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS",
    "BROADSHEET_MODERATION_SPAM_THRESHOLD",
    "BROADSHEET_MODERATION_MAX_LINKS",
    "BROADSHEET_MODERATION_NEW_COMMENTER_COMMENTS",
    "BROADSHEET_MODERATION_REPORTS_TO_HOLD",
    "BROADSHEET_MODERATION_TRUST_AFTER",
    "BROADSHEET_MODERATION_AUTO_CLOSE_DAYS",
    "BROADSHEET_NOTIFICATIONS_CONFIRMATION_INTERVAL",
)
MODERATION_MODES = ("none", "new_commenters", "all")
# The interface languages Broadsheet ships catalogues for (broadsheet/locale/); the
# publication's language is one of them.
LANGUAGE_CODES = ("en-gb", "ar", "es")


def _tunables() -> dict[str, object]:
    found: dict[str, object] = {}
    for name in RATE_LIMIT_VARIABLES:
        rate = _rate(name)
        if rate is not None:
            found[name] = rate
    for name in THRESHOLD_VARIABLES:
        count = _count(name)
        if count is not None:
            found[name] = count
    mode = _text("BROADSHEET_MODERATION_MODE")
    if mode:
        if mode not in MODERATION_MODES:
            raise EnvError(
                f"BROADSHEET_MODERATION_MODE must be one of {', '.join(MODERATION_MODES)}, "
                f"not {mode!r}"
            )
        found["BROADSHEET_MODERATION_MODE"] = mode
    return found


def _networks(name: str) -> list[str]:
    """Comma-separated addresses or CIDR networks, each checked now (not at first use)."""
    found = _list(name, [])
    for item in found:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise EnvError(
                f"{name}: {item!r} is not an address or a network such as 10.0.0.0/8"
            ) from None
    return found


def database_from_url(url: str) -> dict[str, object]:
    """Translate a DATABASE_URL into a Django DATABASES entry.

    SQLite runs in WAL mode with a busy timeout and IMMEDIATE transactions, so
    concurrent writers queue instead of failing with "database is locked". Its
    connections persist across requests (``conn_max_age``, default 60 s, as for
    PostgreSQL): opening one runs its PRAGMAs, and closing the last one of a process
    checkpoints the WAL, which together cost more than a whole vote (docs/performance.md).

    Each of a web worker's threads holds a connection of its own, each with a page cache
    of its own (2 MiB by SQLite's default, the same pages in every one): a small one
    (512 KiB), with the file memory-mapped, so that what is read comes from the
    operating system's cache, shared by every connection and process (docs/performance.md,
    "Memory per process"). The importer sets a large cache for its own run.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme == "sqlite":
        # sqlite:///relative/path.db or sqlite:////absolute/path.db
        raw_path = unquote(parts.path)[1:] if parts.path.startswith("/") else unquote(parts.path)
        path = Path(raw_path)
        if not path.is_absolute():
            path = BASE_DIR / path
        return {
            "ENGINE": "broadsheet.core.sqlite3",
            "NAME": str(path),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "60")),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                    "PRAGMA mmap_size=268435456;"
                    "PRAGMA cache_size=-512;"
                ),
            },
            "TEST": {"NAME": str(path.with_name(path.stem + "-test.sqlite3"))},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "broadsheet",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", "60")),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise EnvError(
        f"DATABASE_URL must start with sqlite:// or postgres://, not {scheme or 'nothing'}://"
    )


def _secret_key(var_dir: Path, debug: bool) -> str:
    """SECRET_KEY from the environment, or one generated once and kept under var/.

    Keeping it on disk means sessions and signed links survive restarts of the demo.
    """
    key = _text("SECRET_KEY")
    if key:
        return key
    key_file = var_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _hashing_key(var_dir: Path, secret_key: str) -> str:
    """BROADSHEET_HASHING_KEY from the environment, or the one kept under var/: on first
    use, the SECRET_KEY then in force, so the hashes an existing site has stored (made
    with it) keep matching, and from then on a rotation of SECRET_KEY leaves it alone."""
    key = _text("BROADSHEET_HASHING_KEY")
    if key:
        return key
    key_file = var_dir / "hashing_key"
    if key_file.exists():
        return key_file.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key_file.write_text(secret_key)
    key_file.chmod(0o600)
    return secret_key


@dataclass(frozen=True)
class Environment:
    debug: bool
    demo: bool
    secret_key: str
    hashing_key: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    database: dict[str, object]
    redis_url: str
    var_dir: Path
    site_url: str
    email_url: str
    default_from_email: str
    trusted_proxies: list[str]
    log_level: str
    secure_cookies: bool
    hsts_seconds: int
    release: str
    live: bool
    live_engine: str
    live_pushpin_urls: list[str]
    live_nchan_urls: list[str]
    live_backend: str
    task_worker_lease: int
    live_keepalive: int
    language: str
    tunables: dict[str, object]


def read_environment() -> Environment:
    var_dir = Path(_text("BROADSHEET_VAR_DIR") or BASE_DIR / "var")
    debug = _flag("DEBUG", False)
    demo = _flag("BROADSHEET_DEMO", False)
    database_url = _text("DATABASE_URL") or f"sqlite:///{var_dir / 'broadsheet.sqlite3'}"
    port = _integer("PORT", 8000)
    site_url = _text("SITE_URL") or f"http://127.0.0.1:{port}"
    secret_key = _secret_key(var_dir, debug)
    return Environment(
        debug=debug,
        demo=demo,
        secret_key=secret_key,
        hashing_key=_hashing_key(var_dir, secret_key),
        allowed_hosts=_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"]),
        csrf_trusted_origins=_list("CSRF_TRUSTED_ORIGINS", []),
        database=database_from_url(database_url),
        redis_url=_text("REDIS_URL"),
        var_dir=var_dir,
        site_url=site_url.rstrip("/"),
        email_url=_text("EMAIL_URL"),
        default_from_email=_text("DEFAULT_FROM_EMAIL") or "Broadsheet <news@localhost>",
        trusted_proxies=_networks("TRUSTED_PROXIES"),
        log_level=_text("LOG_LEVEL") or "INFO",
        secure_cookies=_flag("SECURE_COOKIES", site_url.startswith("https://")),
        hsts_seconds=_integer("HSTS_SECONDS", 31_536_000 if site_url.startswith("https://") else 0),
        release=_text("BROADSHEET_RELEASE"),
        live=_flag("BROADSHEET_LIVE", True),
        live_engine=_live_engine(),
        live_pushpin_urls=_list("BROADSHEET_LIVE_PUSHPIN_URLS", []),
        live_nchan_urls=_list("BROADSHEET_LIVE_NCHAN_URLS", []),
        live_backend=_live_backend(),
        task_worker_lease=_task_worker_lease(),
        live_keepalive=max(1, _integer("BROADSHEET_LIVE_KEEPALIVE", 15)),
        language=_language(),
        tunables=_tunables(),
    )


def _task_worker_lease() -> int:
    """Seconds a task worker may go unheard before its running task is queued again."""
    lease = _integer("BROADSHEET_TASKS_WORKER_LEASE", 60)
    if lease < 1:
        raise EnvError(f"BROADSHEET_TASKS_WORKER_LEASE must be 1 or more, not {lease}")
    return lease


def _live_backend() -> str:
    backend = _text("BROADSHEET_LIVE_BACKEND")
    if backend not in {"", "memory", "database", "postgres", "redis"}:
        raise EnvError(
            f"BROADSHEET_LIVE_BACKEND must be memory, database, postgres or redis, not {backend!r}"
        )
    return backend


def _language() -> str:
    """BROADSHEET_LANGUAGE: the publication's interface language unless its settings in
    the admin choose another ("en" stands for the British English of the source texts)."""
    code = _text("BROADSHEET_LANGUAGE").lower() or "en-gb"
    code = "en-gb" if code == "en" else code
    if code not in LANGUAGE_CODES:
        raise EnvError(
            f"BROADSHEET_LANGUAGE must be one of en, {', '.join(LANGUAGE_CODES[1:])}, not {code!r}"
        )
    return code


def _live_engine() -> str:
    engine = _text("BROADSHEET_LIVE_ENGINE") or "embedded"
    if engine not in {"embedded", "nchan", "pushpin"}:
        raise EnvError(f"BROADSHEET_LIVE_ENGINE must be embedded, nchan or pushpin, not {engine!r}")
    return engine


def mailer_from_url(url: str, var_dir: Path, demo: bool) -> dict[str, object]:
    """EMAIL_URL → a Django 6.1 MAILERS entry.

    smtp://user:pass@host:port, smtp+tls://… (STARTTLS), smtps://… (implicit TLS).
    Without EMAIL_URL the demo keeps mail in files under var/outbox (readable at
    /_dev/outbox); production without EMAIL_URL talks to localhost:25.
    """
    if not url:
        if demo:
            return {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": str(var_dir / "outbox")},
            }
        url = "smtp://localhost:25"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme not in {"smtp", "smtp+tls", "smtps"}:
        raise EnvError(f"EMAIL_URL must start with smtp://, smtp+tls:// or smtps://, not {url!r}")
    return {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_tls": scheme == "smtp+tls",
            "use_ssl": scheme == "smtps",
            "timeout": 10,
        },
    }
