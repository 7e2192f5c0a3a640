"""Embedding sites for the REST API (``api.sites.SiteDirectory``, named by
BROADSHEET_API_SITES): reads in the API's shape, and changes through
``do_update_site``. The API does not import this app; this module does not import it
either (sibling entry points), so the shape is spelled in both places."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from broadsheet.core.text import is_clean_line
from broadsheet.discussion.identity import Actor
from broadsheet.embed import origins
from broadsheet.embed.actions import do_update_site
from broadsheet.embed.models import EmbeddingSite


def site_data(site: EmbeddingSite) -> dict[str, Any]:
    """A site as integrations see it: never its SSO secret or webhook secrets."""
    return {
        "id": site.pk,
        "key": site.key,
        "name": site.name,
        "origins": [line.strip() for line in site.origins.splitlines() if line.strip()],
        "is_active": site.is_active,
        "comments_enabled": site.comments_enabled,
        "allow_guests": site.allow_guests,
        "default_sort": site.default_sort,
        "moderation_mode": site.moderation_mode,
        "thread_key_prefix": origins.key_prefix(site.pk),
        "created_at": site.created_at,
    }


def site_by_key(key: str) -> EmbeddingSite | None:
    """The site of a key from an address, or None."""
    if not is_clean_line(key):
        return None
    return EmbeddingSite.objects.filter(key=key).first()


class EmbedSites:
    def sites(self, *, site_id: int | None = None) -> list[dict[str, Any]]:
        rows = EmbeddingSite.objects.all()
        if site_id is not None:
            rows = rows.filter(pk=site_id)
        return [site_data(site) for site in rows]

    def site(self, key: str) -> dict[str, Any] | None:
        site = site_by_key(key)
        return site_data(site) if site is not None else None

    def update_site(self, *, key: str, actor: Actor, changes: dict[str, Any]) -> dict[str, Any]:
        site = site_by_key(key)
        if site is None:
            raise Http404("No such embedding site")
        return site_data(do_update_site(site=site, actor=actor, changes=changes))


SITES = EmbedSites()
