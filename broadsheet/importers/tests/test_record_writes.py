"""The importers' raw-SQL room (record_writes): the rows its statements leave are the
rows the ORM would have written, look-ups find them in chunks, and the import's
connection settings are put back afterwards."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from broadsheet.importers import record_writes
from broadsheet.importers.models import ImportedRecord, ImportRun
from broadsheet.importers.record_writes import (
    add_records,
    import_connection,
    recorded,
)

pytestmark = pytest.mark.django_db


def _columns(record: ImportedRecord) -> dict[str, Any]:
    return {
        field.attname: getattr(record, field.attname)
        for field in ImportedRecord._meta.concrete_fields
        if field.attname not in ("id", "created_at")
    }


def test_recorded_rows_read_back_as_the_orm_writes_them() -> None:
    run = ImportRun.objects.create(source="disqus", file_name="export.xml")
    add_records("disqus", [(ImportedRecord.Kind.COMMENT, "p1", 41)], run)
    ImportedRecord.objects.create(
        source="disqus", kind=ImportedRecord.Kind.COMMENT, source_id="p2", target_id=42, run=run
    )
    mine = ImportedRecord.objects.get(source_id="p1")
    theirs = ImportedRecord.objects.get(source_id="p2")
    assert {**_columns(mine), "source_id": "p2", "target_id": 42} == _columns(theirs)
    assert mine.created_at.tzinfo is not None
    assert abs((mine.created_at - theirs.created_at).total_seconds()) < 60


def test_look_ups_answer_per_source_and_kind_across_chunks(monkeypatch: Any) -> None:
    monkeypatch.setattr(record_writes, "LOOKUP_CHUNK", 3)
    add_records(
        "disqus",
        [(ImportedRecord.Kind.COMMENT, f"p{n}", 100 + n) for n in range(8)]
        + [(ImportedRecord.Kind.THREAD, "p1", 7)],
        None,
    )
    add_records("isso", [(ImportedRecord.Kind.COMMENT, "p2", 999)], None)
    wanted = ["p0", "p1", "p2", "p5", "p7", "p9", "p1"]
    assert recorded("disqus", ImportedRecord.Kind.COMMENT, wanted) == {
        "p0": 100,
        "p1": 101,
        "p2": 102,
        "p5": 105,
        "p7": 107,
    }
    assert recorded("disqus", ImportedRecord.Kind.THREAD, wanted) == {"p1": 7}
    assert recorded("disqus", ImportedRecord.Kind.COMMENT, []) == {}


def test_a_row_recorded_twice_is_refused_by_the_unique_constraint() -> None:
    add_records("disqus", [(ImportedRecord.Kind.COMMENT, "p1", 1)], None)
    with pytest.raises(IntegrityError), transaction.atomic():
        add_records("disqus", [(ImportedRecord.Kind.COMMENT, "p1", 2)], None)
    assert recorded("disqus", ImportedRecord.Kind.COMMENT, ["p1"]) == {"p1": 1}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_the_import_connection_is_tuned_while_it_runs_and_restored_after() -> None:
    def pragma(name: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {name}")
            return int(cursor.fetchone()[0])

    before = (pragma("cache_size"), pragma("wal_autocheckpoint"))
    with import_connection():
        assert pragma("cache_size") == -record_writes.IMPORT_PAGE_CACHE_KIB
        assert pragma("wal_autocheckpoint") == record_writes.IMPORT_CHECKPOINT_PAGES
    assert (pragma("cache_size"), pragma("wal_autocheckpoint")) == before
