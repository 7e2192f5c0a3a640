"""Scope versions: every process sees a bump at once, and lost versions never match."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from broadsheet.core.versions import SharedMemoryScopeVersions


def _bump_in_another_process(path: str, scope: str) -> None:
    SharedMemoryScopeVersions(Path(path)).bump([scope])


def test_a_bump_in_one_process_is_seen_by_another_at_once(tmp_path: Path) -> None:
    path = tmp_path / "versions"
    here = SharedMemoryScopeVersions(path)
    before = here.read(["thread:article-1", "listings"])
    worker = multiprocessing.get_context("spawn").Process(
        target=_bump_in_another_process, args=(str(path), "thread:article-1")
    )
    worker.start()
    worker.join(30)
    assert worker.exitcode == 0
    after = here.read(["thread:article-1", "listings"])
    assert after[0] != before[0]
    assert after[1] == before[1]


def test_a_new_versions_file_matches_no_version_read_before(tmp_path: Path) -> None:
    path = tmp_path / "versions"
    old = SharedMemoryScopeVersions(path).read(["site", "listings"])
    path.unlink()  # var/ lost it (a new machine, a wiped directory)
    assert set(SharedMemoryScopeVersions(path).read(["site", "listings"])).isdisjoint(old)


def test_a_versions_file_starts_random_not_zeroed(tmp_path: Path) -> None:
    store = SharedMemoryScopeVersions(tmp_path / "versions")
    store.read(["site"])
    content = (tmp_path / "versions").read_bytes()
    assert len(content) == store.SLOTS * store.WIDTH
    assert content.count(0) < len(content) // 100


def test_reset_gives_every_scope_a_new_version(tmp_path: Path) -> None:
    store = SharedMemoryScopeVersions(tmp_path / "versions")
    scopes = [f"thread:article-{n}" for n in range(50)]
    before = store.read(scopes)
    store.reset()
    assert all(old != new for old, new in zip(before, store.read(scopes), strict=True))


def test_a_request_reads_a_scope_version_once_and_keeps_it_to_its_end(db: None) -> None:
    from django.test import RequestFactory

    from broadsheet.core.versions import scope_versions, versions_for_request

    request = RequestFactory().get("/")
    first = versions_for_request(request, ["site"])
    assert first == scope_versions().read(["site"])
    scope_versions().bump(["site"])
    # The same request goes on with the version it first read; the next one sees the bump.
    assert versions_for_request(request, ["site"]) == first
    assert versions_for_request(RequestFactory().get("/"), ["site"]) != first
    # Without a request (a task, a command): always read afresh.
    assert versions_for_request(None, ["site"]) == scope_versions().read(["site"])
