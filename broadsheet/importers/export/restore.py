"""Reading Broadsheet's own JSON Lines export back (manage.py import_site).

Two passes over the file, both streaming. The first checks it whole (every line JSON,
the header's format and version, every record's type, the end line and its counts)
and refuses a damaged or cut file before anything is written. The second writes, record
by record, through the write paths of each app (accounts, discussion's
``do_import_thread`` / ``do_import_comments``, moderation, notifications, articles),
one thread with its comments per transaction.

Every row the restore makes is recorded (``ImportedRecord``, source ``site``) under
``<origin>:<id>``, the exporting site's fingerprint and the row's id there, so running
the file again changes nothing, a newer export of the same site adds only what is new,
and what readers wrote here since is never touched. The source ids a row carried from
earlier imports (Disqus, WordPress, Isso) come along too: importing the old Disqus file
afterwards finds those comments already here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction

from broadsheet.accounts.importing import ImportedAccount, ImportedAddress, do_import_account
from broadsheet.articles.importing import ImportedReaction, do_import_reactions
from broadsheet.articles.models import ArticlePage
from broadsheet.core.errors import ActionError
from broadsheet.discussion.actions import (
    ImportedComment,
    ImportedVote,
    do_import_comments,
    do_import_thread,
)
from broadsheet.discussion.models import Comment, Thread
from broadsheet.importers.comments import ORPHAN_REASON
from broadsheet.importers.export.records import FORMAT, RECORD_TYPES, SOURCE, VERSION, parse_when
from broadsheet.importers.export.restore_articles import ArticleRestore
from broadsheet.importers.matching import ThreadMatcher
from broadsheet.importers.models import ImportedRecord, ImportRun
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.report_labels import STATUS_WORDS
from broadsheet.moderation.importing import (
    ImportedReport,
    ImportedSanction,
    do_import_reports,
    do_import_sanction,
)
from broadsheet.notifications.importing import ImportedSubscription, do_import_subscription

_CHUNK = 900


class BadExport(Exception):
    """The file is not a whole export this version can read (nothing was written)."""


def _lines(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise BadExport(
                    f"{Path(path).name}, line {number}: not JSON ({error.msg}, column "
                    f"{error.colno}). Nothing was imported."
                ) from None
            if not isinstance(record, dict):
                raise BadExport(f"{Path(path).name}, line {number}: not a JSON object.")
            yield number, record


def check_export(path: str | Path) -> dict[str, Any]:
    """The first pass: the header, when the whole file is sound; raises BadExport."""
    name = Path(path).name
    header: dict[str, Any] | None = None
    counts: dict[str, int] = {}
    end: dict[str, Any] | None = None
    thread: Any = None  # comments follow their thread's line
    for number, record in _lines(path):
        if header is None:
            if record.get("format") != FORMAT:
                raise BadExport(f"{name} is not a Broadsheet site export (no {FORMAT} header).")
            if not isinstance(record.get("version"), int) or record["version"] > VERSION:
                raise BadExport(
                    f"{name} is format version {record.get('version')!r}; this Broadsheet "
                    f"reads versions up to {VERSION}. Nothing was imported."
                )
            if not isinstance(record.get("origin"), str) or not record["origin"]:
                raise BadExport(f"{name}, line {number}: the header names no origin.")
            header = record
            continue
        if end is not None:
            raise BadExport(f"{name}, line {number}: a record after the end line.")
        kind = record.get("type")
        if kind not in RECORD_TYPES:
            raise BadExport(f"{name}, line {number}: unknown record type {kind!r}.")
        if kind == "end":
            end = record
            continue
        if kind == "thread":
            thread = record.get("id")
        elif kind == "comment" and (thread is None or record.get("thread") != thread):
            raise BadExport(f"{name}, line {number}: a comment away from its thread.")
        elif kind != "comment":
            thread = None
        counts[kind] = counts.get(kind, 0) + 1
    if header is None:
        raise BadExport(f"{name} is empty.")
    if end is None:
        raise BadExport(f"{name} ends before its end line: a cut file. Nothing was imported.")
    if end.get("counts") != counts:
        raise BadExport(
            f"{name}: the end line counts {end.get('counts')!r} but the file holds {counts!r}."
        )
    return header


def _date(record: dict[str, Any], field: str) -> Any:
    return parse_when(record.get(field), field)


class SiteRestore:
    def __init__(
        self,
        *,
        header: dict[str, Any],
        report: ImportReport,
        run: ImportRun | None,
        progress: Progress | None = None,
    ) -> None:
        self.origin = header["origin"]
        self.report = report
        self.run = run
        self.dry_run = report.dry_run
        self.progress = progress or Progress()
        self.accounts: dict[int, int] = {}
        self.threads: dict[int, int] = {}
        self.matcher = ThreadMatcher()
        self.articles = ArticleRestore(self)
        self.comments_read = 0

    # --- records ----------------------------------------------------------------

    def ref(self, origin_id: object) -> str:
        return f"{self.origin}:{origin_id}"

    def known(self, kind: str, origin_ids: list[Any]) -> dict[str, int]:
        refs = [self.ref(i) for i in origin_ids]
        found: dict[str, int] = {}
        for start in range(0, len(refs), _CHUNK):
            found.update(
                ImportedRecord.objects.filter(
                    source=SOURCE, kind=kind, source_id__in=refs[start : start + _CHUNK]
                ).values_list("source_id", "target_id")
            )
        return found

    def remember(self, kind: str, origin_id: object, target_id: int, sources: Any = ()) -> None:
        """The restore's own record, and the source ids the row carried from earlier
        imports (left alone when this site has them already)."""
        ImportedRecord.objects.bulk_create(
            self.records_of(kind, origin_id, target_id, sources), ignore_conflicts=True
        )

    def records_of(
        self, kind: str, origin_id: object, target_id: int, sources: Any = ()
    ) -> list[ImportedRecord]:
        rows = [
            ImportedRecord(
                source=SOURCE,
                kind=kind,
                source_id=self.ref(origin_id),
                target_id=target_id,
                run=self.run,
            )
        ]
        rows += [
            ImportedRecord(
                source=str(source)[:20],
                kind=kind,
                source_id=str(source_id)[:200],
                target_id=target_id,
                run=self.run,
            )
            for source, source_id in sources
            if source != SOURCE or not str(source_id).startswith(f"{self.origin}:")
        ]
        return rows

    def account(self, origin_id: Any) -> int | None:
        if origin_id is None:
            return None
        found = self.accounts.get(origin_id)
        if found is None:
            self.report.note("references to accounts not in the file (left empty)", str(origin_id))
        return found

    def voter(self, key: str) -> str:
        """Voter and reporter keys name accounts by id: the exporting site's ids become
        this site's. A reader's cookie key (r:) and an imported vote (i:) stay."""
        if key.startswith("u:") and key[2:].isdigit():
            mapped = self.accounts.get(int(key[2:]))
            # Never u:<an unrelated account here>: an unknown account's vote is kept
            # as an anonymous imported one.
            return f"u:{mapped}" if mapped is not None else f"i:{self.origin}:{key}"
        return key

    # --- the second pass -------------------------------------------------------------

    def restore(self, path: str | Path) -> None:
        thread: dict[str, Any] | None = None
        comments: list[dict[str, Any]] = []
        for number, record in _lines(path):
            kind = record.get("type")
            if kind is None or kind == "end":
                continue
            if kind == "comment":
                comments.append(record)
                continue
            if thread is not None:
                self._guarded(number, "thread", self._thread, thread, comments)
                thread, comments = None, []
            if kind == "thread":
                thread = record
                continue
            handler = getattr(self, f"_{kind}", None) or getattr(self.articles, kind)
            self._guarded(number, kind, handler, record)
        if thread is not None:
            self._guarded(0, "thread", self._thread, thread, comments)
        self.progress.done()

    def _guarded(self, number: int, kind: str, handler: Any, *args: Any) -> None:
        try:
            handler(*args)
        except (KeyError, TypeError, ValueError, ActionError) as error:
            what = error.message if isinstance(error, ActionError) else repr(error)
            where = f"line {number}" if number else "last thread"
            self.report.note("records skipped for a bad value", f"{kind} at {where}: {what}")

    def _account(self, record: dict[str, Any]) -> None:
        self.report.count("accounts read")
        if self.dry_run:
            return
        user, made = do_import_account(
            account=ImportedAccount(
                username=record["username"],
                email=record["email"],
                date_joined=_date(record, "date_joined"),
                is_active=bool(record["is_active"]),
                first_name=record["first_name"],
                last_name=record["last_name"],
                display_name=record["display_name"],
                bio=record["bio"],
                addresses=tuple(
                    ImportedAddress(
                        email=a["email"], verified=bool(a["verified"]), primary=bool(a["primary"])
                    )
                    for a in record["addresses"]
                ),
            )
        )
        self.accounts[record["id"]] = user.pk
        self.report.count("accounts created" if made else "accounts matched here")

    # --- threads and comments ------------------------------------------------------

    def _thread_target(self, record: dict[str, Any]) -> tuple[str, str, str]:
        """The key, title and address here of a thread of the file."""
        key, title, url = record["key"], record["title"], record["url"]
        origin_article = record.get("article")
        if origin_article is None:
            return key, title, url
        article = self.articles.article_here(origin_article)
        if article is not None:
            self.report.count("threads of articles in the file")
            return article.thread_key, article.title, article.get_url() or ""
        # Another site's article-<id> names an unrelated article here: match the
        # address instead, and keep an unmatched discussion under its own key.
        target = self.matcher.match(identifier="", link=url, title=title)
        if target.how != "unmatched":
            self.report.count(f"threads of articles matched by {target.how}")
            return target.key, target.title, target.url
        self.report.note(
            "threads of articles not here (kept as discussions of their own)", f"{key} {url}"
        )
        return f"{key}@{self.origin}", title, url

    def _thread(self, record: dict[str, Any], comments: list[dict[str, Any]]) -> None:
        self.report.count("threads read")
        self.report.count("comments read", len(comments))
        known = self.known(ImportedRecord.Kind.THREAD, [record["id"]])
        thread: Thread | None = None
        if known:
            thread = Thread.objects.filter(pk=next(iter(known.values()))).first()
            if thread is None:
                self.report.note(
                    "threads removed here since an earlier import (left alone)", record["key"]
                )
                return
            self.report.count("threads imported before")
        else:
            key, title, url = self._thread_target(record)
        if thread is None and self.dry_run:
            here = Thread.objects.filter(key=key).exists()
            self.report.count("threads matched here" if here else "threads created")
        already = self._already(comments)
        new = [c for c in comments if self.ref(c["id"]) not in already]
        self.report.count("comments imported before (left as they are)", len(comments) - len(new))
        if self.dry_run:
            self.report.count("comments created", len(new))
            return
        with transaction.atomic():
            if thread is None:
                thread, made = do_import_thread(
                    key=key,
                    title=title,
                    url=url,
                    created_at=_date(record, "created_at"),
                    is_closed=bool(record["is_closed"]),
                    last_comment_at=_date(record, "last_comment_at"),
                )
                self.report.count("threads created" if made else "threads matched here")
                self.remember(
                    ImportedRecord.Kind.THREAD, record["id"], thread.pk, record["sources"]
                )
            self.threads[record["id"]] = thread.pk
            if new:
                self._comments(thread, new, already)
        self.progress.show(f"site: {self.report.counts['comments read']:,} comments read")

    def _already(self, comments: list[dict[str, Any]]) -> dict[str, int]:
        """Comments of the file here already: restored before, or brought in by an
        import of the same source row (an old Disqus file run here too)."""
        already = self.known(ImportedRecord.Kind.COMMENT, [c["id"] for c in comments])
        wanted: dict[str, dict[str, str]] = {}  # source -> source id -> ref in the file
        for comment in comments:
            ref = self.ref(comment["id"])
            if ref not in already:
                for source, source_id in comment.get("sources", []):
                    if source != SOURCE:
                        wanted.setdefault(source, {}).setdefault(source_id, ref)
        for source, refs in wanted.items():
            ids = list(refs)
            for start in range(0, len(ids), _CHUNK):
                rows = ImportedRecord.objects.filter(
                    source=source,
                    kind=ImportedRecord.Kind.COMMENT,
                    source_id__in=ids[start : start + _CHUNK],
                ).values_list("source_id", "target_id")
                for source_id, target in rows:
                    already.setdefault(refs[source_id], target)
        return already

    def _comments(self, thread: Thread, new: list[dict[str, Any]], already: dict[str, int]) -> None:
        new_ids = {c["id"] for c in new}
        here = set(
            Comment.objects.filter(thread=thread, pk__in=list(already.values())).values_list(
                "pk", flat=True
            )
        )
        items = []
        for c in new:
            parent = c["parent"]
            parent_ref: str | None = None
            parent_id: int | None = None
            status = Comment.Status(c["status"])
            reason = c["moderation_reason"]
            if parent is not None and parent in new_ids:
                parent_ref = str(parent)
            elif parent is not None and already.get(self.ref(parent)) in here:
                parent_id = already[self.ref(parent)]
            elif parent is not None:
                self.report.note(
                    "orphans: replies whose parent is missing (kept, held for review)",
                    f"comment {c['id']} of thread {thread.key} replies to missing {parent}",
                )
                if status == Comment.Status.APPROVED:
                    status, reason = Comment.Status.PENDING, ORPHAN_REASON
            votes = tuple(
                ImportedVote(
                    voter_key=self.voter(v["voter"]),
                    value=int(v["value"]),
                    created_at=_date(v, "created_at"),
                    ip_hash=v["ip_hash"],
                )
                for v in c["votes"]
            )
            items.append(
                ImportedComment(
                    ref=str(c["id"]),
                    parent_ref=parent_ref,
                    parent_id=parent_id,
                    created_at=_date(c, "created_at"),
                    edited_at=_date(c, "edited_at"),
                    body_source=c["body_source"],
                    status=status,
                    author_id=self.account(c["author"]),
                    guest_name=c["guest_name"],
                    guest_email=c["guest_email"],
                    guest_website=c["guest_website"],
                    guest_reader_id=c["guest_reader_id"],
                    ip_hash=c["ip_hash"],
                    moderation_reason=reason,
                    upvotes=sum(1 for v in votes if v.value == 1),
                    downvotes=sum(1 for v in votes if v.value == -1),
                    votes=votes,
                    is_featured=bool(c["is_featured"]),
                    featured_at=_date(c, "featured_at"),
                    report_count=int(c["report_count"]),
                    anchor_kind=c["anchor_kind"],
                    anchor_block_id=c["anchor_block_id"],
                    anchor_quote=c["anchor_quote"],
                    anchor_start=c["anchor_start"],
                    anchor_end=c["anchor_end"],
                    anchor_revision=c["anchor_revision"],
                )
            )
            self.report.count(f"comments {STATUS_WORDS[status]}")
        placed = do_import_comments(thread=thread, comments=items)
        records: list[ImportedRecord] = []
        for c in new:
            where = placed[str(c["id"])]
            records += self.records_of(ImportedRecord.Kind.COMMENT, c["id"], where.pk, c["sources"])
            if c["reports"]:
                added = do_import_reports(
                    comment_id=where.pk,
                    reports=[
                        ImportedReport(
                            reporter_key=self.voter(r["reporter"]),
                            reason=r["reason"],
                            note=r["note"],
                            ip_hash=r["ip_hash"],
                            created_at=_date(r, "created_at"),
                            resolved_at=_date(r, "resolved_at"),
                        )
                        for r in c["reports"]
                    ],
                )
                self.report.count("reports created", added)
        ImportedRecord.objects.bulk_create(records, batch_size=1000, ignore_conflicts=True)
        self.report.count("comments created", len(new))

    # --- the rest ----------------------------------------------------------------

    def _subscription(self, record: dict[str, Any]) -> None:
        self.report.count("subscriptions read")
        thread_id = None
        if record["thread"] is not None:
            thread_id = self.threads.get(record["thread"])
            if thread_id is None:
                self.report.note("subscriptions to threads not imported (skipped)", record["email"])
                return
        if self.dry_run:
            return
        made = do_import_subscription(
            subscription=ImportedSubscription(
                email=record["email"],
                kind=record["kind"],
                status=record["status"],
                thread_id=thread_id,
                user_id=self.account(record["user"]),
                confirmed_at=_date(record, "confirmed_at"),
                cancelled_at=_date(record, "cancelled_at"),
                next_send_at=_date(record, "next_send_at"),
                created_at=_date(record, "created_at"),
                updated_at=_date(record, "updated_at"),
            )
        )
        self.report.count("subscriptions created" if made else "subscriptions here already")

    def _sanction(self, record: dict[str, Any]) -> None:
        self.report.count("sanctions read")
        if self.dry_run:
            return
        made = do_import_sanction(
            sanction=ImportedSanction(
                kind=record["kind"],
                user_id=self.account(record["user"]),
                email_hash=record["email_hash"],
                ip_hash=record["ip_hash"],
                until=_date(record, "until"),
                reason=record["reason"],
                created_by_id=self.account(record["created_by"]),
                created_at=_date(record, "created_at"),
                lifted_at=_date(record, "lifted_at"),
            )
        )
        self.report.count("sanctions created" if made else "sanctions here already")

    def _reactions(self, record: dict[str, Any]) -> None:
        self.report.count("reactions read", len(record["reactions"]))
        article = self.articles.article_here(record["article"])
        if article is None:
            target = self.matcher.match(identifier="", link=record["url"], title="")
            number = target.key.removeprefix("article-")
            if target.how != "unmatched" and number.isdigit():
                article = ArticlePage.objects.filter(pk=int(number)).first()
        if article is None:
            self.report.note(
                "reactions to articles not here (skipped)",
                f"{record['thread_key']} {record['url']}: {len(record['reactions'])}",
            )
            return
        if self.dry_run:
            return
        added = do_import_reactions(
            article=article,
            reactions=[
                ImportedReaction(
                    voter_key=self.voter(r["voter"]),
                    value=int(r["value"]),
                    ip_hash=r["ip_hash"],
                    created_at=_date(r, "created_at"),
                )
                for r in record["reactions"]
            ],
        )
        if added:
            self.report.count("reactions created", added)
        if added < len(record["reactions"]):
            self.report.count("reactions here already", len(record["reactions"]) - added)
