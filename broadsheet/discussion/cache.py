"""Keep the anonymous page cache exact: forget pages that show what an event changed."""

from __future__ import annotations

from broadsheet.core.pagecache import bump
from broadsheet.discussion.events import (
    CommentFeatured,
    CommentUnfeatured,
    DiscussionEvent,
    VoteChanged,
)


def forget_pages_showing(event: DiscussionEvent) -> None:
    """Runs after commit (events are published then). Votes and editors' picks change only
    the thread's own page; everything else also changes comment counts on listings."""
    if isinstance(event, VoteChanged | CommentFeatured | CommentUnfeatured):
        bump(f"thread:{event.thread_key}")
    else:
        bump(f"thread:{event.thread_key}", "listings")
