"""Writing the site as JSON Lines (manage.py export_site), one record at a time.

Rows are read in chunks with ``iterator()`` and written as they come, so memory stays
flat at any size: one thread's comments (with their votes, reports and source ids) are
the most held at once. Order: accounts, then (with articles) images, authors, sections
and articles, then every thread followed by its comments (parents before replies),
then subscriptions, sanctions and articles' reactions, then the end line.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from broadsheet.accounts.models import Profile
from broadsheet.articles.models import ArticlePage, ArticleReaction
from broadsheet.discussion.models import Comment, CommentVote, Thread, path_ids
from broadsheet.importers.export import articles as article_records
from broadsheet.importers.export.records import dumps, header, when
from broadsheet.importers.models import ImportedRecord
from broadsheet.moderation.models import Report, Sanction
from broadsheet.notifications.models import Subscription

_CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def write_site(out: TextIO, *, articles: bool = False) -> Counter[str]:
    """Write the whole site to `out`; returns how many records of each type."""
    counts: Counter[str] = Counter()

    def emit(records: Iterable[dict[str, Any]]) -> None:
        for record in records:
            out.write(dumps(record))
            counts[record["type"]] += 1

    out.write(dumps(header(articles=articles)))
    emit(account_records())
    if articles:
        emit(article_records.records())
    emit(thread_records())
    emit(subscription_records())
    emit(sanction_records())
    emit(reaction_records())
    out.write(dumps({"type": "end", "counts": dict(sorted(counts.items()))}))
    return counts


def _sources(kind: str, ids: list[int]) -> dict[int, list[list[str]]]:
    """Where rows came from (an import's source ids), per row id."""
    found: dict[int, list[list[str]]] = defaultdict(list)
    for chunk in _chunks(ids):
        rows = (
            ImportedRecord.objects.filter(kind=kind, target_id__in=chunk)
            .order_by("source", "source_id")
            .values_list("target_id", "source", "source_id")
        )
        for target, source, source_id in rows:
            found[target].append([source, source_id])
    return found


def account_records() -> Iterator[dict[str, Any]]:
    User = get_user_model()
    users = User.objects.order_by("pk")
    for chunk_start in range(0, users.count(), _CHUNK):
        batch = list(users[chunk_start : chunk_start + _CHUNK])
        ids = [user.pk for user in batch]
        profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=ids)}
        addresses: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for address in EmailAddress.objects.filter(user_id__in=ids).order_by("pk"):
            addresses[address.user_id].append(
                {"email": address.email, "verified": address.verified, "primary": address.primary}
            )
        for user in batch:
            profile = profiles.get(user.pk)
            yield {
                "type": "account",
                "id": user.pk,
                "username": user.get_username(),
                "email": user.email,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "is_active": user.is_active,
                "date_joined": when(user.date_joined),
                "display_name": profile.display_name if profile else "",
                "bio": profile.bio if profile else "",
                "addresses": addresses[user.pk],
            }


def _article_of(key: str) -> int | None:
    prefix, _, number = key.partition("-")
    return int(number) if prefix == "article" and number.isdigit() else None


def thread_records() -> Iterator[dict[str, Any]]:
    articles = set(ArticlePage.objects.values_list("pk", flat=True))
    for thread in Thread.objects.order_by("created_at", "pk").iterator(chunk_size=500):
        article = _article_of(thread.key)
        yield {
            "type": "thread",
            "id": thread.pk,
            "key": thread.key,
            "title": thread.title,
            "url": thread.url,
            "is_closed": thread.is_closed,
            "created_at": when(thread.created_at),
            "last_comment_at": when(thread.last_comment_at),
            "comment_count": thread.comment_count,
            "article": article if article in articles else None,
            "sources": _sources(ImportedRecord.Kind.THREAD, [thread.pk]).get(thread.pk, []),
        }
        yield from comment_records(thread)


def comment_records(thread: Thread) -> Iterator[dict[str, Any]]:
    comments = list(Comment.objects.filter(thread=thread).order_by("created_at", "pk"))
    ids = [comment.pk for comment in comments]
    votes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    reports: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(ids):
        for vote in CommentVote.objects.filter(comment_id__in=chunk).order_by("voter_key"):
            votes[vote.comment_id].append(
                {
                    "voter": vote.voter_key,
                    "value": vote.value,
                    "ip_hash": vote.ip_hash,
                    "created_at": when(vote.created_at),
                }
            )
        for report in Report.objects.filter(comment_id__in=chunk).order_by("reporter_key"):
            reports[report.comment_id].append(
                {
                    "reporter": report.reporter_key,
                    "reason": report.reason,
                    "note": report.note,
                    "ip_hash": report.ip_hash,
                    "created_at": when(report.created_at),
                    "resolved_at": when(report.resolved_at),
                }
            )
    sources = _sources(ImportedRecord.Kind.COMMENT, ids)
    # Parents first whatever the dates say (an import may date a reply before its
    # parent): depth, then date.
    for comment in sorted(comments, key=lambda c: (c.depth, c.created_at, c.pk)):
        yield {
            "type": "comment",
            "id": comment.pk,
            "thread": thread.pk,
            "parent": comment.parent_id,
            "root": comment.root_id,
            "depth": comment.depth,
            "path": path_ids(comment.path),
            "author": comment.author_id,
            "guest_name": comment.guest_name,
            "guest_email": comment.guest_email,
            "guest_website": comment.guest_website,
            "guest_reader_id": comment.guest_reader_id,
            "body_source": comment.body_source,
            "body_html": comment.body_html,
            "status": comment.status,
            "created_at": when(comment.created_at),
            "edited_at": when(comment.edited_at),
            "reply_count": comment.reply_count,
            "upvotes": comment.upvotes,
            "downvotes": comment.downvotes,
            "score": comment.score,
            "ip_hash": comment.ip_hash,
            "is_featured": comment.is_featured,
            "featured_at": when(comment.featured_at),
            "moderation_reason": comment.moderation_reason,
            "report_count": comment.report_count,
            "anchor_kind": comment.anchor_kind,
            "anchor_block_id": comment.anchor_block_id,
            "anchor_quote": comment.anchor_quote,
            "anchor_start": comment.anchor_start,
            "anchor_end": comment.anchor_end,
            "anchor_revision": comment.anchor_revision,
            "votes": votes[comment.pk],
            "reports": reports[comment.pk],
            "sources": sources.get(comment.pk, []),
        }


def subscription_records() -> Iterator[dict[str, Any]]:
    rows = Subscription.objects.order_by("created_at", "pk")
    for sub in rows.iterator(chunk_size=1000):
        yield {
            "type": "subscription",
            "id": sub.pk,
            "thread": sub.thread_id,
            "user": sub.user_id,
            "email": sub.email,
            "kind": sub.kind,
            "status": sub.status,
            "confirmed_at": when(sub.confirmed_at),
            "cancelled_at": when(sub.cancelled_at),
            "next_send_at": when(sub.next_send_at),
            "created_at": when(sub.created_at),
            "updated_at": when(sub.updated_at),
        }


def sanction_records() -> Iterator[dict[str, Any]]:
    for sanction in Sanction.objects.order_by("created_at", "pk").iterator(chunk_size=1000):
        yield {
            "type": "sanction",
            "id": sanction.pk,
            "kind": sanction.kind,
            "user": sanction.user_id,
            "email_hash": sanction.email_hash,
            "ip_hash": sanction.ip_hash,
            "until": when(sanction.until),
            "reason": sanction.reason,
            "created_by": sanction.created_by_id,
            "created_at": when(sanction.created_at),
            "lifted_at": when(sanction.lifted_at),
        }


def reaction_records() -> Iterator[dict[str, Any]]:
    """Readers' reactions, one record per article: the article by id (remapped when
    articles travel in the same file) and by its discussion's key and address."""
    article_ids = (
        ArticleReaction.objects.order_by("article_id").values_list("article_id", flat=True)
    ).distinct()
    for article_id in article_ids.iterator():
        page = ArticlePage.objects.filter(pk=article_id).first()
        reactions = ArticleReaction.objects.filter(article_id=article_id).order_by("voter_key")
        yield {
            "type": "reactions",
            "article": article_id,
            "thread_key": f"article-{article_id}",
            "url": (page.get_url() or "") if page else "",
            "reactions": [
                {
                    "voter": reaction.voter_key,
                    "value": reaction.value,
                    "ip_hash": reaction.ip_hash,
                    "created_at": when(reaction.created_at),
                }
                for reaction in reactions
            ],
        }
