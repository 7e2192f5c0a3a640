"""The statements that posting a comment runs inside its transaction, without the ORM.

Posting holds the database's write lock (SQLite has one writer at a time) from the
locked thread read to the commit, and in that window Django building queries and model
instances took longer than the statements themselves. So the reads are compiled once
(compiled.py) and the writes are the plain INSERT and UPDATEs the ORM would send, with
every value prepared by the model's own fields: the same rows on SQLite and PostgreSQL,
through the connection's cursor (query logging and counting see them). Only the
actions in the actions package call these; nothing here checks or authorises anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    compile_query,
    sentinel_int,
)
from broadsheet.discussion.models import Comment, Thread

_compiled = CompiledQueries(max_entries=8)


def locked_thread_state(thread_id: int) -> tuple[bool, int, str]:
    """(is_closed, comment_count, key) of a thread, its row locked (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the one write lock)."""
    rows = list(_compiled.get("locked-thread", _locked_thread_query).rows([thread_id]))
    if not rows:
        raise Thread.DoesNotExist(f"No thread {thread_id}")
    is_closed, comment_count, key = rows[0]
    return bool(is_closed), int(comment_count), str(key)


def _locked_thread_query() -> CompiledQuery:
    rows = (
        Thread.objects.select_for_update()
        .filter(pk=sentinel_int(0))
        .values_list("is_closed", "comment_count", "key")
    )
    return compile_query(rows[:1], {sentinel_int(0): 0})


def parent_state(comment_id: int) -> tuple[int, str, int | None, int, str] | None:
    """(thread_id, status, root_id, depth, path) of the comment replied to, as it is now."""
    rows = list(_compiled.get("parent", _parent_query).rows([comment_id]))
    if not rows:
        return None
    thread_id, status, root_id, depth, path = rows[0]
    return thread_id, status, root_id, depth, path


def _parent_query() -> CompiledQuery:
    rows = Comment.objects.filter(pk=sentinel_int(0)).values_list(
        "thread_id", "status", "root_id", "depth", "path"
    )
    return compile_query(rows[:1], {sentinel_int(0): 0})


def insert_comment(comment: Comment, position: Callable[[int], tuple[int, str]]) -> None:
    """Store a new `comment` (every column from the instance, prepared by its field),
    then give it the (depth, path) that `position` makes of its new id: a path is made
    of ids, so it can only be written once the row has one."""
    alias = router.db_for_write(Comment)
    connection = connections[alias]
    fields = _insert_fields()
    sql = _insert_sql(alias)
    params = [
        field.get_db_prep_save(getattr(comment, field.attname), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (pk,) = cursor.fetchone()
        comment.pk = int(pk)
        comment.depth, comment.path = position(comment.pk)
        cursor.execute(_set_position_sql(alias), [comment.depth, comment.path, comment.pk])
    comment._state.adding = False
    comment._state.db = alias


@cache
def _insert_fields() -> tuple[Field[Any, Any], ...]:
    return tuple(field for field in Comment._meta.concrete_fields if not field.primary_key)


def _column(model: type[Model], name: str, alias: str) -> str:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    return connections[alias].ops.quote_name(str(field.column))  # type: ignore[union-attr]


def _table(model: type[Model], alias: str) -> str:
    return connections[alias].ops.quote_name(model._meta.db_table)


@cache
def _insert_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in _insert_fields())
    placeholders = ", ".join(["%s"] * len(_insert_fields()))
    return (
        f"INSERT INTO {_table(Comment, alias)} ({columns}) "  # noqa: S608
        f"VALUES ({placeholders}) RETURNING {_column(Comment, 'pk', alias)}"
    )


@cache
def _set_position_sql(alias: str) -> str:
    return (
        f"UPDATE {_table(Comment, alias)} SET {_column(Comment, 'depth', alias)} = %s, "  # noqa: S608
        f"{_column(Comment, 'path', alias)} = %s WHERE {_column(Comment, 'pk', alias)} = %s"
    )


@cache
def _thread_count_sql(alias: str, *, touch: bool) -> str:
    count = _column(Thread, "comment_count", alias)
    sql = f"UPDATE {_table(Thread, alias)} SET {count} = {count} + %s"  # noqa: S608
    if touch:
        sql += f", {_column(Thread, 'last_comment_at', alias)} = %s"
    return sql + f" WHERE {_column(Thread, 'pk', alias)} = %s"


@cache
def _reply_count_sql(alias: str, ancestors: int) -> str:
    replies = _column(Comment, "reply_count", alias)
    return (
        f"UPDATE {_table(Comment, alias)} SET {replies} = {replies} + %s "  # noqa: S608
        f"WHERE {_column(Comment, 'pk', alias)} IN ({', '.join(['%s'] * ancestors)})"
    )


def add_to_counts(
    *,
    thread_id: int,
    ancestors: Sequence[int],
    delta: int,
    last_comment_at: datetime | None = None,
) -> None:
    """comment_count += delta on the thread (and its last_comment_at set, when given),
    reply_count += delta on each ancestor: the F() updates, as single statements."""
    alias = router.db_for_write(Comment)
    connection = connections[alias]
    touch = last_comment_at is not None
    params: list[Any] = [delta]
    if touch:
        params.append(connection.ops.adapt_datetimefield_value(last_comment_at))
    with connection.cursor() as cursor:
        cursor.execute(_thread_count_sql(alias, touch=touch), [*params, thread_id])
        if ancestors:
            cursor.execute(_reply_count_sql(alias, len(ancestors)), [delta, *ancestors])
