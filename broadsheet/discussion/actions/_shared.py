"""What the discussion actions share: messages, the after-commit publish, rate checks
and the visible-comment counters."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from broadsheet.core.ratelimit import enforce
from broadsheet.discussion.comment_writes import add_to_counts
from broadsheet.discussion.events import DiscussionEvent, publish_on_commit
from broadsheet.discussion.models import Comment, path_ids

CLOSED_MESSAGE = _("Comments are closed.")
PARENT_REMOVED_MESSAGE = _("That comment was removed; you can no longer reply to it.")
# The audit log's verb for a comment's arrival at each moderation status.
STATUS_VERBS = {
    Comment.Status.APPROVED: "approve",
    Comment.Status.PENDING: "hold",
    Comment.Status.REJECTED: "reject",
    Comment.Status.SPAM: "spam",
}


def _after_commit(event: DiscussionEvent) -> None:
    publish_on_commit(event)


def _check_rate(
    bucket: str,
    ip_hash: str,
    limit_window: tuple[int, int],
    message: str | Promise,
    *,
    first_is_likely: bool = False,
) -> None:
    # Trusted callers without a client (demo loader, importers) pass no ip_hash.
    if ip_hash:
        limit, window = limit_window
        enforce(
            bucket,
            ip_hash,
            limit=limit,
            window=window,
            message=message,
            first_is_likely=first_is_likely,
        )


def _count_visible(comment: Comment, delta: int, *, touch: bool = False) -> None:
    """Add `delta` visible comments to the thread and to every ancestor's reply_count."""
    add_to_counts(
        thread_id=comment.thread_id,
        ancestors=path_ids(comment.path)[:-1],
        delta=delta,
        last_comment_at=comment.created_at if touch else None,
    )
