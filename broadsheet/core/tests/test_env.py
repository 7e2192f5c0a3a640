"""config/env.py turns the environment into settings, and refuses what it can't use."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from config.env import EnvError, database_from_url, mailer_from_url


def test_a_relative_sqlite_url_lands_in_the_project_and_runs_in_wal_mode() -> None:
    db = database_from_url("sqlite:///var/site.sqlite3")
    assert db["ENGINE"] == "broadsheet.core.sqlite3"  # Django's, writers queued (core/sqlite3)
    assert str(db["NAME"]).endswith("var/site.sqlite3") and Path(str(db["NAME"])).is_absolute()
    options = db["OPTIONS"]
    assert isinstance(options, dict)
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"


def test_each_sqlite_connection_keeps_a_small_page_cache_and_maps_the_file(
    tmp_path: Path,
) -> None:
    # A connection per thread of every web worker: each with SQLite's default 2 MiB
    # cache of the same pages added up to tens of MB per process (docs/performance.md).
    db = database_from_url(f"sqlite:///{tmp_path / 'site.sqlite3'}")
    options = db["OPTIONS"]
    assert isinstance(options, dict)
    connection = sqlite3.connect(str(db["NAME"]))
    try:
        connection.executescript(str(options["init_command"]))
        assert connection.execute("PRAGMA cache_size").fetchone()[0] == -512
        assert connection.execute("PRAGMA mmap_size").fetchone()[0] > 0
    finally:
        connection.close()


def test_database_connections_persist_across_requests_unless_told_otherwise() -> None:
    # Reopening SQLite per request runs its PRAGMAs and, for the last connection of a
    # process, a WAL checkpoint: more than a whole vote costs.
    assert database_from_url("sqlite:///var/site.sqlite3")["CONN_MAX_AGE"] == 60
    assert database_from_url("sqlite:///var/site.sqlite3?conn_max_age=0")["CONN_MAX_AGE"] == 0
    assert database_from_url("postgres://news@db/broadsheet")["CONN_MAX_AGE"] == 60


def test_a_postgres_url_becomes_a_psycopg_connection() -> None:
    db = database_from_url("postgres://news:s%40cret@db.internal:6543/broadsheet?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "news",
        "s@cret",
        "db.internal",
        "6543",
        "broadsheet",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_an_unknown_database_scheme_is_refused_with_its_name() -> None:
    with pytest.raises(EnvError, match="DATABASE_URL"):
        database_from_url("mysql://root@localhost/news")


def test_email_url_becomes_a_django_mailer(tmp_path: Path) -> None:
    mailer = mailer_from_url("smtp+tls://user:pw@mail.example.org:587", tmp_path, demo=False)
    assert mailer["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    options = mailer["OPTIONS"]
    assert isinstance(options, dict)
    assert (options["host"], options["port"], options["use_tls"], options["username"]) == (
        "mail.example.org",
        587,
        True,
        "user",
    )


def test_the_demo_keeps_mail_in_files_when_no_smtp_server_is_given(tmp_path: Path) -> None:
    mailer = mailer_from_url("", tmp_path, demo=True)
    assert str(mailer["BACKEND"]).endswith("filebased.EmailBackend")


def test_flags_must_be_true_or_false(monkeypatch: pytest.MonkeyPatch) -> None:
    from config import env

    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(EnvError, match="DEBUG"):
        env.read_environment()


def test_the_hashing_key_is_the_first_secret_key_and_outlives_its_rotation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from config.env import _hashing_key

    monkeypatch.delenv("BROADSHEET_HASHING_KEY", raising=False)
    # An existing site: its stored hashes were made with the SECRET_KEY of the day.
    assert _hashing_key(tmp_path, "the-first-secret") == "the-first-secret"
    assert _hashing_key(tmp_path, "a-rotated-secret") == "the-first-secret"
    monkeypatch.setenv("BROADSHEET_HASHING_KEY", "set-by-the-operator")
    assert _hashing_key(tmp_path, "a-rotated-secret") == "set-by-the-operator"


def test_rate_limits_and_thresholds_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config import env

    monkeypatch.setenv("BROADSHEET_DISCUSSION_POST_RATE_LIMIT", "50/60")
    monkeypatch.setenv("BROADSHEET_REACTION_RATE_LIMIT", "300/60")
    monkeypatch.setenv("BROADSHEET_MODERATION_SPAM_THRESHOLD", "8")
    monkeypatch.setenv("BROADSHEET_MODERATION_MODE", "new_commenters")
    tunables = env.read_environment().tunables
    assert tunables == {
        "BROADSHEET_DISCUSSION_POST_RATE_LIMIT": (50, 60),
        "BROADSHEET_REACTION_RATE_LIMIT": (300, 60),
        "BROADSHEET_MODERATION_SPAM_THRESHOLD": 8,
        "BROADSHEET_MODERATION_MODE": "new_commenters",
    }


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT", "60"),
        ("BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT", "60/0"),
        ("BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT", "lots/60"),
        ("BROADSHEET_MODERATION_MAX_LINKS", "-1"),
        ("BROADSHEET_MODERATION_MODE", "everything"),
        ("TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"),
    ],
)
def test_an_unusable_operator_value_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    from config import env

    monkeypatch.setenv(name, value)
    with pytest.raises(EnvError, match=name):
        env.read_environment()


def test_the_settings_module_applies_what_the_environment_sets() -> None:
    program = (
        "import django; django.setup(); from django.conf import settings; "
        "from broadsheet.discussion import conf; "
        "print(conf.post_rate_limit(), settings.BROADSHEET_MODERATION_TRUST_AFTER)"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environment |= {
        "BROADSHEET_DISCUSSION_POST_RATE_LIMIT": "40/30",
        "BROADSHEET_MODERATION_TRUST_AFTER": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", program],
        cwd=Path(__file__).resolve().parents[3],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "(40, 30) 2"


def test_the_task_worker_lease_comes_from_the_environment_and_is_one_second_or_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config import env

    monkeypatch.delenv("BROADSHEET_TASKS_WORKER_LEASE", raising=False)
    assert env.read_environment().task_worker_lease == 60
    monkeypatch.setenv("BROADSHEET_TASKS_WORKER_LEASE", "300")
    assert env.read_environment().task_worker_lease == 300
    monkeypatch.setenv("BROADSHEET_TASKS_WORKER_LEASE", "0")
    with pytest.raises(EnvError, match="BROADSHEET_TASKS_WORKER_LEASE"):
        env.read_environment()
