"""Every hand-written SQL statement of the importers, in one room.

An import records each row it makes (``ImportedRecord``: source, kind, source id → the
row here) and asks, per batch of threads, which of its rows an earlier run made. Built
by the ORM, those were a fifth of an import's time (a model and a compiled INSERT per
row), so they are the plain statements the ORM would send, under the convention of
``discussion/comment_writes.py`` (docs/decisions/raw-writes.md):

- the connection is the router's (``router.db_for_write(ImportedRecord)``), taken as
  ``connections[alias]``; look-ups use it too, since they must see what the import's own
  transaction has written;
- table and column names come from the model's meta, quoted with
  ``connection.ops.quote_name``; each statement's SQL is built once per alias;
- every value is prepared by the model's own field (``get_db_prep_save``);
- statements run through the connection's cursor (query logging and counting see them).

The unique (source, kind, source id) constraint still refuses a row recorded twice.
Nothing here checks anything: ``comments.py`` and ``wordpress.py`` decide what to record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from broadsheet.importers.models import ImportedRecord, ImportRun

# Source ids asked for per statement: under SQLite's bound-parameter limit.
LOOKUP_CHUNK = 900

_INSERT_FIELDS = ("source", "kind", "source_id", "target_id", "run", "created_at")


def _connection() -> tuple[str, BaseDatabaseWrapper]:
    alias = router.db_for_write(ImportedRecord)
    return alias, connections[alias]


@cache
def _insert_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    fields = [ImportedRecord._meta.get_field(name) for name in _INSERT_FIELDS]
    columns = ", ".join(quote(str(field.column)) for field in fields)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(ImportedRecord._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608


@cache
def _lookup_sql(alias: str, count: int) -> str:
    quote = connections[alias].ops.quote_name
    column = {
        name: quote(str(ImportedRecord._meta.get_field(name).column))  # type: ignore[union-attr]
        for name in ("source", "kind", "source_id", "target_id")
    }
    marks = ", ".join(["%s"] * count)
    return (
        f"SELECT {column['source_id']}, {column['target_id']} "  # noqa: S608
        f"FROM {quote(ImportedRecord._meta.db_table)} "
        f"WHERE {column['source']} = %s AND {column['kind']} = %s "
        f"AND {column['source_id']} IN ({marks})"
    )


def add_records(source: str, rows: Iterable[tuple[str, str, int]], run: ImportRun | None) -> None:
    """One ImportedRecord per (kind, source id, target id), with one prepared INSERT."""
    alias, connection = _connection()
    meta = ImportedRecord._meta
    now = meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)  # type: ignore[union-attr]
    run_id = run.pk if run is not None else None
    prepared_source = meta.get_field("source").get_db_prep_save(source, connection)  # type: ignore[union-attr]
    params = [
        (prepared_source, str(kind), ref, int(target), run_id, now) for kind, ref, target in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_insert_sql(alias), params)


def recorded(source: str, kind: str, source_ids: Iterable[str]) -> dict[str, int]:
    """source id -> target id of the rows already recorded (one query per chunk)."""
    alias, connection = _connection()
    wanted = list(dict.fromkeys(source_ids))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            chunk = wanted[start : start + LOOKUP_CHUNK]
            cursor.execute(_lookup_sql(alias, len(chunk)), [source, str(kind), *chunk])
            found.update((ref, int(target)) for ref, target in cursor.fetchall())
    return found


# The import's SQLite connection, while it runs (other backends: nothing changes):
# - a larger page cache, in KiB (SQLite's default is 2 MB): an import inserts into
#   indexes whose keys are scattered (address hashes, e-mails, source ids), and with the
#   default cache nearly every such insert read its page back from the file;
# - a checkpoint of the write-ahead log every IMPORT_CHECKPOINT_PAGES pages instead of
#   every 1,000: a batch writes more than that, so each commit also copied the log into
#   the database and synced it to disk, and a page written by several batches in a row
#   was copied once per batch.
IMPORT_PAGE_CACHE_KIB = 64 * 1024
IMPORT_CHECKPOINT_PAGES = 16_000


@contextmanager
def import_connection() -> Iterator[None]:
    """The import's connection tuned as above, its own settings restored afterwards."""
    _, connection = _connection()
    if connection.vendor != "sqlite":
        yield
        return
    tuned = {
        "cache_size": -int(IMPORT_PAGE_CACHE_KIB),
        "wal_autocheckpoint": IMPORT_CHECKPOINT_PAGES,
    }
    before: dict[str, int] = {}
    with connection.cursor() as cursor:
        for pragma, value in tuned.items():
            cursor.execute(f"PRAGMA {pragma}")
            before[pragma] = int(cursor.fetchone()[0])
            if value:
                cursor.execute(f"PRAGMA {pragma} = {int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for pragma, value in before.items():
                cursor.execute(f"PRAGMA {pragma} = {value}")
