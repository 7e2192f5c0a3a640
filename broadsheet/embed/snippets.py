"""The copy-paste snippets shown to a site's admins and printed by the demo."""

from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static

from broadsheet.embed.models import EmbeddingSite


def base_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def script_snippet(site: EmbeddingSite) -> str:
    src = base_url() + static("embed/embed.js")
    return (
        f'<div id="broadsheet-thread"></div>\n'
        f'<script src="{src}" data-site="{site.key}" async></script>'
    )


def count_snippet(site: EmbeddingSite) -> str:
    src = base_url() + static("embed/count.js")
    return (
        f'<a href="/some/post/#broadsheet-thread" data-broadsheet-count>comments</a>\n'
        f'<script src="{src}" data-site="{site.key}" async></script>'
    )
