"""Per-thread behaviour that the host decides: posting on or off, guests, default sort.

The discussion engine does not know what a thread belongs to; the callable named by
``BROADSHEET_DISCUSSION_POLICY`` does. It is imported by name at call time, so this app
has no static dependency on its hosts (articles plug in
``broadsheet.articles.discussion_policy.article_policy``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string

from broadsheet.discussion import conf
from broadsheet.discussion.sorting import Sort, parse_sort

if TYPE_CHECKING:
    from broadsheet.discussion.models import Thread


@dataclass(frozen=True)
class DiscussionPolicy:
    """What the host allows on one thread.

    enabled: readers may post (when False the discussion is read-only, like a closed one).
    allow_guests: readers without an account may post with a name and e-mail address.
    default_sort: "newest", "oldest" or "top" when the reader has not chosen one.
    reserved_names: names no guest may comment under (the publication's own).
    moderation_mode: "none", "new_commenters" or "all" for this thread's pre-moderation,
    or "" for the publication's BROADSHEET_MODERATION_MODE (embedding sites choose theirs).
    closes_at: when the discussion stops taking comments (an editor's date), or None.
    """

    enabled: bool = True
    allow_guests: bool = True
    default_sort: str = Sort.NEWEST
    reserved_names: tuple[str, ...] = ()
    moderation_mode: str = ""
    closes_at: datetime | None = None

    @property
    def sort(self) -> Sort:
        return parse_sort(self.default_sort)

    def accepts_comments(self, now: datetime | None = None) -> bool:
        """Posting is on and the host's closing date, if any, has not come."""
        if not self.enabled:
            return False
        return self.closes_at is None or (now or timezone.now()) < self.closes_at


PolicyCallable = Callable[..., DiscussionPolicy]


def default_policy(thread: Thread, request: HttpRequest | None = None) -> DiscussionPolicy:
    """Everything on: posting, guests, newest first."""
    return DiscussionPolicy(enabled=True, allow_guests=True, default_sort=Sort.NEWEST)


def policy_for(thread: Thread, request: HttpRequest | None = None) -> DiscussionPolicy:
    """The configured policy's answer for `thread`, remembered for the rest of `request`."""
    cache: dict[int, DiscussionPolicy] | None = None
    if request is not None:
        cache = getattr(request, "_discussion_policies", None)
        if cache is None:
            cache = {}
            request._discussion_policies = cache  # type: ignore[attr-defined]
        if thread.pk in cache:
            return cache[thread.pk]
    policy: PolicyCallable = import_string(conf.policy_path())
    answer = policy(thread, request=request)
    if cache is not None:
        cache[thread.pk] = answer
    return answer
