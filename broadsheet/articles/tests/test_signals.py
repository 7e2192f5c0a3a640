"""Side concerns of editing: cached pages are rendered again when what they show changes
without a page being published (images here; publication, settings and authors in
broadsheet/core/tests/test_pagecache.py)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.images.models import Image

from broadsheet.articles.models import ArticlePage
from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db

LEAD = re.compile(r'<img [^>]*fetchpriority="high"[^>]*>')  # the article's lead image


def jpeg(colour: str) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (1600, 900), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
def harbour(db: None) -> Image:
    image = Image(title="The harbour at dawn")
    image.file = ImageFile(io.BytesIO(jpeg("navy")), name="harbour.jpg")
    image.save()
    return image


@pytest.fixture
def article(harbour: Image) -> ArticlePage:
    article = make_article(section=make_section("World"), title="Port strike ends", publish=False)
    article.lead_image = harbour
    article.save_revision().publish()
    article.refresh_from_db()
    return article


def cached_lead_image(article: ArticlePage) -> tuple[str, str]:
    """(src, alt) of the lead image a stranger is served, after checking that the page
    comes from the cache."""
    Client().get(article.url)
    page = Client().get(article.url)
    assert page["X-Page-Cache"] == "hit"
    found = LEAD.search(page.content.decode())
    assert found
    return attribute(found.group(0), "src"), attribute(found.group(0), "alt")


def attribute(tag: str, name: str) -> str:
    found = re.search(rf' {name}="([^"]*)"', tag)
    assert found, f"no {name} in {tag}"
    return found.group(1)


def test_replacing_an_image_file_renders_the_pages_showing_it_again(
    article: ArticlePage, harbour: Image, editor_eve: Client
) -> None:
    old_src, _ = cached_lead_image(article)
    response = editor_eve.post(
        f"/admin/images/{harbour.pk}/",
        {
            "title": harbour.title,
            "file": SimpleUploadedFile("harbour.jpg", jpeg("orange"), "image/jpeg"),
            "collection": harbour.collection_id,
            "tags": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = Client().get(article.url)
    assert page["X-Page-Cache"] == "miss"
    found = LEAD.search(page.content.decode())
    assert found and attribute(found.group(0), "src") != old_src  # the new file's, not a 404


def test_renaming_an_image_changes_the_alt_text_of_cached_pages(
    article: ArticlePage, harbour: Image
) -> None:
    _, alt = cached_lead_image(article)
    assert alt == "The harbour at dawn"
    harbour.title = "Cranes idle at the harbour"
    harbour.save()
    page = Client().get(article.url)
    assert page["X-Page-Cache"] == "miss"
    assert 'alt="Cranes idle at the harbour"' in page.content.decode()


def test_deleting_an_image_takes_it_off_cached_pages(article: ArticlePage, harbour: Image) -> None:
    src, _ = cached_lead_image(article)
    harbour.delete()
    page = Client().get(article.url)
    assert page["X-Page-Cache"] == "miss"
    assert src not in page.content.decode()


def test_recording_an_images_file_size_leaves_cached_pages_alone(
    article: ArticlePage, harbour: Image
) -> None:
    """Wagtail fills in file_size or file_hash lazily (the admin asks for them): nothing
    a page shows."""
    cached_lead_image(article)
    Image.objects.filter(pk=harbour.pk).update(file_size=None, file_hash="")
    harbour.refresh_from_db()
    harbour.get_file_size()
    harbour.get_file_hash()
    assert Client().get(article.url)["X-Page-Cache"] == "hit"


def test_uploading_a_new_image_leaves_cached_pages_alone(article: ArticlePage) -> None:
    """A new image is on no page until a page that takes it is published."""
    cached_lead_image(article)
    upload = Image(title="The quay at noon")
    upload.file = ImageFile(io.BytesIO(jpeg("olive")), name="quay.jpg")
    upload.save()
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
