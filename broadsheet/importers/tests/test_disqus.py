"""manage.py import_disqus against an export written for these tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from broadsheet.articles.testing import make_article
from broadsheet.core.clients import ip_hash
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import (
    make_thread,
    make_user,
    member,
    post,
    thread_inconsistencies,
)
from broadsheet.importers.models import ImportedRecord, ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():  # type: ignore[no-untyped-def]
    return make_article(title="The river plan")


@pytest.fixture
def export(article, export_file: Callable[..., Path]) -> Path:  # type: ignore[no-untyped-def]
    path = article.get_url()
    return export_file("disqus-export.xml", article_path_noslash=path.rstrip("/"))


def snapshot() -> list[tuple[object, ...]]:
    return list(
        Comment.objects.order_by("pk").values_list(
            "pk", "thread_id", "parent_id", "status", "body_source", "reply_count", "path"
        )
    )


def test_the_export_lands_with_threads_matched_and_everything_accounted_for(
    article, export: Path, run_command: Callable[..., str]
) -> None:  # type: ignore[no-untyped-def]
    partner = make_thread("partner-page-7", url="https://partner.example/p/7")
    output = run_command("import_disqus", str(export))

    thread = Thread.objects.get(key=article.thread_key)
    first = Comment.objects.get(thread=thread, guest_name="Rosa Lindqvist")
    reply = Comment.objects.get(thread=thread, guest_name="Gabriel Okafor")
    # The reply came first in the file and still hangs under its parent.
    assert (reply.parent_id, reply.root_id, reply.depth) == (first.pk, first.pk, 1)
    assert first.created_at.isoformat() == "2016-03-01T08:00:00+00:00"  # +01:00 in the file
    assert first.body_source == "First!\n\nSecond paragraph\nwith a break."
    assert "<strong>agree</strong> &amp; more" in reply.body_html
    assert 'href="https://example.org/x"' in reply.body_html
    # Guest details: e-mail kept (never shown), missing e-mail allowed, IP hashed as ours.
    assert first.guest_email == "rosa@example.org"
    assert reply.guest_email == ""
    assert reply.ip_hash == ip_hash("203.0.113.9")
    statuses = dict(Comment.objects.filter(thread=thread).values_list("guest_name", "status"))
    assert statuses["spammer"] == Comment.Status.SPAM
    assert statuses["Omar Haddad"] == Comment.Status.DELETED
    assert Comment.objects.get(guest_name="Omar Haddad").body_source == ""
    # The orphan is kept, top-level and held, never shown as a new top-level comment.
    orphan = Comment.objects.get(guest_name="Lost Reader")
    assert (orphan.parent_id, orphan.status) == (None, Comment.Status.PENDING)
    assert "parent is missing" in orphan.moderation_reason
    assert thread.comment_count == 2  # Rosa and Gabriel
    assert Comment.objects.get(pk=first.pk).reply_count == 1

    assert Comment.objects.filter(thread=partner, guest_name="Partner Reader").exists()
    gallery = Thread.objects.get(key="old-gallery-99")
    assert gallery.url == "https://ledger.example/gallery/99/"
    deleted = Thread.objects.get(key="deleted-thread")
    assert deleted.is_closed
    assert Comment.objects.get(thread=deleted).status == Comment.Status.PENDING
    assert Thread.objects.filter(key="disqus-thread-204").exists()
    assert Thread.objects.filter(key="disqus-thread-1337").exists()
    assert Comment.objects.get(guest_name="Anonymous").body_source == "Thread without a name"

    for each in Thread.objects.all():
        assert thread_inconsistencies(each) == []
    assert "threads matched by path without query" in output or "matched by path" in output
    assert "yesterday-ish" in output and "perhaps" in output
    assert "gallery/99" in output
    assert "comments listed twice in the export (first kept) (1;" in output
    assert "replies to missing 999" in output
    assert ImportRun.objects.get().status == ImportRun.Status.DONE
    assert Comment.objects.count() == 10  # 13 posts, 2 with bad values, 1 twice


def test_a_second_run_changes_nothing_and_a_newer_export_adds_only_what_is_new(
    article, export: Path, run_command: Callable[..., str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    run_command("import_disqus", str(export))
    before = snapshot()
    output = run_command("import_disqus", str(export))
    assert snapshot() == before
    assert "comments imported before (left as they are)" in output

    # Since the import, a reader replied here and a moderator removed an imported comment.
    thread = Thread.objects.get(key=article.thread_key)
    first = Comment.objects.get(thread=thread, guest_name="Rosa Lindqvist")
    mine = post(thread, member(make_user()), "Written here", parent=first)
    Comment.objects.filter(guest_name="spammer").delete()

    newer = export.read_text().replace(
        "</disqus>",
        """<post xmlns:dsq="http://disqus.com/disqus-internals" dsq:id="308">
        <message>A later reply</message><createdAt>2016-04-01T10:00:00Z</createdAt>
        <isDeleted>false</isDeleted><isSpam>false</isSpam>
        <author><name>Late Reader</name></author>
        <thread dsq:id="200"/><parent dsq:id="302"/></post></disqus>""",
    )
    later = tmp_path / "newer.xml"
    later.write_text(newer)
    run_command("import_disqus", str(later))
    late = Comment.objects.get(guest_name="Late Reader")
    gabriel = Comment.objects.get(guest_name="Gabriel Okafor")
    assert late.parent_id == gabriel.pk
    assert Comment.objects.filter(pk=mine.pk, body_source="Written here").exists()
    assert not Comment.objects.filter(guest_name="spammer").exists()  # not brought back
    assert Comment.objects.get(pk=first.pk).reply_count == 3
    assert thread_inconsistencies(thread) == []


def test_a_dry_run_reports_and_writes_nothing(
    export: Path, run_command: Callable[..., str]
) -> None:
    threads = Thread.objects.count()
    output = run_command("import_disqus", str(export), "--dry-run")
    assert "dry run" in output
    assert "comments created" in output
    assert "orphans" in output
    assert Comment.objects.count() == 0
    assert Thread.objects.count() == threads
    assert not ImportRun.objects.exists() and not ImportedRecord.objects.exists()


def test_a_url_map_sends_a_moved_page_to_its_new_address(
    article, export: Path, run_command: Callable[..., str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    url_map = tmp_path / "map.txt"
    url_map.write_text(f"# moved\nhttps://ledger.example/gallery/99 {article.get_url()}\n")
    run_command("import_disqus", str(export), "--url-map", str(url_map))
    assert Comment.objects.get(guest_name="Gallery Fan").thread.key == article.thread_key


def test_a_malformed_file_is_refused_naming_line_and_element_before_any_write(
    export_file: Callable[..., Path], run_command: Callable[..., str]
) -> None:
    path = export_file("disqus-malformed.xml")
    with pytest.raises(CommandError) as refused:
        run_command("import_disqus", str(path))
    message = str(refused.value)
    assert "line 16" in message and "<message>" in message
    assert not Comment.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_post_listed_under_two_threads_is_imported_once(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    # A damaged export: post 9 twice, under two threads that land in one batch (the
    # batch's look-up of earlier records must see what its first thread wrote).
    def post_xml(thread_id: str, name: str) -> str:
        return (
            '<post dsq:id="9"><message>Twice</message>'
            "<createdAt>2016-04-01T10:00:00Z</createdAt><isDeleted>false</isDeleted>"
            f"<isSpam>false</isSpam><author><name>{name}</name></author>"
            f'<thread dsq:id="{thread_id}"/></post>'
        )

    path = tmp_path / "twice.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">'
        '<thread dsq:id="1"><id>one</id><link>https://old.example/one/</link></thread>'
        '<thread dsq:id="2"><id>two</id><link>https://old.example/two/</link></thread>'
        + post_xml("1", "First listing")
        + post_xml("2", "Second listing")
        + "</disqus>",
        encoding="utf-8",
    )
    output = run_command("import_disqus", str(path))
    assert list(Comment.objects.values_list("guest_name", flat=True)) == ["First listing"]
    assert ImportedRecord.objects.filter(kind="comment").count() == 1
    assert "comments imported before (left as they are)" in output
    assert run_command("import_disqus", str(path)) and Comment.objects.count() == 1
