"""Helpers for answers that htmx swaps into the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.presentation import CommentView, author_name, view_of
from broadsheet.discussion.section import DiscussionContext, discussion_context
from broadsheet.discussion.selectors import displayed_row, votes_by_voter


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def with_reswap(response: HttpResponse, status: int, swap: str = "outerHTML") -> HttpResponse:
    """Let htmx swap a 4xx answer in: it carries the message the reader must see."""
    if status >= 400:
        response["HX-Reswap"] = swap
    return response


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
