"""The discussion policy of embedded threads: each embedding site's own settings.

Plugged in with ``BROADSHEET_DISCUSSION_POLICY = "broadsheet.embed.policy.embed_policy"``;
threads that are not a site's (articles) get the policy named by
``BROADSHEET_EMBED_HOST_POLICY``, imported by name so this app does not depend on its
sibling ``articles``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from broadsheet.discussion.policy import DiscussionPolicy
from broadsheet.embed import conf
from broadsheet.embed.selectors import site_for_thread_key


def embed_policy(thread: Any, request: HttpRequest | None = None) -> DiscussionPolicy:
    site = site_for_thread_key(str(thread.key), request=request)
    if site is False:
        host = import_string(conf.host_policy())
        return host(thread, request=request)  # type: ignore[no-any-return]
    if site is None or not site.is_active:
        # A site deleted or switched off: its discussions stay readable, nobody posts.
        return DiscussionPolicy(enabled=False, allow_guests=False)
    return DiscussionPolicy(
        enabled=site.comments_enabled,
        allow_guests=site.allow_guests,
        default_sort=site.default_sort,
        moderation_mode=site.moderation_mode,
    )
