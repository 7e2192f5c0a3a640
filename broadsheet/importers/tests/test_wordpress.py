"""manage.py import_wordpress against a WXR file written for these tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management.base import CommandError
from django.test import Client
from PIL import Image as PILImage
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model

from broadsheet.articles.models import ArticlePage, Author, HomePage, SectionPage
from broadsheet.articles.testing import ensure_site_structure
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import thread_inconsistencies
from broadsheet.importers.models import ImportedRecord

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    uploads = tmp_path / "uploads"
    (uploads / "2020" / "01").mkdir(parents=True)
    PILImage.new("RGB", (64, 48), "steelblue").save(uploads / "2020" / "01" / "river.jpg")
    return uploads


def test_a_whole_publication_lands(
    media_dir: Path, run_command: Callable[..., str], client: Client
) -> None:
    ensure_site_structure()
    output = run_command(
        "import_wordpress", str(DATA / "wordpress-export.xml"), "--media-dir", str(media_dir)
    )

    article = ArticlePage.objects.get(slug="river-plan")
    assert article.live and article.title == "The river plan, explained"
    assert article.dek == "What the council decided, and what it means."
    assert article.first_published_at.isoformat() == "2020-01-10T10:00:00+00:00"
    assert article.get_parent().slug == "city-hall"
    assert sorted(article.tags.names()) == ["Environment", "flood"]
    assert [b.author.name for b in article.byline.all()] == ["Mara Quill"]
    image = get_image_model().objects.get(title="river")
    assert article.lead_image_id == image.pk
    kinds = [block.block_type for block in article.body]
    assert kinds == ["paragraph", "heading", "image", "quote", "embed"]
    paragraph = article.body[0].value.source
    assert "<b>voted</b>" in paragraph or "<strong>voted</strong>" in paragraph
    assert 'href="https://council.example/plan"' in paragraph
    assert article.body[2].value["caption"] == "The river in January"
    assert article.body[3].value["attribution"] == "A resident"
    assert article.body[4].value.url == "https://www.youtube.com/watch?v=abc123"
    assert HomePage.objects.get().lead_article_id == article.pk  # sticky

    classic = ArticlePage.objects.get(slug="classic-post")
    assert not classic.live
    kinds = [block.block_type for block in classic.body]
    assert kinds == ["paragraph", "image", "image", "embed", "paragraph", "paragraph"]
    assert "[contact-form-7]" in output and "gone.png" in output
    future = ArticlePage.objects.get(slug="coming-soon")
    assert not future.live
    assert future.latest_revision.approved_go_live_at.year == 2099

    thread = Thread.objects.get(key=article.thread_key)
    rosa = Comment.objects.get(thread=thread, guest_name="Rosa")
    assert rosa.body_source == "Finally.\n\nA second paragraph."
    assert (rosa.upvotes, rosa.guest_website) == (4, "https://rosa.example")
    omar = Comment.objects.get(guest_name="Omar")
    assert (omar.parent_id, omar.status) == (rosa.pk, Comment.Status.PENDING)
    assert Comment.objects.get(guest_name="Spammer").status == Comment.Status.SPAM
    assert not Comment.objects.filter(guest_name="Another Blog").exists()
    assert "pingbacks skipped" in output
    assert thread_inconsistencies(thread) == []
    assert "page items skipped" in output and "nav_menu_item items skipped" in output

    for old in ("/?p=123", "/2020/01/10/river-plan/", "/category/city-hall/", "/tag/flood/"):
        response = client.get(old)
        assert response.status_code == 301, old
    assert client.get("/?p=123")["Location"].endswith(article.url)
    assert client.get("/category/city-hall/")["Location"].endswith("/city-hall/")
    assert Redirect.objects.filter(old_path="/feed").exists()

    # Twice: nothing changes.
    counts = (
        ArticlePage.objects.count(),
        SectionPage.objects.count(),
        Author.objects.count(),
        get_image_model().objects.count(),
        Comment.objects.count(),
        Redirect.objects.count(),
        ImportedRecord.objects.count(),
    )
    run_command(
        "import_wordpress", str(DATA / "wordpress-export.xml"), "--media-dir", str(media_dir)
    )
    assert counts == (
        ArticlePage.objects.count(),
        SectionPage.objects.count(),
        Author.objects.count(),
        get_image_model().objects.count(),
        Comment.objects.count(),
        Redirect.objects.count(),
        ImportedRecord.objects.count(),
    )


def test_a_dry_run_writes_nothing(run_command: Callable[..., str]) -> None:
    ensure_site_structure()
    pages = ArticlePage.objects.count()
    output = run_command("import_wordpress", str(DATA / "wordpress-export.xml"), "--dry-run")
    assert "posts created (publish)" in output and "redirects created" in output
    assert ArticlePage.objects.count() == pages
    assert not Redirect.objects.exists() and not Author.objects.exists()


def test_a_dry_run_counts_each_author_and_section_it_would_create_once(
    run_command: Callable[..., str],
) -> None:
    ensure_site_structure()
    rehearsal = run_command("import_wordpress", str(DATA / "wordpress-export.xml"), "--dry-run")
    run_command("import_wordpress", str(DATA / "wordpress-export.xml"))
    for label, created in (
        ("authors created", Author.objects.count()),
        ("sections created", SectionPage.objects.count()),
    ):
        assert re.search(rf"^\s*{created}\s+{label}$", rehearsal, re.MULTILINE), label


def test_a_malformed_wxr_is_refused(tmp_path: Path, run_command: Callable[..., str]) -> None:
    ensure_site_structure()
    broken = tmp_path / "broken.xml"
    text = (DATA / "wordpress-export.xml").read_text()
    broken.write_text(text.replace("</wp:post_id>\n\t\t<wp:post_date><![CDATA[2019", "\n", 1))
    with pytest.raises(CommandError) as refused:
        run_command("import_wordpress", str(broken))
    assert "line" in str(refused.value) and "<" in str(refused.value)
    assert not ArticlePage.objects.filter(slug="river-plan").exists()


def test_an_export_that_binds_wp_to_another_address_imports_the_same(
    tmp_path: Path, media_dir: Path, run_command: Callable[..., str]
) -> None:
    # WordPress.com (and WordPress's own theme test data) write xmlns:wp as
    # "https://wordpress.org/export/1.2/"; older exports say 1.1 or 1.0. WordPress's
    # importer goes by the prefix, so does ours.
    ensure_site_structure()
    source = (DATA / "wordpress-export.xml").read_text()
    assert 'xmlns:wp="http://wordpress.org/export/1.2/"' in source
    rebound = tmp_path / "wordpress-com.xml"
    rebound.write_text(
        source.replace(
            '"http://wordpress.org/export/1.2/"', '"https://wordpress.org/export/1.2/"'
        ).replace(
            '"http://wordpress.org/export/1.2/excerpt/"',
            '"http://wordpress.org/export/1.1/excerpt/"',
        )
    )
    output = run_command("import_wordpress", str(rebound), "--media-dir", str(media_dir))
    article = ArticlePage.objects.get(slug="river-plan")
    assert article.title == "The river plan, explained"
    assert article.dek == "What the council decided, and what it means."  # the excerpt
    assert [b.author.name for b in article.byline.all()] == ["Mara Quill"]
    assert Comment.objects.filter(thread__key=article.thread_key).exists()
    assert re.search(r"^\s*0\s+posts read$", output, re.MULTILINE) is None
