"""Fixtures shared by every test: a clean cache, isolated media, the site structure that
live_server's table flush removes, the personas (tests/personas.py), a discussion thread, a
real SMTP server, and a Playwright set-up on Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

pytest_plugins = ["tests.personas"]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _clean_cache_and_media(
    settings: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    from broadsheet.core.testing import forget_every_page

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    cache.clear()
    forget_every_page()
    yield
    cache.clear()
    forget_every_page()


# Data migrations whose rows tests rely on (groups and their permissions, the default word
# lists): a live_server or transactional test flushes every table, so they are put back.
_DATA_MIGRATIONS = (
    ("broadsheet.accounts.migrations.0002_roles", "create_roles"),
    ("broadsheet.articles.migrations.0002_site_structure_and_editors", "grant_editors"),
    ("broadsheet.moderation.migrations.0002_default_words", "seed"),
    ("broadsheet.moderation.migrations.0003_moderators_edit_word_lists", "grant"),
)


def _restore_data_migration_rows() -> None:
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")  # Wagtail's own initial data: images need it
    if Group.objects.filter(name="Moderators").exists():
        return  # nothing was flushed (the usual case)
    # Wagtail's own initial data gives its two groups access to the admin.
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name in ("Moderators", "Editors"):
        Group.objects.get_or_create(name=name)[0].permissions.add(access_admin)
    for module, function in _DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _data_migration_rows(request: pytest.FixtureRequest) -> None:
    names = request.fixturenames
    transactional = "transactional_db" in names or "live_server" in names
    marker = request.node.get_closest_marker("django_db")
    if transactional or (marker is None and "db" not in names):
        return
    if marker is not None and (marker.kwargs.get("transaction") or marker.args[:1] == (True,)):
        return
    request.getfixturevalue("db")
    _restore_data_migration_rows()


@pytest.fixture
def without_page_cache(settings: Any) -> None:
    """Every GET renders: for tests that count what a render costs (a cache hit costs
    no query and would make such a test pass whatever the page does)."""
    settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if "pagecache" not in entry]


@pytest.fixture
def thread(db: None) -> Any:
    """A discussion with no article above it (tests of an article's thread define their own)."""
    from broadsheet.discussion.testing import make_thread

    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


@pytest.fixture
def smtp(settings: Any) -> Iterator[Any]:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that Django's mail goes to: a Mailbox."""
    from broadsheet.notifications.testing import smtp_server

    with smtp_server() as (box, mailers):
        settings.MAILERS = mailers
        yield box


@pytest.fixture
def site_structure(db: None) -> Any:
    """The Locale, root page, home page and Site that migrations create.

    live_server tests (transactional) flush every table, Wagtail's data included, so
    they rebuild it here; ordinary tests find it already in place.
    """
    from broadsheet.articles.testing import ensure_site_structure

    return ensure_site_structure()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session", autouse=True)
def _allow_sync_orm_in_browser_tests() -> None:
    # Playwright's sync API runs an event loop in the test thread; the ORM calls that
    # set up data in the same thread are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
    return path.read_text()
