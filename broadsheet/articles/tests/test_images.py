"""Responsive images: every picture a reader is sent comes as WebP renditions in a few
widths (srcset/sizes) with its width and height set, so a phone fetches a small file and
nothing shifts as it loads."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.images.models import Image

from broadsheet.articles.testing import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

IMG = re.compile(r"<img\b[^>]*>")


def photo(title: str, size: tuple[int, int] = (1600, 900)) -> Image:
    buffer = io.BytesIO()
    PILImage.new("RGB", size, "teal").save(buffer, format="JPEG")
    image = Image(title=title)
    image.file = ImageFile(io.BytesIO(buffer.getvalue()), name=f"{title}.jpg")
    image.save()
    return image


def attributes(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def the_img(html: str, marker: str) -> dict[str, str]:
    """The <img> whose markup contains marker (a class or an alt text)."""
    found = [tag for tag in IMG.findall(html) if marker in tag]
    assert found, f"no <img> with {marker!r}"
    return attributes(found[0])


def assert_responsive_webp(img: dict[str, str]) -> None:
    candidates = [candidate.split() for candidate in img["srcset"].split(",")]
    assert len(candidates) >= 2
    assert all(url.endswith(".webp") and width.endswith("w") for url, width in candidates)
    assert img["sizes"]
    assert int(img["width"]) > 0 and int(img["height"]) > 0


def test_lead_image_cards_figures_and_avatars_are_responsive_webp(client: Client) -> None:
    world = make_section("World")
    writer = make_author("Ines Halloran", avatar=photo("portrait", (600, 600)))
    article = make_article(
        section=world,
        title="Ferries return",
        authors=[writer],
        body=[{"type": "image", "value": {"image": photo("quay").pk, "caption": "The quay"}}],
        publish=False,
    )
    article.lead_image = photo("harbour")
    article.save_revision().publish()

    page = client.get(article.url).content.decode()
    lead = the_img(page, 'alt="harbour"')
    assert_responsive_webp(lead)
    assert lead["fetchpriority"] == "high" and "loading" not in lead
    assert (int(lead["width"]), int(lead["height"])) == (400, 225)
    figure = the_img(page, 'alt="The quay"')
    assert_responsive_webp(figure)
    assert figure["loading"] == "lazy"

    home = client.get("/").content.decode()
    lead_card = the_img(home, "card__image")
    assert_responsive_webp(lead_card)
    assert lead_card["loading"] == "eager"
    section_card = the_img(client.get(world.url).content.decode(), "card__image")
    assert_responsive_webp(section_card)
    assert section_card["loading"] == "lazy"

    avatar = the_img(client.get(f"/authors/{writer.slug}/").content.decode(), "avatar--large")
    assert_responsive_webp(avatar)
    assert (avatar["width"], avatar["height"]) == ("80", "80")
