"""Every hand-written SQL statement of the discussion app, and the compiled reads of its
write paths (posting, voting, and the row a vote or reply acts on).

Posting holds the database's write lock (SQLite has one writer at a time) from the
locked thread read to the commit, and in that window Django building queries and model
instances took longer than the statements themselves; a vote is a few statements whose
ORM building cost more than running them (docs/decisions/raw-writes.md). So the reads
are compiled once (compiled.py) and the writes are the plain INSERT and UPDATEs the ORM
would send. One convention throughout:

- the connection is the router's (``router.db_for_write`` / ``db_for_read`` of the
  model), taken as ``connections[alias]``;
- every table and column name comes from the model's meta, quoted with
  ``connection.ops.quote_name``; the SQL of a shape is built once per alias (``@cache``);
- every value is prepared by the model's own field (``get_db_prep_save``), so dates and
  booleans reach each backend as the ORM would send them;
- statements run through the connection's cursor (query logging and counting see them).

Only the actions (and the demo loader) call these; nothing here checks or authorises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    Placeholders,
    compile_query,
)
from broadsheet.discussion.models import Comment, CommentVote, Thread

_compiled = CompiledQueries()


# --- naming and preparing, the one way -----------------------------------------------


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)  # type: ignore[return-value]


def _column(model: type[Model], name: str, alias: str) -> str:
    return connections[alias].ops.quote_name(str(_field(model, name).column))


def _table(model: type[Model], alias: str) -> str:
    return connections[alias].ops.quote_name(model._meta.db_table)


def _prep(model: type[Model], name: str, value: Any, connection: BaseDatabaseWrapper) -> Any:
    return _field(model, name).get_db_prep_save(value, connection)


# --- reads of the write paths (compiled) ----------------------------------------------

# What the write paths (voting, replying) read of the comment they act on; the other
# columns of the instance are deferred and load on first access, like .only().
ACT_ON_FIELDS = (
    "id",
    "thread_id",
    "parent_id",
    "root_id",
    "author_id",
    "guest_reader_id",
    "status",
    "depth",
    "path",
)
THREAD_FIELDS = tuple(field.attname for field in Thread._meta.concrete_fields)


def thread_by_key(key: str) -> Thread | None:
    """The thread of a host's key, as a model instance (Model.from_db, as the ORM does)."""
    alias = router.db_for_read(Thread)
    query = _compiled.get(alias, "thread-by-key", _thread_by_key_query)
    for row in query.rows(key=key):
        return Thread.from_db(alias, THREAD_FIELDS, tuple(row))
    return None


def _thread_by_key_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    # The key is unique: a slice, not first(), whose ORDER BY would only cost time.
    rows = Thread.objects.using(alias).filter(key=p.text("key")).values_list(*THREAD_FIELDS)
    return compile_query(rows[:1], p)


def comment_to_act_on(comment_id: int) -> Comment | None:
    """The comment with only ACT_ON_FIELDS loaded (others load on access) and its thread
    with its id and key."""
    alias = router.db_for_read(Comment)
    query = _compiled.get(alias, "act-on", _act_on_query)
    for row in query.rows(comment_id=comment_id):
        comment = Comment.from_db(alias, ACT_ON_FIELDS, tuple(row[: len(ACT_ON_FIELDS)]))
        comment.thread = Thread.from_db(alias, ("id", "key"), (row.thread_id, row.thread_key))
        return comment
    return None


def _act_on_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = (
        Comment.objects.using(alias)
        .filter(pk=p.number("comment_id"))
        .values_list(*ACT_ON_FIELDS, "thread__key")
    )
    return compile_query(rows[:1], p)


def locked_thread_state(thread_id: int) -> tuple[bool, int, str]:
    """(is_closed, comment_count, key) of a thread, its row locked (PostgreSQL; SQLite's
    IMMEDIATE transaction already holds the one write lock)."""
    alias = router.db_for_write(Thread)
    query = _compiled.get(alias, "locked-thread", _locked_thread_query)
    for row in query.rows(thread_id=thread_id):
        return bool(row.is_closed), int(row.comment_count), str(row.key)
    raise Thread.DoesNotExist(f"No thread {thread_id}")


def _locked_thread_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = (
        Thread.objects.using(alias)
        .select_for_update()
        .filter(pk=p.number("thread_id"))
        .values_list("is_closed", "comment_count", "key")
    )
    return compile_query(rows[:1], p)


def parent_state(comment_id: int) -> tuple[int, str, int | None, int, str] | None:
    """(thread_id, status, root_id, depth, path) of the comment replied to, as it is now."""
    alias = router.db_for_write(Comment)
    query = _compiled.get(alias, "parent", _parent_query)
    for row in query.rows(comment_id=comment_id):
        return row.thread_id, row.status, row.root_id, row.depth, row.path
    return None


def _parent_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = (
        Comment.objects.using(alias)
        .filter(pk=p.number("comment_id"))
        .values_list("thread_id", "status", "root_id", "depth", "path")
    )
    return compile_query(rows[:1], p)


def locked_vote(comment_id: int, voter_key: str) -> tuple[int | None, int]:
    """(pk, value) of one voter's vote on one comment, its row locked (PostgreSQL);
    (None, 0) when they have not voted."""
    alias = router.db_for_write(CommentVote)
    query = _compiled.get(alias, "my-vote", _my_vote_query)
    for row in query.rows(comment_id=comment_id, voter_key=voter_key):
        return int(row.pk), int(row.value)
    return None, 0


def _my_vote_query(alias: str) -> CompiledQuery:
    p = Placeholders()
    rows = (
        CommentVote.objects.using(alias)
        .select_for_update()
        .filter(comment_id=p.number("comment_id"), voter_key=p.text("voter_key"))
        .values_list("pk", "value")
    )
    return compile_query(rows[:1], p)


# --- threads ----------------------------------------------------------------------------


def insert_thread(thread: Thread) -> None:
    """Store a new `thread` (every column from the instance, prepared by its field): the
    INSERT Thread.objects.create() writes, without its save machinery (no signal listens
    to threads). A second thread with the same key still ends on the unique constraint as
    an IntegrityError."""
    alias = router.db_for_write(Thread)
    with connections[alias].cursor() as cursor:
        _insert_row(cursor, thread, alias)


# --- comments ---------------------------------------------------------------------------


def insert_comment(comment: Comment, position: Callable[[int], tuple[int, str]]) -> None:
    """Store a new `comment` (every column from the instance, prepared by its field),
    then give it the (depth, path) that `position` makes of its new id: a path is made
    of ids, so it can only be written once the row has one."""
    alias = router.db_for_write(Comment)
    with connections[alias].cursor() as cursor:
        _insert_row(cursor, comment, alias)
        comment.depth, comment.path = position(comment.pk)
        cursor.execute(_set_position_sql(alias), [comment.depth, comment.path, comment.pk])


def _insert_row(cursor: Any, instance: Thread | Comment, alias: str) -> None:
    """INSERT `instance` as a new row (every concrete column but the key, each value
    prepared by its field), then leave on it what Model.save() leaves: its new key and
    its state."""
    model = type(instance)
    connection = connections[alias]
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection)
        for field in _insert_fields(model)
    ]
    cursor.execute(_insert_sql(model, alias), params)
    (pk,) = cursor.fetchone()
    instance.pk = int(pk)
    instance._state.adding = False
    instance._state.db = alias


@cache
def _insert_fields(model: type[Thread] | type[Comment]) -> tuple[Field[Any, Any], ...]:
    return tuple(field for field in model._meta.concrete_fields if not field.primary_key)


@cache
def _insert_sql(model: type[Thread] | type[Comment], alias: str) -> str:
    quote = connections[alias].ops.quote_name
    fields = _insert_fields(model)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return (
        f"INSERT INTO {_table(model, alias)} ({columns}) "  # noqa: S608
        f"VALUES ({placeholders}) RETURNING {_column(model, 'pk', alias)}"
    )


@cache
def _set_position_sql(alias: str) -> str:
    return (
        f"UPDATE {_table(Comment, alias)} SET {_column(Comment, 'depth', alias)} = %s, "  # noqa: S608
        f"{_column(Comment, 'path', alias)} = %s WHERE {_column(Comment, 'pk', alias)} = %s"
    )


def set_paths(paths: Sequence[tuple[int, str]]) -> None:
    """path = ... for each (comment id, path): one prepared UPDATE executed per row (the
    demo loader's bulk write: far cheaper than bulk_update's CASE)."""
    alias = router.db_for_write(Comment)
    with connections[alias].cursor() as cursor:
        cursor.executemany(_set_path_sql(alias), [(path, pk) for pk, path in paths])


@cache
def _set_path_sql(alias: str) -> str:
    return (
        f"UPDATE {_table(Comment, alias)} SET {_column(Comment, 'path', alias)} = %s "  # noqa: S608
        f"WHERE {_column(Comment, 'pk', alias)} = %s"
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
        params.append(_prep(Thread, "last_comment_at", last_comment_at, connection))
    with connection.cursor() as cursor:
        cursor.execute(_thread_count_sql(alias, touch=touch), [*params, thread_id])
        if ancestors:
            cursor.execute(_reply_count_sql(alias, len(ancestors)), [delta, *ancestors])


@cache
def _thread_import_count_sql(alias: str) -> str:
    count = _column(Thread, "comment_count", alias)
    last = _column(Thread, "last_comment_at", alias)
    return (
        f"UPDATE {_table(Thread, alias)} SET {count} = {count} + %s, "  # noqa: S608
        f"{last} = CASE WHEN {last} IS NULL OR {last} < %s THEN %s ELSE {last} END "
        f"WHERE {_column(Thread, 'pk', alias)} = %s"
    )


def add_imported_to_thread(*, thread_id: int, visible: int, latest: datetime) -> None:
    """comment_count += visible, and last_comment_at moved up to `latest` (never back:
    an import of old comments leaves a newer date as it is), as one statement."""
    alias = router.db_for_write(Thread)
    connection = connections[alias]
    when = _prep(Thread, "last_comment_at", latest, connection)
    with connection.cursor() as cursor:
        cursor.execute(_thread_import_count_sql(alias), [visible, when, when, thread_id])


def add_to_reply_counts(*, amounts: dict[int, int]) -> None:
    """reply_count += amount for each comment id, one statement per distinct amount."""
    alias = router.db_for_write(Comment)
    by_amount: dict[int, list[int]] = {}
    for pk, amount in amounts.items():
        by_amount.setdefault(amount, []).append(pk)
    with connections[alias].cursor() as cursor:
        for amount, pks in by_amount.items():
            cursor.execute(_reply_count_sql(alias, len(pks)), [amount, *pks])


# --- votes ------------------------------------------------------------------------------

_VOTE_INSERT_FIELDS = ("comment", "voter_key", "value", "ip_hash", "created_at")


def insert_vote(
    *, comment_id: int, voter_key: str, value: int, ip_hash: str, now: datetime
) -> None:
    """The INSERT that CommentVote.objects.create() writes, without building a model
    and its save machinery (no signal listens to votes). A second first vote of the same
    voter still ends on the unique constraint as an IntegrityError (the caller retries)."""
    alias = router.db_for_write(CommentVote)
    connection = connections[alias]
    values = (comment_id, voter_key, value, ip_hash, now)
    params = [
        _prep(CommentVote, name, given, connection)
        for name, given in zip(_VOTE_INSERT_FIELDS, values, strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(_insert_vote_sql(alias), params)


@cache
def _insert_vote_sql(alias: str) -> str:
    columns = ", ".join(_column(CommentVote, name, alias) for name in _VOTE_INSERT_FIELDS)
    placeholders = ", ".join(["%s"] * len(_VOTE_INSERT_FIELDS))
    return f"INSERT INTO {_table(CommentVote, alias)} ({columns}) VALUES ({placeholders})"  # noqa: S608


def add_votes(comment_id: int, *, up: int, down: int) -> tuple[int, int, int]:
    """Add to a comment's counters and return the new (upvotes, downvotes, score).

    One statement, the F() update the ORM would write with the new totals returned by
    the UPDATE itself (RETURNING: SQLite 3.35+, PostgreSQL), instead of an update and a
    select: this is the hot path of every vote.
    """
    alias = router.db_for_write(Comment)
    with connections[alias].cursor() as cursor:
        cursor.execute(_add_votes_sql(alias), [up, down, up - down, comment_id])
        upvotes, downvotes, score = cursor.fetchone()
    return int(upvotes), int(downvotes), int(score)


@cache
def _add_votes_sql(alias: str) -> str:
    up, down, score = (_column(Comment, name, alias) for name in ("upvotes", "downvotes", "score"))
    return (
        f"UPDATE {_table(Comment, alias)} SET {up} = {up} + %s, {down} = {down} + %s, "  # noqa: S608
        f"{score} = {score} + %s WHERE {_column(Comment, 'pk', alias)} = %s "
        f"RETURNING {up}, {down}, {score}"
    )
