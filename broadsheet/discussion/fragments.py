"""Helpers for answers that htmx swaps into the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from broadsheet.core.htmx import is_htmx, with_reswap
from broadsheet.discussion.identity import Actor

# The views import the htmx responder from here (core.htmx).
__all__ = ["comment_context", "comment_view", "is_htmx", "with_reswap"]
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.presentation import CommentView, author_name, view_of
from broadsheet.discussion.section import DiscussionContext, discussion_context
from broadsheet.discussion.selectors import displayed_row, votes_by_voter


def comment_context(
    request: HttpRequest, thread: Thread, *, actor: Actor, params: Mapping[str, Any] | None = None
) -> DiscussionContext:
    return discussion_context(request, thread, actor=actor, params=params)


def comment_view(
    comment: Comment, *, actor: Actor, mine: int | None = None, highlighted: bool = False
) -> CommentView:
    """One comment as `actor` sees it, with its parent's name (≤ 2 queries)."""
    if mine is None:
        mine = votes_by_voter(actor.voter_key, [comment.pk]).get(comment.pk, 0)
    view = view_of(
        comment, actor=actor, mine=mine, highlighted_id=comment.pk if highlighted else None
    )
    if comment.parent_id:
        parent = displayed_row(comment.parent_id)
        view.parent_name = author_name(parent) if parent else ""
    return view
