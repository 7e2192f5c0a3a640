"""Queries compiled once per shape: each call's named values go where the stand-ins stood,
rows come back with named fields, and only the named rooms use compiled queries."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from broadsheet.discussion.compiled import ROOMS, CompiledQueries, Placeholders, compile_query
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import post

pytestmark = pytest.mark.django_db


def test_named_int_str_and_datetime_values_take_each_calls_values(
    thread: Thread, guest_gabriel: Actor
) -> None:
    older, newer = post(thread, guest_gabriel, "Older."), post(thread, guest_gabriel, "Newer.")
    now = timezone.now()
    Comment.objects.filter(pk=older.pk).update(created_at=now - timedelta(hours=2))
    Comment.objects.filter(pk=newer.pk).update(created_at=now - timedelta(minutes=5))
    p = Placeholders()
    query = compile_query(
        Comment.objects.filter(
            thread_id=p.number("thread_id"),
            guest_name=p.text("name"),
            created_at__gte=p.moment("since"),
        )
        .order_by("pk")
        .values_list("pk", "created_at", "thread__key"),
        p,
    )

    def since(moment: object, name: str = "Gabriel") -> list[int]:
        return [row.pk for row in query.rows(thread_id=thread.pk, name=name, since=moment)]

    assert since(now - timedelta(hours=3)) == [older.pk, newer.pk]
    assert since(now - timedelta(hours=1)) == [newer.pk]
    assert since(now) == []
    assert since(now - timedelta(days=1), name="Someone else") == []
    # Dates come back as the ORM gives them (aware datetimes on every backend), and each
    # column under its values_list name (a join's __ as _).
    (row,) = query.rows(thread_id=thread.pk, name="Gabriel", since=now - timedelta(hours=1))
    assert row.created_at == Comment.objects.get(pk=newer.pk).created_at
    assert row.thread_key == thread.key


def test_a_missing_or_unknown_value_is_refused(thread: Thread) -> None:
    p = Placeholders()
    query = compile_query(
        Comment.objects.filter(thread_id=p.number("thread_id")).values_list("pk"), p
    )
    with pytest.raises(TypeError, match="missing"):
        list(query.rows())
    with pytest.raises(TypeError, match="unknown"):
        list(query.rows(thread_id=thread.pk, thread=thread.pk))


def test_a_placeholder_that_does_not_reach_the_sql_is_refused() -> None:
    p = Placeholders()
    rows = Comment.objects.filter(pk=p.number("comment_id")).values_list("pk")
    p.moment("since")
    with pytest.raises(ValueError, match="did not reach"):
        compile_query(rows, p)


def test_a_paged_query_compiles_once_for_every_page(thread: Thread, guest_gabriel: Actor) -> None:
    ids = [post(thread, guest_gabriel, f"Comment {n}.").pk for n in range(5)]
    built: list[str] = []

    def build(alias: str) -> object:
        built.append(alias)
        p = Placeholders()
        rows = (
            Comment.objects.using(alias)
            .filter(thread_id=p.number("thread_id"))
            .order_by("pk")
            .values_list("pk")
        )
        return compile_query(rows, p, paged=True)

    cache = CompiledQueries()
    pages = [
        [
            row.pk
            for row in cache.get("default", "page", build).rows(  # type: ignore[arg-type]
                thread_id=thread.pk, limit=2, offset=offset
            )
        ]
        for offset in (0, 2, 4)
    ]
    assert pages == [ids[:2], ids[2:4], ids[4:]]
    assert built == ["default"]
    with pytest.raises(ValueError, match="do not slice"):
        compile_query(Comment.objects.values_list("pk")[:3], Placeholders(), paged=True)


def test_an_in_list_takes_exactly_its_length(thread: Thread, guest_gabriel: Actor) -> None:
    a, b = post(thread, guest_gabriel, "A."), post(thread, guest_gabriel, "B.")
    p = Placeholders()
    query = compile_query(
        Comment.objects.filter(pk__in=p.numbers("ids", 2)).order_by("pk").values_list("pk"), p
    )
    with CaptureQueriesContext(connection) as captured:
        assert [row.pk for row in query.rows(ids=[b.pk, a.pk])] == [a.pk, b.pk]
    assert len(captured) == 1
    with pytest.raises(TypeError, match="2 values expected"):
        list(query.rows(ids=[a.pk]))


def test_only_the_named_rooms_import_compiled_queries() -> None:
    package = Path(__file__).resolve().parents[2]
    importers = set()
    for path in package.rglob("*.py"):
        if "tests" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        names = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module is not None
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        if "broadsheet.discussion.compiled" in names:
            module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            importers.add(module)
    assert importers == set(ROOMS)


def test_sqlites_lighter_moment_converter_answers_as_djangos() -> None:
    from datetime import UTC, datetime

    from broadsheet.discussion.compiled import _lighter, _sqlite_moment

    ops: Any = connection.ops
    if connection.vendor != "sqlite":  # no such converter: the driver gives aware datetimes

        def converter(value: Any, expression: Any, connection: Any) -> Any:
            return value

        assert _lighter(converter, ops) is converter
        return
    assert _lighter(ops.convert_datetimefield_value, ops) is _sqlite_moment
    assert _lighter(ops.convert_booleanfield_value, ops) == ops.convert_booleanfield_value
    for value in (
        datetime(2026, 12, 5, 21, 30, 1, 250000),
        datetime(2026, 12, 5, 21, 30, 1, tzinfo=UTC),
        "2026-12-05 21:30:01.250000",
        None,
    ):
        ours = _sqlite_moment(value, None, connection)
        djangos = ops.convert_datetimefield_value(value, None, connection)
        assert ours == djangos and type(ours) is type(djangos)
        assert getattr(ours, "tzinfo", None) is getattr(djangos, "tzinfo", None)


def test_docs_architecture_names_exactly_the_rooms() -> None:
    docs = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
    section = docs.read_text().split("## Speed-up rooms", 1)[1].split("\n## ", 1)[0]
    named = {
        "broadsheet." + path.removeprefix("broadsheet/").removesuffix(".py").replace("/", ".")
        for path in re.findall(r"`(broadsheet/[a-z_/]+\.py)`: ", section)
    }
    assert named == set(ROOMS)
