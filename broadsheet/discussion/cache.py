"""Keep the anonymous page cache exact: forget pages that show what an event changed."""

from __future__ import annotations

from broadsheet.core.pagecache import bump
from broadsheet.discussion.events import (
    CommentFeatured,
    CommentUnfeatured,
    DiscussionEvent,
    VoteChanged,
)


def thread_scope(key: str) -> str:
    """The page-cache scope of a discussion (its thread's key): every page that shows the
    thread declares it (mark_cacheable), every change to it bumps it."""
    return f"thread:{key}"


def forget_pages_showing(event: DiscussionEvent) -> None:
    """Runs after commit (events are published then). Votes and editors' picks change only
    the thread's own page; everything else also changes comment counts on listings."""
    if isinstance(event, VoteChanged | CommentFeatured | CommentUnfeatured):
        bump(thread_scope(event.thread_key))
    else:
        bump(thread_scope(event.thread_key), "listings")
