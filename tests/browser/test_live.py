"""Two readers of one discussion, on the real server of `make demo` (granian's WSGI
interface, two worker processes holding pages and streams, events through the database
or PostgreSQL): one posts and votes, the other sees it live."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from playwright.sync_api import Browser, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, post

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8740, 8760)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.fixture
def asgi_site(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """The site under granian as scripts/serve.sh starts it, on the test database."""
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": database_url(),
        "BROADSHEET_VAR_DIR": str(tmp_path),
        "BROADSHEET_LIVE_BACKEND": "postgres" if connection.vendor == "postgresql" else "database",
        "SECRET_KEY": "live-test-only",
    }
    granian = Path(sys.executable).with_name("granian")
    command = [str(granian), "--interface", "wsgi", "config.wsgi:application"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--no-ws"]
    command += ["--blocking-threads", "16"]
    # Open streams would hold a graceful stop for ever.
    command += ["--workers-kill-timeout", "3"]
    server = subprocess.Popen([*command, "--log-level", "warning"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"granian exited with {server.returncode}")
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    return make_article(title="Room for the river")


@pytest.mark.browser
def test_a_second_reader_sees_a_new_comment_and_a_vote_live(
    browser: Browser, asgi_site: str, article: ArticlePage
) -> None:
    thread = Thread.objects.create(key=f"article-{article.pk}", title=article.title, url="")
    first = post(thread, guest("layla"), "The flood plain is a commons.", name="Layla")
    url = f"{asgi_site}{article.url}"

    writer = browser.new_context().new_page()
    reader = browser.new_context().new_page()
    for page in (writer, reader):
        page.goto(url)
        expect(page.locator("#discussion")).to_have_attribute("data-live-state", "open")
    layla = reader.locator(f"#comment-{first.pk}")
    before = layla.bounding_box()

    # The writer posts through the page's own form.
    form = writer.locator("#comment-form")
    form.get_by_label("Name").fill("Gabriel")
    form.get_by_label("E-mail").fill("gabriel@example.org")
    form.get_by_label("Your comment").fill("Room for the river, and for the farmers.")
    form.get_by_role("button", name="Post comment").click()
    expect(writer.locator("article.comment", has_text="and for the farmers")).to_be_visible()

    # The reader is offered it; the text being read has not moved; it is announced.
    bubble = reader.get_by_role("button", name="1 new comment — show")
    expect(bubble).to_be_visible(timeout=10_000)
    expect(reader.locator("#discussion-count")).to_have_text("2")
    assert layla.bounding_box() == before
    expect(reader.locator("#discussion-status")).to_have_text("1 new comment.")
    expect(reader.locator("article.comment", has_text="and for the farmers")).to_have_count(0)

    # Shown on request, in place, and focused for screen readers.
    bubble.click()
    new = reader.locator("article.comment", has_text="and for the farmers")
    expect(new).to_be_visible()
    expect(new).to_be_focused()
    expect(reader.locator("#discussion-status")).to_have_text("1 new comment shown.")
    expect(bubble).to_be_hidden()

    # The reader upvotes it; the writer sees the score change without reloading.
    new.get_by_role("button", name="Upvote").click()
    writer_score = writer.locator("article.comment", has_text="and for the farmers")
    expect(writer_score.locator("[data-score]")).to_have_text("1", timeout=10_000)
