"""A bulk import's deferred indexes: dropped only when the import is most of the table,
built again as the migrations built them, and rebuilt after a killed import."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Index

from broadsheet.discussion.deferred_indexes import (
    DEFERRED,
    indexes_deferred,
    restore_deferred_indexes,
)
from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import make_thread, make_user, member, post

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="deferred on SQLite only"),
]


def _index_sql() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
            [Comment._meta.db_table],
        )
        return {name: sql for name, sql in cursor.fetchall() if name in DEFERRED}


def test_the_indexes_are_dropped_for_a_large_import_and_built_again_the_same() -> None:
    before = _index_sql()
    assert sorted(before) == sorted(DEFERRED)
    with indexes_deferred(incoming=10) as dropped:
        assert dropped
        assert _index_sql() == {}
    assert _index_sql() == before


def test_they_are_built_again_when_the_writing_fails() -> None:
    before = _index_sql()
    with pytest.raises(RuntimeError), indexes_deferred(incoming=10):
        raise RuntimeError("the import failed")
    assert _index_sql() == before


def test_an_import_smaller_than_the_table_leaves_them_alone() -> None:
    thread = make_thread()
    writer = member(make_user())
    for number in range(3):
        post(thread, writer, f"comment {number}")
    before = _index_sql()
    with indexes_deferred(incoming=3) as dropped:
        assert not dropped
        assert _index_sql() == before


def test_a_killed_imports_missing_index_is_built_by_the_next_one() -> None:
    before = _index_sql()
    index: Index = next(i for i in Comment._meta.indexes if i.name == DEFERRED[0])
    with connection.schema_editor() as editor:
        editor.remove_index(Comment, index)
    assert DEFERRED[0] not in _index_sql()
    assert restore_deferred_indexes() == [DEFERRED[0]]
    assert _index_sql() == before
    assert restore_deferred_indexes() == []
