"""The reader process (importers/reader.py, reading.py): the same rows as reading in
one process, the same refusals, rendering as the write path renders, no Django."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from broadsheet.discussion.formatting import render_markdown
from broadsheet.discussion.models import Comment
from broadsheet.importers import disqus
from broadsheet.importers.reading import ReaderFailed, read_in_reader_process
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import Staging
from broadsheet.importers.testing import write_disqus_export
from broadsheet.importers.xmlstream import MalformedExport

COLUMNS = "source_id, thread_id, parent_id, created_at, body, status, name, email, ip"


def _read(path: Path, *, in_process: bool) -> tuple[list[tuple[object, ...]], ImportReport]:
    report = ImportReport(source="disqus")
    with Staging() as staging:
        if in_process:
            disqus.read_export(path, staging, report)
        else:
            assert read_in_reader_process("disqus", path, staging, report, Progress())
        rows = staging.db.execute(
            f"SELECT {COLUMNS}, body_html FROM comments ORDER BY seq"  # noqa: S608
        ).fetchall()
        threads = staging.db.execute("SELECT * FROM threads ORDER BY seq").fetchall()
    return rows + threads, report


def test_the_reader_process_stages_what_reading_in_process_stages(tmp_path: Path) -> None:
    path = write_disqus_export(tmp_path / "export.xml", comments=2_500, threads=30)
    here, here_report = _read(path, in_process=True)
    there, there_report = _read(path, in_process=False)
    assert len(there) == 2_530
    # The same rows, and each body's HTML rendered as the discussion's write path would.
    assert [row[:-1] for row in there] == [row[:-1] for row in here]
    comments = [row for row in there if len(row) == 10]
    assert all(
        row[-1] == render_markdown(str(row[4])) for row in comments if row[5] != disqus.DELETED
    )
    assert there_report.as_dict() == here_report.as_dict()
    assert there_report.counts["comments read"] == 2_500


def test_a_malformed_export_is_refused_with_the_same_words(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text('<disqus xmlns:dsq="http://disqus.com/disqus-internals"><post>')
    with pytest.raises(MalformedExport) as in_process, Staging() as staging:
        disqus.read_export(path, staging, ImportReport(source="disqus"))
    with pytest.raises(MalformedExport) as there, Staging() as staging:
        read_in_reader_process("disqus", path, staging, ImportReport(source="disqus"), Progress())
    assert str(there.value) == str(in_process.value)
    assert "not well-formed" in str(there.value)


def test_the_reader_is_this_checkouts_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another `broadsheet` package in the working directory (an older checkout).
    (tmp_path / "broadsheet" / "importers").mkdir(parents=True)
    (tmp_path / "broadsheet" / "__init__.py").write_text("")
    (tmp_path / "broadsheet" / "importers" / "__init__.py").write_text("")
    write_disqus_export(tmp_path / "export.xml", comments=20, threads=2)
    monkeypatch.chdir(tmp_path)
    report = ImportReport(source="disqus")
    with Staging() as staging:
        assert read_in_reader_process("disqus", Path("export.xml"), staging, report, Progress())
        assert staging.comment_total == 20


def test_a_missing_export_is_an_os_error_as_in_process(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), Staging() as staging:
        read_in_reader_process(
            "disqus", tmp_path / "nowhere.xml", staging, ImportReport(source="disqus"), Progress()
        )


def test_a_reader_that_ends_without_its_report_fails_the_reading(tmp_path: Path) -> None:
    path = write_disqus_export(tmp_path / "export.xml", comments=10, threads=2)
    # A source the reader does not know: it says so on stderr and ends, sending nothing.
    with pytest.raises(ReaderFailed), Staging() as staging:
        read_in_reader_process("nosuch", path, staging, ImportReport(source="x"), Progress())


def test_the_reader_process_loads_no_django() -> None:
    code = (
        "import sys, broadsheet.importers.reader; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[3]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0


def test_disqus_statuses_are_the_comment_statuses() -> None:
    assert {disqus.APPROVED, disqus.SPAM, disqus.DELETED} <= set(Comment.Status.values)
    assert disqus.APPROVED == Comment.Status.APPROVED
    assert disqus.SPAM == Comment.Status.SPAM
    assert disqus.DELETED == Comment.Status.DELETED


@pytest.mark.django_db
def test_imported_comments_carry_the_html_their_markdown_renders_to(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    path = write_disqus_export(tmp_path / "export.xml", comments=300, threads=5)
    run_command("import_disqus", str(path))
    rows = list(Comment.objects.values_list("status", "body_source", "body_html"))
    assert len(rows) == 300
    for status, source, html in rows:
        assert html == (render_markdown(source) if status != Comment.Status.DELETED else "")
