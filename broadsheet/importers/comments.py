"""Writing imported discussions, one thread at a time, each thread atomic on its own.

Shared by every importer: a source lists threads and, per thread, its comments
(``staging.SourceThread`` / ``SourceComment``); this module matches each thread to a
discussion here, leaves out what an earlier run already brought in (``ImportedRecord``),
resolves parents, and hands the rest to ``discussion``'s own bulk write path
(``do_import_comments``), which keeps the tree, the counters and the votes exact.

A reply whose parent is neither in the export nor here is an orphan: it is kept, as a
top-level comment held for review (never shown at the top of a discussion it was not
written for without a person deciding), and listed in the report. An interrupted run
leaves whole threads behind it (committed in batches of threads, each thread in its own
savepoint); running it again carries on where it stopped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import replace
from typing import Protocol

from django.db import transaction

from broadsheet.core.clients import ip_hash
from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions import (
    ImportedComment,
    do_close_thread,
    do_import_comments,
    do_register_thread,
)
from broadsheet.discussion.deferred_indexes import indexes_deferred
from broadsheet.discussion.identity import SYSTEM
from broadsheet.discussion.models import Comment, Thread
from broadsheet.importers.matching import ThreadMatcher, ThreadTarget
from broadsheet.importers.models import ImportedRecord, ImportRun
from broadsheet.importers.record_writes import add_records, import_connection, recorded
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.report_labels import STATUS_WORDS
from broadsheet.importers.staging import SourceComment, SourceThread

ORPHAN_REASON = "Imported reply whose parent is missing from the export"
DELETED_THREAD_REASON = "Imported from a thread deleted at the source"


class CommentSource(Protocol):
    def threads(self) -> Iterable[SourceThread]: ...

    def comments_of(self, thread_id: str) -> list[SourceComment]: ...


def import_discussions(
    source_rows: CommentSource,
    *,
    source: str,
    matcher: ThreadMatcher,
    report: ImportReport,
    run: ImportRun | None = None,
    progress: Progress | None = None,
    total: int | None = None,
) -> None:
    """Import every thread of `source_rows` (dry run: count only, per report.dry_run).

    Threads are committed in batches of about BATCH_COMMENTS comments, each thread in
    its own savepoint inside the batch's transaction: a thread that fails leaves
    nothing of itself and the rest of the batch stands, and an interrupted run loses
    at most the batch in progress (its ImportedRecord rows with it), which a re-run
    writes again. Why batches: a commit writes every page the transaction touched to
    the write-ahead log, and a thread's comments touch a page of each index whose keys
    are scattered (address hashes, e-mails, source ids); one thread a commit wrote each
    such page once per thread, twenty times a comment, which was most of the time of an
    import into SQLite. A batch stays short (well under a second), so a live site's
    own writes wait for it no longer than for a busy moment."""
    progress = progress or Progress()
    if report.dry_run:
        _import_batches(source_rows, source, matcher, report, run, progress, total)
    else:
        # Three comment indexes on scattered keys built once at the end, when the
        # export is most of the table (discussion/deferred_indexes.py), after the
        # connection's large page cache is given back: building an index sorts in
        # memory up to the page cache's size, and both at once were 60 MB more.
        with indexes_deferred(incoming=total or 0), import_connection():
            _import_batches(source_rows, source, matcher, report, run, progress, total)
    progress.done()


def _import_batches(
    source_rows: CommentSource,
    source: str,
    matcher: ThreadMatcher,
    report: ImportReport,
    run: ImportRun | None,
    progress: Progress,
    total: int | None,
) -> None:
    done = 0
    for batch in _batches(source_rows):
        with nullcontext() if report.dry_run else transaction.atomic():
            known = _Known.of_batch(source, batch)
            for source_thread, comments in batch:
                if not comments:
                    report.count("threads without comments (nothing to import)")
                    continue
                _import_thread(
                    source_thread,
                    comments,
                    source=source,
                    matcher=matcher,
                    report=report,
                    run=run,
                    known=known,
                )
        done += sum(len(comments) for _, comments in batch)
        of = f" of {total:,}" if total else ""
        progress.show(f"{source}: {done:,}{of} comments done", done=done, total=total or 0)


BATCH_COMMENTS = 2_000


class _Known:
    """What earlier runs (and this batch's threads so far) recorded of one batch: two
    look-ups per batch instead of two per thread. Kept up to date as threads of the batch
    are written, so an id listed twice in the export is found the second time, as a
    look-up per thread found it."""

    def __init__(self, threads: dict[str, int], comments: dict[str, int]) -> None:
        self.threads = threads
        self.comments = comments

    @classmethod
    def of_batch(cls, source: str, batch: list[tuple[SourceThread, list[SourceComment]]]) -> _Known:
        thread_ids = [source_thread.source_id for source_thread, _ in batch]
        comment_ids = [c.source_id for _, comments in batch for c in comments]
        return cls(
            recorded(source, ImportedRecord.Kind.THREAD, thread_ids),
            recorded(source, ImportedRecord.Kind.COMMENT, comment_ids),
        )


def _batches(
    source_rows: CommentSource,
) -> Iterator[list[tuple[SourceThread, list[SourceComment]]]]:
    """Threads with their comments, grouped until a group holds BATCH_COMMENTS comments
    (a thread is never split: it is one savepoint)."""
    batch: list[tuple[SourceThread, list[SourceComment]]] = []
    size = 0
    for source_thread in source_rows.threads():
        comments = source_rows.comments_of(source_thread.source_id)
        batch.append((source_thread, comments))
        size += len(comments)
        if size >= BATCH_COMMENTS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _import_thread(
    source_thread: SourceThread,
    comments: list[SourceComment],
    *,
    source: str,
    matcher: ThreadMatcher,
    report: ImportReport,
    run: ImportRun | None,
    known: _Known,
) -> None:
    label = source_thread.link or source_thread.identifier or f"thread {source_thread.source_id}"
    known_thread = source_thread.source_id in known.threads
    target: ThreadTarget | None = None
    thread: Thread | None = None
    if known_thread:
        thread = Thread.objects.filter(pk=known.threads[source_thread.source_id]).first()
        if thread is None:
            report.note("threads removed here since an earlier import (left alone)", label)
            report.count("comments skipped: their thread was removed here", len(comments))
            return
        report.count("threads imported before")
    else:
        if not (source_thread.identifier or source_thread.link):
            report.note(
                "threads with no identifier and no address (kept as a discussion of their own)",
                f"{source} thread {source_thread.source_id}: {len(comments)} comments",
            )
            source_thread.identifier = f"{source}-thread-{source_thread.source_id}"
        target = matcher.match(
            identifier=source_thread.identifier, link=source_thread.link, title=source_thread.title
        )
        if target.how == "unmatched":
            report.note(
                "threads matching no page here (kept under their own key)",
                f"{label} -> key {target.key!r} ({len(comments)} comments)",
            )
        else:
            report.count(f"threads matched by {target.how}")
        if target.thread_id is not None:
            thread = Thread.objects.filter(pk=target.thread_id).first()
    if source_thread.is_deleted:
        report.note("threads deleted at the source (closed here, comments held)", label)

    already = {
        c.source_id: known.comments[c.source_id] for c in comments if c.source_id in known.comments
    }
    new: list[SourceComment] = []
    seen: set[str] = set()
    for c in comments:
        if c.source_id in seen:
            report.note("comments listed twice in the export (first kept)", c.source_id)
        elif c.source_id not in already:
            new.append(c)
        seen.add(c.source_id)
    report.count("comments imported before (left as they are)", len(already))
    if not new:
        return
    items = _items(new, already, source_thread, thread, report, label)
    created_count = len(items)
    if report.dry_run:
        report.count("comments created", created_count)
        if thread is None:
            report.count("threads created")
        return
    try:
        with transaction.atomic():  # the thread's savepoint in its batch's transaction
            created_here = thread is None
            if thread is None:
                assert target is not None
                thread = do_register_thread(key=target.key, title=target.title, url=target.url)
                matcher.remember(target, thread.pk)
                report.count("threads created")
            records = (
                []
                if known_thread
                else [(ImportedRecord.Kind.THREAD, source_thread.source_id, thread.pk)]
            )
            # A deleted thread made here is closed; a discussion that was already here
            # (an article's) is never closed by an import.
            if source_thread.is_deleted and created_here:
                thread = do_close_thread(
                    thread=thread, actor=SYSTEM, reason="Deleted at the source of an import"
                )
            made = do_import_comments(thread=thread, comments=items)
            records.extend(
                (ImportedRecord.Kind.COMMENT, ref, comment.pk) for ref, comment in made.items()
            )
            add_records(source, records, run)
    except ActionError as error:
        report.note("threads not imported (nothing of them written)", f"{label}: {error.message}")
        return
    known.threads[source_thread.source_id] = thread.pk
    known.comments.update((ref, comment.pk) for ref, comment in made.items())
    report.count("comments created", created_count)


def _items(
    new: list[SourceComment],
    already: dict[str, int],
    source_thread: SourceThread,
    thread: Thread | None,
    report: ImportReport,
    label: str,
) -> list[ImportedComment]:
    """The new comments as the discussion's bulk write takes them, parents resolved."""
    new_ids = {c.source_id for c in new}
    here: dict[int, int] = {}
    if thread is not None and already:
        wanted = {already[c.parent_id] for c in new if c.parent_id in already}
        here = dict(
            Comment.objects.filter(thread=thread, pk__in=wanted).values_list("pk", "thread_id")
        )
    items = []
    statuses: Counter[Comment.Status] = Counter()
    for c in new:
        status = Comment.Status(c.status)
        reason = ""
        parent_ref: str | None = None
        parent_id: int | None = None
        if c.parent_id and c.parent_id in new_ids and c.parent_id != c.source_id:
            parent_ref = c.parent_id
        elif c.parent_id and c.parent_id in already and already[c.parent_id] in here:
            parent_id = already[c.parent_id]
        elif c.parent_id:
            report.note(
                "orphans: replies whose parent is missing (kept, held for review)",
                f"comment {c.source_id} in {label} replies to missing {c.parent_id}",
            )
            if status == Comment.Status.APPROVED:
                status, reason = Comment.Status.PENDING, ORPHAN_REASON
        if source_thread.is_deleted and status == Comment.Status.APPROVED:
            status, reason = Comment.Status.PENDING, DELETED_THREAD_REASON
        statuses[status] += 1
        items.append(
            ImportedComment(
                ref=c.source_id,
                parent_ref=parent_ref,
                parent_id=parent_id,
                created_at=c.created_at,
                body_source=c.body,
                body_html=c.body_html,
                status=status,
                author_id=c.account_id,
                guest_name=("" if c.account_id else (c.name.strip() or "Anonymous")),
                guest_email=("" if c.account_id else c.email.strip()),
                guest_website=("" if c.account_id else c.website.strip()),
                ip_hash=ip_hash(c.ip) if c.ip else "",
                moderation_reason=reason,
                edited_at=c.edited_at,
                upvotes=c.upvotes,
                downvotes=c.downvotes,
            )
        )
    for status, number in statuses.items():
        report.count(f"comments {STATUS_WORDS[status]}", number)
    return _break_cycles(items, report, label)


def _break_cycles(
    items: list[ImportedComment], report: ImportReport, label: str
) -> list[ImportedComment]:
    """A damaged export can make two replies each other's parent: such a loop reaches
    no top-level comment, so its members become orphans."""
    by_ref = {item.ref: item for item in items}
    cut: set[str] = set()
    for item in items:
        seen = {item.ref}
        current = item
        while current.parent_ref is not None and current.parent_ref not in cut:
            current = by_ref[current.parent_ref]
            if current.ref in seen:
                cut.add(current.ref)
                break
            seen.add(current.ref)
    if not cut:
        return items
    fixed = []
    for item in items:
        if item.ref in cut:
            report.note(
                "orphans: replies whose parent is missing (kept, held for review)",
                f"comment {item.ref} in {label} is part of a reply loop",
            )
            status = item.status
            reason = item.moderation_reason
            if status == Comment.Status.APPROVED:
                status, reason = Comment.Status.PENDING, ORPHAN_REASON
            item = replace(item, parent_ref=None, status=status, moderation_reason=reason)
        fixed.append(item)
    return fixed
