"""Fixtures shared by every test: a clean cache, isolated media, the site structure that
live_server's table flush removes, personas, and a Playwright set-up on Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

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


@pytest.fixture
def without_page_cache(settings: Any) -> None:
    """Every GET renders: for tests that count what a render costs (a cache hit costs
    no query and would make such a test pass whatever the page does)."""
    settings.MIDDLEWARE = [entry for entry in settings.MIDDLEWARE if "pagecache" not in entry]


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
