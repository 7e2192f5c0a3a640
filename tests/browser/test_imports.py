"""An editor imports a Disqus export in the Wagtail admin: upload, the dry run's report,
start, the finished report. The tasks go through the production database queue and the
real worker (``db_worker``), run in this process when the test says so."""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_user
from broadsheet.importers import tasks
from broadsheet.importers.models import ImportRun

DATA = Path(__file__).resolve().parents[2] / "broadsheet" / "importers" / "tests" / "data"


@pytest.fixture
def database_queue(settings: Any, tmp_path: Path) -> Iterator[None]:
    """The production queue. A task object takes its class from the backend configured
    when it is defined, so the tasks module is defined again for this backend (and once
    more afterwards for the suite's immediate backend)."""
    settings.VAR_DIR = tmp_path / "var"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    importlib.reload(tasks)
    yield
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    importlib.reload(tasks)


@pytest.fixture
def article(site_structure: Any, settings: Any) -> ArticlePage:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"
    return make_article(title="The river plan")


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


def signed_in_editor(page: Page, live_server: Any) -> None:
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        Permission.objects.get(codename="run_import", content_type__app_label="importers"),
    )
    eve = make_user("eve", name="Eve Editor")
    eve.groups.add(editors)
    client = Client()
    client.force_login(eve)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_editor_uploads_checks_and_imports_a_disqus_export(
    page: Page, live_server: Any, article: ArticlePage, database_queue: None, tmp_path: Path
) -> None:
    export = tmp_path / "disqus-export.xml"
    text = (DATA / "disqus-export.xml").read_text(encoding="utf-8")
    export.write_text(text.replace("__ARTICLE_PATH_NOSLASH__", article.get_url().rstrip("/")))
    signed_in_editor(page, live_server)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="Imports")).to_be_visible()
    page.get_by_label("Kind of export").select_option("disqus")
    page.get_by_label("File").set_input_files(export)
    page.get_by_role("button", name="Upload and check").click()

    # Queued: nothing happens until the worker takes it; the page refreshes itself.
    expect(page.locator(".import-progress")).to_contain_text("Waiting for the task worker")
    run_worker()
    expect(page.get_by_role("heading", name="What importing it would do")).to_be_visible()
    created = page.get_by_role("row", name="comments created")
    expect(created).to_be_visible()
    orphans = re.compile(r"^orphans: replies whose parent is missing .*\(1\)$")
    expect(page.get_by_role("heading", name=orphans)).to_be_visible()
    assert Comment.objects.count() == 0
    check = ImportRun.objects.get()
    expected = check.report["counts"]["comments created"]
    expect(created).to_contain_text(str(expected))

    page.get_by_role("button", name="Start the import").click()
    expect(page.locator(".import-progress")).to_contain_text("Waiting for the task worker")
    run_worker()
    expect(page.get_by_role("heading", name="What the import did")).to_be_visible()
    expect(page.get_by_text("Done,")).to_be_visible()
    expect(page.get_by_role("row", name="comments created")).to_contain_text(str(expected))
    assert Comment.objects.count() == expected
    assert Comment.objects.filter(thread=Thread.objects.get(key=article.thread_key)).exists()

    # Afterwards both reports stay in the admin.
    page.get_by_role("link", name="All imports").click()
    expect(page.get_by_role("row", name="check (dry run)")).to_contain_text("Done")
    expect(page.get_by_role("row").filter(has_text="disqus-export.xml")).to_have_count(2)
