"""A bulk import's comment indexes: the three on scattered keys, built once at its end.

Three of the comment table's indexes are keyed by values that land anywhere in them
(an address hash twice, an upper-cased e-mail): each imported comment writes a page of
each at a place of its own, and once the table outgrows SQLite's page cache each such
write reads its page back from the file. Built after the rows are in, each is one sort.
Only moderation's checks of a new post read them (flood, duplicate, trust); no page of
a discussion does.

``indexes_deferred`` drops those three (``DEFERRED``) for the bulk writing of one
command and builds them again, by the model's own definitions through Django's schema
editor (the statements the migrations ran), before the command ends, whether the
writing finished or failed. A command killed between the two leaves them missing: the
next import builds them first (``restore_deferred_indexes``), and the import command's
docs say so.

It defers only on SQLite (PostgreSQL's import is not measured against this), outside
any transaction (a schema change on SQLite commits), and when the comments to write
outnumber those already here: building an index costs a sort of the whole table, which
pays only when most of the table is new. Otherwise nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, router
from django.db.models import Index

from broadsheet.discussion.models import Comment

DEFERRED = ("discussion_recent_by_ip", "discussion_text_by_ip", "discussion_guest_email")


def _deferred() -> list[Index]:
    return [index for index in Comment._meta.indexes if index.name in DEFERRED]


def _present(alias: str) -> set[str]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Comment._meta.db_table)
    return set(constraints)


def restore_deferred_indexes() -> list[str]:
    """Build any of the deferred indexes that is missing (a killed import's); returns
    their names."""
    alias = router.db_for_write(Comment)
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return []
    missing = [index for index in _deferred() if index.name not in _present(alias)]
    if missing:
        with connection.schema_editor() as editor:
            for index in missing:
                editor.add_index(Comment, index)
    return [str(index.name) for index in missing]


@contextmanager
def indexes_deferred(*, incoming: int) -> Iterator[bool]:
    """Within it, the DEFERRED indexes are dropped when `incoming` comments are more
    than the table holds (and the database is SQLite, outside a transaction); they are
    built again on the way out. Yields whether they were dropped."""
    alias = router.db_for_write(Comment)
    connection = connections[alias]
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield False
        return
    restore_deferred_indexes()
    if incoming <= Comment.objects.using(alias).count():
        yield False
        return
    indexes = _deferred()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(Comment, index)
    try:
        yield True
    finally:
        with connection.schema_editor() as editor:
            for index in indexes:
                editor.add_index(Comment, index)
