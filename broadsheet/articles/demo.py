"""Demo content: sections, authors, ~30 articles with locally generated images, accounts.

Everything is idempotent: a second run finds what exists and adds only what is missing.
The texts live in demo_data/*.json, written for this demo.
"""

from __future__ import annotations

import colorsys
import io
import json
import secrets
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images.models import Image

from broadsheet.articles.models import (
    ArticleByline,
    ArticlePage,
    Author,
    HomePage,
    PublicationSettings,
    SectionPage,
)

DEMO_DATA = Path(__file__).parent / "demo_data"
DEMO_NAMESPACE = uuid.UUID("6f1d3c2e-8a47-4b7a-9b1e-2f3a4c5d6e7f")


def load_articles_data() -> dict[str, Any]:
    return json.loads((DEMO_DATA / "articles.json").read_text(encoding="utf-8"))


def _rgb(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb(hue / 360, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def render_lead_image(
    hue: int, motif: str, seed: str, size: tuple[int, int] = (1600, 900)
) -> bytes:
    """An abstract illustration drawn locally: a gradient and a motif, never a download."""
    width, height = size
    picture = PILImage.new("RGB", size)
    draw = ImageDraw.Draw(picture)
    top, bottom = _rgb(hue, 0.45, 0.30), _rgb((hue + 40) % 360, 0.55, 0.62)
    for y in range(height):
        t = y / height
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    rng = int.from_bytes(seed.encode()[:8].ljust(8, b"x"), "big")
    accent = _rgb((hue + 180) % 360, 0.5, 0.75)
    light = _rgb(hue, 0.25, 0.88)
    if motif == "bars":
        for i in range(14):
            bar_height = (rng >> (i % 40)) % (height // 2) + height // 6
            x = 80 + i * 105
            draw.rectangle(
                [x, height - bar_height, x + 70, height - 60], fill=accent if i % 3 == 0 else light
            )
    elif motif == "circles":
        for i in range(9):
            r = 60 + (rng >> i) % 220
            cx, cy = (rng >> (i * 3)) % width, (rng >> (i * 5)) % height
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=light, width=10 if i % 2 else 4)
    elif motif == "waves":
        for band in range(7):
            y0 = 160 + band * 100
            points = [
                (x, y0 + int(40 * ((x // 80 + band) % 2 * 2 - 1))) for x in range(0, width + 80, 80)
            ]
            draw.line(points, fill=light if band % 2 else accent, width=12, joint="curve")
    elif motif == "grid":
        for x in range(0, width, 100):
            draw.line([(x, 0), (x, height)], fill=light, width=3)
        for y in range(0, height, 100):
            draw.line([(0, y), (width, y)], fill=light, width=3)
        draw.rectangle([600, 300, 1000, 600], fill=accent)
    else:  # skyline
        x = 0
        i = 0
        while x < width:
            w = 60 + (rng >> (i % 50)) % 120
            h = 150 + (rng >> ((i * 7) % 50)) % 450
            draw.rectangle([x, height - h, x + w - 8, height], fill=light if i % 4 else accent)
            x += w
            i += 1
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def render_avatar(name: str, hue: int) -> bytes:
    picture = PILImage.new("RGB", (320, 320), _rgb(hue, 0.40, 0.40))
    draw = ImageDraw.Draw(picture)
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    try:
        font: Any = ImageFont.load_default(size=140)
    except TypeError:  # Pillow built without FreeType
        font = ImageFont.load_default()
    draw.text((160, 160), initials, fill=(255, 255, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def _image(title: str, filename: str, data: bytes) -> Image:
    existing = Image.objects.filter(title=title).first()
    if existing:
        return existing
    image = Image(title=title)
    image.file = ImageFile(io.BytesIO(data), name=filename)
    image.save()
    return image


def _block_id(slug: str, index: int) -> str:
    # Stable across re-runs so inline-feedback anchors of demo comments stay valid.
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{slug}:{index}"))


def stream_body(slug: str, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = []
    for index, block in enumerate(blocks):
        kind = block["type"]
        value: Any
        if kind == "paragraph":
            value = block["html"]
        elif kind == "heading":
            value = block["text"]
        elif kind == "quote":
            value = {"text": block["text"], "attribution": block.get("attribution", "")}
        elif kind == "pull_quote":
            value = {"text": block["text"]}
        elif kind == "feedback":
            value = {"text": block["html"], "question": block["question"]}
        else:
            continue
        body.append({"type": kind, "value": value, "id": _block_id(slug, index)})
    return body


def home_page() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        raise RuntimeError("No HomePage: run `manage.py migrate` first.")
    return home


@transaction.atomic
def load_publication(*, stdout: Any = None) -> dict[str, int]:
    data = load_articles_data()
    home = home_page()
    created = {"sections": 0, "authors": 0, "articles": 0}

    sections: dict[str, SectionPage] = {}
    for section_data in data["sections"]:
        section = SectionPage.objects.filter(slug=section_data["slug"]).first()
        if section is None:
            section = SectionPage(
                title=section_data["name"],
                slug=section_data["slug"],
                intro=section_data.get("intro", ""),
            )
            home.add_child(instance=section)
            section.save_revision().publish()
            created["sections"] += 1
        sections[section_data["slug"]] = section

    authors: dict[str, Author] = {}
    for index, author_data in enumerate(data["authors"]):
        author = Author.objects.filter(slug=author_data["slug"]).first()
        if author is None:
            avatar = _image(
                f"Portrait: {author_data['name']}",
                f"author-{author_data['slug']}.png",
                render_avatar(author_data["name"], (index * 47) % 360),
            )
            author = Author.objects.create(
                name=author_data["name"],
                slug=author_data["slug"],
                bio=author_data.get("bio", ""),
                avatar=avatar,
            )
            created["authors"] += 1
        authors[author_data["slug"]] = author

    now = timezone.now().replace(second=0, microsecond=0)
    for index, item in enumerate(data["articles"]):
        # Slugs follow their headlines; a demo loaded before a slug was corrected keeps
        # its page under the old one (found by `former_slugs`), so a re-run adds nothing.
        known = [item["slug"], *item.get("former_slugs", [])]
        if ArticlePage.objects.filter(slug__in=known).exists():
            continue
        image_data = item.get("lead_image") or {}
        lead = _image(
            f"Illustration: {item['headline']}"[:255],
            f"lead-{item['slug']}.jpg"[:90],
            render_lead_image(
                int(image_data.get("hue", index * 37 % 360)),
                image_data.get("motif", "bars"),
                item["slug"],
            ),
        )
        # Even today's lead went up a couple of hours ago: its discussion has had time
        # to happen (comments are dated after publication).
        published = now - timedelta(
            days=int(item.get("days_ago", index)), hours=2 + index % 9, minutes=index * 7 % 60
        )
        article = ArticlePage(
            title=item["headline"],
            slug=item["slug"],
            dek=item["dek"],
            first_published_at=published,
            is_opinion=bool(item.get("opinion")),
            lead_image=lead,
            lead_image_caption=image_data.get("caption", ""),
            lead_image_credit=image_data.get("credit", ""),
            body=stream_body(item["slug"], item["body"]),
        )
        article.byline = [
            ArticleByline(author=authors[slug], sort_order=i)
            for i, slug in enumerate(item["authors"])
        ]
        article.tags.add(*item.get("tags", []))
        sections[item["section"]].add_child(instance=article)
        revision = article.save_revision()
        revision.publish()
        ArticlePage.objects.filter(pk=article.pk).update(first_published_at=published)
        created["articles"] += 1
    lead_slugs = [
        slug
        for item in data["articles"]
        if item["slug"] == data.get("front_page_lead")
        for slug in (item["slug"], *item.get("former_slugs", []))
    ]
    pin_front_page_lead(home, lead_slugs)
    name_publication(DEMO_PUBLICATION_NAME)
    return created


DEMO_PUBLICATION_NAME = "The Meridian Ledger"


def name_publication(name: str) -> None:
    """The demo's masthead, set once over the neutral default (an edit made in the admin
    afterwards is kept)."""
    publication = PublicationSettings.load()
    if publication.name == PublicationSettings._meta.get_field("name").default:
        publication.name = name
        publication.save(update_fields=["name"])


def pin_front_page_lead(home: HomePage, slugs: list[str]) -> None:
    """The editors' choice of lead story (its slug, or former ones), as an editor sets it
    on the home page (publishing a newer article must not displace it)."""
    lead = ArticlePage.objects.filter(slug__in=slugs).first() if slugs else None
    if lead is None or home.lead_article_id == lead.pk:
        return
    home.lead_article = lead
    home.save_revision().publish()


DEMO_ROLES: dict[str, dict[str, Any]] = {
    "administrator": {
        "username": "admin",
        "email": "admin@example.org",
        "superuser": True,
        "groups": [],
    },
    "editor": {
        "username": "editor",
        "email": "editor@example.org",
        "superuser": False,
        "groups": ["Editors"],
    },
    "moderator": {
        "username": "moderator",
        "email": "moderator@example.org",
        "superuser": False,
        "staff": False,  # the Moderators group grants the admin and moderation
        "groups": ["Moderators"],
    },
    "trusted_commenter": {
        "username": "trusted",
        "email": "trusted@example.org",
        "superuser": False,
        "staff": False,
        "groups": ["Trusted commenters"],
    },
    "reader": {
        "username": "reader",
        "email": "reader@example.org",
        "superuser": False,
        "groups": [],
    },
}


def demo_accounts_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-accounts.json"


def ensure_demo_accounts() -> dict[str, dict[str, str]]:
    """One account per role; passwords are generated once and kept in var/ (demo only)."""
    path = demo_accounts_path()
    known: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
    user_model = get_user_model()
    for role, spec in DEMO_ROLES.items():
        entry = known.get(role) or {
            "username": spec["username"],
            "password": secrets.token_urlsafe(9),
        }
        user = user_model.objects.filter(username=entry["username"]).first()
        if user is None:
            user = user_model(username=entry["username"], email=spec["email"])
        user.is_superuser = bool(spec["superuser"])
        user.is_staff = bool(spec.get("staff", spec["superuser"] or spec["groups"]))
        user.set_password(entry["password"])
        user.save()
        for group_name in spec["groups"]:
            group, _ = Group.objects.get_or_create(name=group_name)
            user.groups.add(group)
        # A confirmed address, so demo accounts can sign in by e-mail too.
        EmailAddress.objects.update_or_create(
            user=user, email=spec["email"], defaults={"verified": True, "primary": True}
        )
        known[role] = {"username": entry["username"], "password": entry["password"]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(known, indent=2) + "\n")
    path.chmod(0o600)
    return known
