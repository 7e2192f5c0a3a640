"""export_site --format disqus / wxr: read back by our own Disqus and WordPress importers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from broadsheet.articles.models import ArticlePage
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import thread_inconsistencies
from broadsheet.importers.models import ImportedRecord
from broadsheet.importers.tests import test_site_export as site_export
from broadsheet.importers.tests.test_site_export import wipe_discussions

# The same busy site as the round trip's (fixtures shared by name).
_engine_policy = site_export._engine_policy
article = site_export.article
busy_site = site_export.busy_site

pytestmark = pytest.mark.django_db

HIDDEN_IN_DISQUS = {"approved": "approved", "spam": "spam"}  # everything else: deleted
WORDPRESS_STATUS = {
    "approved": "approved",
    "pending": "pending",
    "spam": "spam",
    "rejected": "deleted",
    "deleted": "deleted",
}


def lines(body: str) -> list[str]:
    # html_to_markdown keeps the newline after a <br> as a space opening the next line
    # (the same text once rendered); the words and the line breaks are what must match.
    return [line.strip() for line in body.splitlines()]


def before() -> dict[int, tuple[str, int | None, str, str]]:
    return {
        c.pk: (c.thread.key, c.parent_id, c.status, c.body_source)
        for c in Comment.objects.select_related("thread")
    }


def after(source: str) -> dict[int, tuple[str, int | None, str, str]]:
    """The comments an import made, under the ids they had when exported."""
    old_of = {
        target: int(source_id)
        for source_id, target in ImportedRecord.objects.filter(
            source=source, kind="comment"
        ).values_list("source_id", "target_id")
    }
    return {
        old_of[c.pk]: (
            c.thread.key,
            old_of.get(c.parent_id) if c.parent_id else None,
            c.status,
            c.body_source,
        )
        for c in Comment.objects.select_related("thread")
    }


def test_the_disqus_export_is_disqus_shaped_and_reads_back(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    out = tmp_path / "disqus.xml"
    run_command("export_site", "--format", "disqus", str(out))
    root = ET.parse(out).getroot()
    ns = "{http://disqus.com}"
    assert root.tag == f"{ns}disqus"
    assert len(root.findall(f"{ns}thread")) == Thread.objects.count()
    assert len(root.findall(f"{ns}post")) == Comment.objects.count()
    was = before()

    wipe_discussions()
    run_command("import_disqus", str(out))
    now = after("disqus")
    assert now.keys() == was.keys()
    for pk, (key, parent, status, body) in was.items():
        new_key, new_parent, new_status, new_body = now[pk]
        assert (new_key, new_parent) == (key, parent), pk
        assert new_status == HIDDEN_IN_DISQUS.get(status, "deleted"), pk
        if new_status == "approved":
            assert lines(new_body) == lines(body), pk
    for thread in Thread.objects.all():
        assert thread_inconsistencies(thread) == []


def test_the_wxr_export_carries_articles_and_comments_to_wordpress(
    busy_site: dict[str, Any], tmp_path: Path, run_command: Callable[..., str]
) -> None:
    out = tmp_path / "site.xml"
    run_command("export_site", "--format", "wxr", "--articles", str(out))
    story = busy_site["article"]
    first = Comment.objects.get(body_source="The council should publish the **model**.")
    was = before()
    old_key = {t.pk: t.key for t in Thread.objects.all()}
    wipe_discussions()
    for page in ArticlePage.objects.all():
        page.delete()

    run_command("import_wordpress", str(out))
    back = ArticlePage.objects.get(slug=story.slug)
    assert back.live and back.title == story.title and back.dek == story.dek
    assert [b.block_type for b in back.body] == [b.block_type for b in story.body]
    assert [line.author.slug for line in back.byline.all()] == ["mara-quill"]
    assert back.first_published_at == story.first_published_at.replace(microsecond=0)
    now = after("wordpress")
    assert now.keys() == was.keys()
    renamed = {key: key for key in old_key.values()}
    renamed[story.thread_key] = back.thread_key
    for pk, (key, parent, status, body) in was.items():
        new_key, new_parent, new_status, new_body = now[pk]
        assert new_parent == parent, pk
        assert new_status == WORDPRESS_STATUS[status], pk
        if key == story.thread_key:
            assert new_key == back.thread_key
        if new_status == "approved":
            assert lines(new_body) == lines(body), pk
    # wpDiscuz's vote meta carries the counts.
    restored = Comment.objects.get(body_source=first.body_source)
    assert (restored.upvotes, restored.downvotes) == (first.upvotes, first.downvotes) == (2, 0)
    for thread in Thread.objects.all():
        assert thread_inconsistencies(thread) == []


def test_a_disqus_export_holds_no_articles(tmp_path: Path, run_command: Callable[..., str]) -> None:
    with pytest.raises(CommandError, match="discussions only"):
        run_command("export_site", "--format", "disqus", "--articles", str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()
