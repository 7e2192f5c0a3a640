"""The streaming path: a generated 10,000-comment export, and flat memory."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import thread_inconsistencies
from broadsheet.importers.disqus import read_export
from broadsheet.importers.report import ImportReport
from broadsheet.importers.staging import Staging
from broadsheet.importers.testing import write_disqus_export


def _peak_reading(path: Path) -> int:
    report = ImportReport(source="disqus")
    with Staging() as staging:
        tracemalloc.start()
        try:
            read_export(path, staging, report)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.slow
def test_reading_holds_no_more_for_five_times_the_comments(tmp_path: Path) -> None:
    small = write_disqus_export(tmp_path / "small.xml", comments=1_000, threads=20)
    large = write_disqus_export(tmp_path / "large.xml", comments=5_000, threads=20)
    # A parser that kept the tree (or the comments) would hold five times as much.
    assert _peak_reading(large) < 2 * _peak_reading(small)


@pytest.mark.slow
@pytest.mark.django_db
def test_ten_thousand_comments_import_whole_and_consistent(
    tmp_path: Path, run_command: Callable[..., str]
) -> None:
    path = write_disqus_export(tmp_path / "export.xml", comments=10_000, threads=25)
    output = run_command("import_disqus", str(path))
    assert Comment.objects.count() == 10_000
    assert "orphans" not in output
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 10_000 // 97
    assert Comment.objects.filter(parent__isnull=False).count() > 3_000
    for thread in Thread.objects.filter(key__startswith="story-")[:5]:
        assert thread_inconsistencies(thread) == []
