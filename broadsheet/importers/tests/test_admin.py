"""Imports in the Wagtail admin: an editor uploads an export, reads the dry run's report,
starts the import, and finds the report there afterwards. Tasks run on commit (the
test suite's immediate task backend); tests/browser/test_imports.py runs the real
worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_user, thread_inconsistencies
from broadsheet.importers.models import ImportRun
from broadsheet.importers.pipeline import run_import
from broadsheet.importers.tasks import RunProgress
from broadsheet.importers.testing import write_disqus_export
from broadsheet.importers.uploads import upload_path, uploads_dir

pytestmark = pytest.mark.django_db

IMPORTS = reverse("importers_admin:imports")


@pytest.fixture(autouse=True)
def uploads(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path / "var"
    return uploads_dir()


@pytest.fixture
def editors() -> Group:
    """The Editors group as migrations leave it (granted again here: a live_server test
    elsewhere in the run may have flushed the grant)."""
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin"),
        Permission.objects.get(codename="run_import", content_type__app_label="importers"),
    )
    return group


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_eve(editors: Group) -> Client:
    eve = make_user("eve", name="Eve Editor")
    eve.is_staff = True
    eve.save(update_fields=["is_staff"])
    eve.groups.add(editors)
    return signed_in(eve)


@pytest.fixture
def article():  # type: ignore[no-untyped-def]
    return make_article(title="The river plan")


@pytest.fixture
def disqus_export(article, export_file: Callable[..., Path]) -> Path:  # type: ignore[no-untyped-def]
    return export_file("disqus-export.xml", article_path_noslash=article.get_url().rstrip("/"))


def upload(client: Client, path: Path, source: str = "disqus") -> Any:
    with path.open("rb") as handle:
        return client.post(IMPORTS, {"source": source, "export": handle})


def test_an_editor_checks_an_export_then_imports_it_and_the_report_stays(
    editor_eve: Client, disqus_export: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(editor_eve, disqus_export)
    check = ImportRun.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("importers_admin:run", args=[check.pk])
    # The check ran (as a task) and wrote nothing but its own report.
    assert (check.dry_run, check.status) == (True, ImportRun.Status.DONE)
    assert check.started_by is not None and check.started_by.username == "eve"
    assert Comment.objects.count() == 0
    page = editor_eve.get(answer["Location"]).content.decode()
    assert "What importing it would do" in page
    assert check.report["counts"]["comments created"] > 0
    assert "Start the import" in page
    assert "orphans: replies whose parent is missing" in page

    with django_capture_on_commit_callbacks(execute=True):
        started = editor_eve.post(reverse("importers_admin:start", args=[check.pk]))
    run = ImportRun.objects.exclude(pk=check.pk).get()
    assert started["Location"] == reverse("importers_admin:run", args=[run.pk])
    assert (run.dry_run, run.status, run.follows_id) == (False, ImportRun.Status.DONE, check.pk)
    assert Comment.objects.count() == check.report["counts"]["comments created"]
    assert run.report["counts"]["comments created"] == Comment.objects.count()
    assert all(thread_inconsistencies(t) == [] for t in Thread.objects.all())
    # The file is gone once imported; the reports stay.
    assert not upload_path(run.upload).exists()
    page = editor_eve.get(started["Location"]).content.decode()
    assert "What the import did" in page and "Start the import" not in page
    listing = editor_eve.get(IMPORTS).content.decode()
    assert "check (dry run)" in listing and ">import<" in listing

    # Importing the same check again is refused, and nothing changes.
    again = editor_eve.post(reverse("importers_admin:start", args=[check.pk]), follow=True)
    assert "not imported yet" in again.content.decode()
    assert ImportRun.objects.count() == 2


def test_a_malformed_export_fails_its_check_naming_the_line_and_is_deleted(
    editor_eve: Client, article: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text('<?xml version="1.0"?>\n<disqus>\n<thread><id>x</thread>\n')
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(editor_eve, bad)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "line 3" in run.error and "Nothing was imported" in run.error
    assert not upload_path(run.upload).parent.exists()
    page = editor_eve.get(answer["Location"]).content.decode()
    assert "It failed:" in page and "Start the import" not in page


@pytest.mark.parametrize(
    ("source", "content", "message"),
    [
        ("isso", b"<?xml version='1.0'?><disqus/>", "This is not an SQLite database"),
        ("disqus", b"SQLite format 3\x00...", "This is not an XML file"),
        ("disqus", b"", "The submitted file is empty"),
        ("mastodon", b"<x/>", "Select a valid choice"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_at_upload(
    editor_eve: Client, source: str, content: bytes, message: str
) -> None:
    answer = editor_eve.post(
        IMPORTS, {"source": source, "export": SimpleUploadedFile("export.bin", content)}
    )
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert not ImportRun.objects.exists()
    assert not uploads_dir().exists() or not any(uploads_dir().iterdir())


def test_the_imports_page_and_its_refusals_are_in_the_editors_language(
    editor_eve: Client,
) -> None:
    """The form's labels and choices, the listing and the refusal made in Python, in
    Spanish when the browser asks for it (no Wagtail preference set)."""
    answer = editor_eve.post(
        IMPORTS,
        {"source": "isso", "export": SimpleUploadedFile("export.xml", b"<disqus/>")},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    page = answer.content.decode()
    assert answer.status_code == 400 and 'lang="es"' in page
    assert "Tipo de exportación" in page and "Base de datos de Isso (comments.db)" in page
    assert "Esto no es una base de datos SQLite: ¿es la Base de datos de Isso" in page
    assert "Subir y comprobar" in page and "Todavía no hay importaciones." in page


def test_only_editors_and_administrators_see_imports(editors: Group, disqus_export: Path) -> None:
    moderator = make_user("max", name="Max Moderator")
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    moderator.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    reader = make_user("rosa", name="Rosa")
    admin = make_user("ada", name="Ada Admin")
    admin.is_superuser = admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    check = ImportRun.objects.create(source="disqus", dry_run=True, status="done", upload="x/y")

    assert Client().get(IMPORTS).status_code == 302  # to the admin's sign-in
    assert signed_in(reader).get(IMPORTS).status_code == 302
    max_client = signed_in(moderator)
    assert max_client.get(IMPORTS).status_code == 404
    assert max_client.get(reverse("importers_admin:run", args=[check.pk])).status_code == 404
    assert upload(max_client, disqus_export).status_code == 404
    start = reverse("importers_admin:start", args=[check.pk])
    assert max_client.post(start).status_code == 404
    assert ImportRun.objects.count() == 1
    menu_item = '"url": "/admin/imports/"'  # in the sidebar's JSON
    assert menu_item not in max_client.get(reverse("wagtailadmin_home")).content.decode()
    ada_client = signed_in(admin)
    assert ada_client.get(IMPORTS).status_code == 200
    assert menu_item in ada_client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_running_import_shows_its_progress_and_refreshes_itself(
    editor_eve: Client, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    export = write_disqus_export(tmp_path / "big.xml", comments=300, threads=7)
    run = ImportRun.objects.create(
        source="disqus", dry_run=False, status=ImportRun.Status.RUNNING, file_name="big.xml"
    )
    progress = RunProgress(run, every=0)
    progress.show("disqus: 150 of 300 comments done", done=150, total=300)
    page = editor_eve.get(reverse("importers_admin:run", args=[run.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert '<progress max="300" value="150">' in page
    assert "150 of 300 comments done" in page

    queued = ImportRun.objects.create(source="disqus", status=ImportRun.Status.QUEUED)
    run_import("disqus", export, dry_run=False, progress=RunProgress(queued, every=0), run=queued)
    queued.refresh_from_db()
    assert (queued.progress_done, queued.progress_total) == (300, 300)
    assert queued.status == ImportRun.Status.DONE
    page = editor_eve.get(reverse("importers_admin:run", args=[queued.pk])).content.decode()
    assert "http-equiv" not in page
