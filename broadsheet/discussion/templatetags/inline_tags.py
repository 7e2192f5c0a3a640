"""``{% inline_point thread_key block_id %}``: the marker of a feedback point (inline
feedback) on a host page, with the number of comments on that passage.

Constant cost per page: the thread and the counts of all its passages are read once per
request (2 queries) however many points the page has.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from broadsheet.core.kept_markup import per_request_of
from broadsheet.discussion.anchors import point_counts
from broadsheet.discussion.selectors import thread_by_key

register = template.Library()


def _thread_counts(request: HttpRequest | None, key: str) -> tuple[Any, dict[str, int]]:
    memo: dict[str, tuple[Any, dict[str, int]]] = (
        getattr(request, "_discussion_point_counts", None) or {}
    )
    if key not in memo:
        thread = thread_by_key(key)
        memo[key] = (thread, point_counts(thread) if thread is not None else {})
        if request is not None:
            request._discussion_point_counts = memo  # type: ignore[attr-defined]
    return memo[key]


@register.simple_tag(takes_context=True)
def inline_point(context: template.Context, thread_key: str, block_id: str) -> SafeString:
    """The marker (a link to the preselected form; a button with JS) and its empty panel.
    Its count is the discussion's now: in a kept part (the article page's body,
    core.kept_markup) it is a hole, rendered for each request from its own context."""
    if not block_id:
        return mark_safe("")
    key = str(thread_key)

    def marker(request_context: Any) -> str:
        thread, counts = _thread_counts(request_context.get("request"), key)
        return get_template("discussion/inline/marker.html").render(
            {"thread": thread, "block_id": block_id, "count": counts.get(block_id, 0)}
        )

    return mark_safe(per_request_of(context, marker))
