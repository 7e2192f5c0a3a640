"""How discussions under articles behave, as editors set it in Publication settings.

Plugged into the discussion engine with
``BROADSHEET_DISCUSSION_POLICY = "broadsheet.articles.discussion_policy.article_policy"``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from broadsheet.articles.models import PublicationSettings
from broadsheet.discussion.policy import DiscussionPolicy


def article_policy(thread: Any, request: HttpRequest | None = None) -> DiscussionPolicy:
    """Posting on/off, guests and default sort from PublicationSettings (read once per
    request when the request is given: Wagtail caches settings on it)."""
    publication = PublicationSettings.load(request_or_site=request)
    return DiscussionPolicy(
        enabled=publication.comments_enabled,
        allow_guests=publication.comments_allow_guests,
        default_sort=publication.comments_default_sort or "newest",
    )
