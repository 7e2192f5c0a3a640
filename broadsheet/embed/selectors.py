"""Reads of the embed: sites by key and by thread, allowed origins, comment counts."""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from django.http import HttpRequest

from broadsheet.discussion.selectors import comment_counts
from broadsheet.embed import origins
from broadsheet.embed.models import EmbeddingSite, WebhookDelivery, WebhookEndpoint

SITE_PREFIX = "site:"


def site_id_of_thread_key(key: str) -> int | None:
    """The site id in a thread key ``site:<id>:...``, or None for other threads."""
    if not key.startswith(SITE_PREFIX):
        return None
    number = key[len(SITE_PREFIX) :].split(":", 1)[0]
    return int(number) if number.isdigit() else None


def site_for_thread_key(
    key: str, *, request: HttpRequest | None = None
) -> EmbeddingSite | Literal[False] | None:
    """False for threads that are not an embedding site's; else the site (None when it
    is gone). Remembered for the rest of `request`: one query per request at most."""
    site_id = site_id_of_thread_key(key)
    if site_id is None:
        return False
    remembered: dict[int, EmbeddingSite | None] = (
        request.__dict__.setdefault("_embed_sites", {}) if request is not None else {}
    )
    if site_id not in remembered:
        remembered[site_id] = EmbeddingSite.objects.filter(pk=site_id).first()
    return remembered[site_id]


def active_site_by_key(key: str) -> EmbeddingSite | None:
    """The active site with public key `key` (one query)."""
    if not key or len(key) > 40:
        return None
    return EmbeddingSite.objects.filter(key=key, is_active=True).first()


def origin_is_embedding(origin: str) -> bool:
    """True when `origin` is an allowed origin of any active site (one query)."""
    rows = EmbeddingSite.objects.filter(is_active=True).values_list("origins", flat=True)
    for text in rows:
        try:
            rules = origins.parse_rules(text)
        except ValueError:
            continue
        if origins.origin_allowed(rules, origin):
            return True
    return False


def counts_for_pages(site: EmbeddingSite, pages: list[str]) -> dict[str, int]:
    """Visible comments per page (URL or ``id:<identifier>``) of `site`: one query."""
    keys = {}
    for page in pages:
        if page.startswith("id:"):
            keys[page] = origins.page_key(site.pk, url="", identifier=page[3:])
        elif origins.url_allowed(site.rules, page):
            keys[page] = origins.page_key(site.pk, url=page)
    counts = comment_counts(list(set(keys.values())))
    return {page: counts.get(key, 0) for page, key in keys.items()}


def webhook_endpoints_for(site_id: int, event_type: str) -> list[WebhookEndpoint]:
    """The enabled endpoints of a site that want `event_type` (one query)."""
    rows = WebhookEndpoint.objects.filter(site_id=site_id, is_enabled=True)
    return [endpoint for endpoint in rows if endpoint.wants(event_type)]


def deliveries_of(endpoint: WebhookEndpoint, *, limit: int = 50) -> list[WebhookDelivery]:
    return list(endpoint.deliveries.all()[:limit])


def page_origin(url: str) -> str:
    """scheme://host[:port] of a page URL ("" when it has none)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def frame_policy(site: EmbeddingSite) -> str:
    """The iframe page's Content-Security-Policy: our usual strict one, framed only by
    the site's origins."""
    ancestors = " ".join(dict.fromkeys(rule.csp_source for rule in site.rules)) or "'none'"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action 'self'",
            f"frame-ancestors {ancestors}",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )
