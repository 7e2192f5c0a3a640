"""/threads: the discussions themselves (one discussion with its comments is
GET /threads/{key}/comments in comments.py; closing and reopening are in moderation.py).
A site token sees only its own site's discussions.

No GET /threads/{key}: a key may hold slashes, so that path would also match every
/threads/{key}/<verb> address asked with another method (a 405 instead of the API's
JSON 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from broadsheet.api.comments import thread_out
from broadsheet.api.schemas import ErrorOut, KeyPrefix, ThreadOut
from broadsheet.api.security import scoped_key_prefix
from broadsheet.core.ids import MAX_PAGE
from broadsheet.discussion.selectors import threads_by_key_prefix

router = Router(tags=["threads"])

THREADS_PER_PAGE = 50


class ThreadPageOut(Schema):
    page: int
    page_size: int
    has_next: bool
    threads: list[ThreadOut]


@router.get(
    "/threads",
    response={200: ThreadPageOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="List discussions",
)
def list_threads(
    request: HttpRequest,
    key_prefix: KeyPrefix = "",
    closed: bool | None = None,
    page: int = Query(1, ge=1, le=MAX_PAGE),
) -> dict[str, Any]:
    """Most recently active first, THREADS_PER_PAGE a page; `key_prefix` keeps one
    site's (`site:3:`) or the articles' (`article-`); `closed` true or false keeps
    closed or open ones."""
    prefix = scoped_key_prefix(request, key_prefix, scope="read")
    offset = (page - 1) * THREADS_PER_PAGE
    rows = threads_by_key_prefix(prefix, closed=closed, offset=offset, limit=THREADS_PER_PAGE + 1)
    return {
        "page": page,
        "page_size": THREADS_PER_PAGE,
        "has_next": len(rows) > THREADS_PER_PAGE,
        "threads": [thread_out(thread) for thread in rows[:THREADS_PER_PAGE]],
    }
