"""The realtime read that runs with every comment's live event, compiled once.

Who may hear a comment's event depends on its state (realtime.mapping.audience): that row
is read for every comment posted, inside the posting transaction when the live history is
in the site's database (the outbox), which holds SQLite's one write lock; building it
with the ORM cost several times its answer (docs/decisions/compiled-reads.md).
"""

from __future__ import annotations

from typing import Any

from django.db import router

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    Placeholders,
    compile_query,
)
from broadsheet.discussion.models import Comment

# The comment's state as mapping reads it, in the order of mapping._CommentState.
STATE_FIELDS = (
    "status",
    "author_id",
    "guest_reader_id",
    "parent_id",
    "root_id",
    "is_featured",
    "thread__comment_count",
)

_compiled = CompiledQueries()


def _state_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = Comment.objects.using(alias).filter(pk=p.number("comment_id")).values_list(*STATE_FIELDS)
    return compile_query(rows[:1], p)


def comment_state(comment_id: int) -> tuple[Any, ...] | None:
    """The comment's STATE_FIELDS, or None when it is gone. On the write connection: in
    the outbox it reads the row the action is writing."""
    query = _compiled.get(router.db_for_write(Comment), "state", _state_query)
    return next(query.rows(comment_id=comment_id), None)
