"""Demo discussions under the demo articles, from the comment bank in
demo_data/comments.json (written for this demo; several languages, Arabic included).

Most articles get 0–80 comments; the long-form flood-plain story gets a 2,000+ comment
discussion nested five levels deep, to show paging at size. Idempotent: threads that
already have comments are left alone. Takes a few seconds.
"""

from __future__ import annotations

import json
import random
import zlib
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from broadsheet.articles.demo import DEMO_DATA
from broadsheet.articles.discussion_policy import anchor_texts
from broadsheet.articles.models import ArticlePage, ArticleReaction, ArticleReactionTally
from broadsheet.core.errors import ActionError
from broadsheet.core.pagecache import bump
from broadsheet.discussion.actions import (
    NewComment,
    do_cast_vote,
    do_post_comment,
    do_register_thread,
)
from broadsheet.discussion.anchors import Anchor
from broadsheet.discussion.demo import backdate_comments, seed_thread
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.moderation.demo import seed_moderation_queue

BIG_DISCUSSION_SLUG = "room-for-the-river-calloway-learning-to-live-with-floods"
BIG_DISCUSSION_SIZE = 2_200
DEMO_READERS = 15


def load_comment_bank() -> dict[str, Any]:
    return json.loads((DEMO_DATA / "comments.json").read_text(encoding="utf-8"))


def ensure_demo_readers(bank: dict[str, Any], count: int = DEMO_READERS) -> list[Any]:
    """Reader accounts named after the bank's "account" commenters (no usable password)."""
    user_model = get_user_model()
    names = [c["name"] for c in bank.get("commenters", []) if c.get("kind") == "account"][:count]
    readers = []
    for index, name in enumerate(names):
        username = (slugify(name) or f"reader-{index}")[:140]
        first, _, last = name.partition(" ")
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username, first_name=first[:150], last_name=last[:150])
            user.set_unusable_password()
            user.save()
        readers.append(user)
    return readers


def article_kind(article: ArticlePage) -> str:
    """ "opinion" for the Opinion section's columns, "news" for everything else (reports,
    reviews, analysis): what the bank's "fits" names."""
    parent = article.get_parent()
    return "opinion" if parent is not None and parent.slug == "opinion" else "news"


def is_public_affairs(article: ArticlePage) -> bool:
    """Politics, economy, world and opinion, and culture stories about public money: where
    the bank's general comments (budgets, councils, voters) make sense."""
    parent = article.get_parent()
    return parent is None or parent.slug != "culture" or "budget" in _tags(article)


def _tags(article: ArticlePage) -> set[str]:
    return {tag.name for tag in article.tags.all()}


def fits(entry: dict[str, Any], *, kind: str, tags: set[str], public_affairs: bool) -> bool:
    """Whether a bank entry reads right under an article: no "the columnist" under a
    report nor "the reporter" under a column; a topical remark only under its topics;
    a general remark on public life only under public affairs; "any" anywhere."""
    if entry.get("fits", kind) != kind:
        return False
    topics = set(entry.get("topics", []))
    if "any" in topics:
        return True
    if topics:
        return bool(topics & tags)
    return public_affairs


def bank_for(article: ArticlePage, bank: dict[str, Any]) -> dict[str, Any]:
    """The part of the comment bank that fits `article` (see `fits`)."""
    kind, tags, public = article_kind(article), _tags(article), is_public_affairs(article)

    def keep(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [e for e in entries if fits(e, kind=kind, tags=tags, public_affairs=public)]

    return {
        "commenters": bank.get("commenters", []),
        "comments": keep(bank.get("comments", [])),
        "replies": keep(bank.get("replies", [])),
    }


def _big_article(articles: list[ArticlePage]) -> ArticlePage | None:
    for article in articles:
        if article.slug == BIG_DISCUSSION_SLUG:
            return article
    # Otherwise the long-form piece: the one with the longest body.
    return max(articles, key=lambda a: len(str(a.body.raw_data)), default=None)


def load_demo_discussions() -> str:
    bank = load_comment_bank()
    readers = ensure_demo_readers(bank)
    articles = list(ArticlePage.objects.live().public().order_by("-first_published_at"))
    big = _big_article(articles)
    threads = comments = 0
    now = timezone.now()
    counted = dict(
        Thread.objects.filter(key__startswith="article-")
        .annotate(n=Count("comments"))
        .values_list("key", "n")
    )
    for article in articles:
        key = f"article-{article.pk}"
        thread = do_register_thread(key=key, title=article.title, url=article.get_url() or "")
        if counted.get(key):
            continue
        rng = random.Random(zlib.crc32(article.slug.encode()))
        is_big = big is not None and article.pk == big.pk
        fitting = bank_for(article, bank)
        count = BIG_DISCUSSION_SIZE if is_big else rng.choice([0, *range(3, 81)])
        if not is_big:  # no text twice in an ordinary thread
            count = min(count, len(fitting["comments"]) + len(fitting["replies"]))
        comments += seed_thread(
            thread,
            count=count,
            max_depth=5 if is_big else rng.randint(2, 4),
            rng=rng,
            bank=fitting,
            users=readers,
            start=max(article.first_published_at, now - timedelta(days=60)),
            end=now,
        )
        threads += 1
    inline = seed_inline_feedback(articles, bank, readers)
    reactions = seed_reactions(articles, readers)
    big_title = f" (largest: “{big.title}”)" if big is not None else ""
    return (
        f"Demo discussions: {comments} comments in {threads} new threads "
        f"({inline} on passages), {reactions} article votes, "
        f"{len(readers)} reader accounts{big_title}. {seed_moderation_queue()}"
    )


# Inline feedback in the demo: each feedback point gets one comment on it, often
# answered (replies do not repeat the passage); a few sentences are quoted, never the
# same one twice.
POINT_REPLIES = (0, 1, 1, 2)
QUOTES_PER_ARTICLE = 2


def seed_inline_feedback(
    articles: list[ArticlePage], bank: dict[str, Any], readers: list[Any]
) -> int:
    """Comments on the feedback points of the articles that have some, and quotes of some
    of their sentences, posted through do_post_comment (inline feedback), answered and
    voted on by other readers, then dated after the article's publication. Idempotent: a
    thread that already has anchored comments is left alone."""
    if not readers:
        return 0
    posted = 0
    now = timezone.now()
    for article in articles:
        fitting = bank_for(article, bank)
        bodies = [c["body"] for c in fitting["comments"] if c.get("lang") == "en"]
        answers = [c["body"] for c in fitting["replies"] if c.get("lang") == "en"]
        thread = do_register_thread(
            key=f"article-{article.pk}", title=article.title, url=article.get_url() or ""
        )
        texts = anchor_texts(thread)
        done = Comment.objects.filter(thread=thread).exclude(anchor_kind="").exists()
        if not texts.points or done:
            continue
        rng = random.Random(zlib.crc32(f"inline-{article.slug}".encode()))
        wanted = [Anchor(kind="point", block_id=block_id) for block_id in texts.points]
        sentences = {
            block_id: text.split(". ")[0].strip()
            for block_id, text in texts.items()
            if block_id not in texts.points
        }
        quotable = [(b, q) for b, q in sentences.items() if 30 <= len(q) <= 300]
        for block_id, sentence in rng.sample(quotable, min(QUOTES_PER_ARTICLE, len(quotable))):
            wanted.append(Anchor(kind="quote", block_id=block_id, quote=sentence))
        ids: list[int] = []
        for anchor in wanted:
            talking = rng.sample(readers, min(len(readers), 4))
            body = rng.choice(bodies) if bodies else ""
            first = _post_demo(thread, talking[0], body, anchor, texts)
            conversation = [first] if first is not None else []
            for who in talking[1 : 1 + rng.choice(POINT_REPLIES)] if answers else []:
                if not conversation or conversation[-1].status != Comment.Status.APPROVED:
                    break  # held by a rule: nobody answers it
                answer = rng.choice(answers)
                reply = _post_demo(thread, who, answer, None, texts, parent=conversation[-1])
                conversation += [reply] if reply is not None else []
            _vote_demo(conversation, readers, rng)
            ids += [comment.pk for comment in conversation]
        start = max(article.first_published_at, now - timedelta(days=60))
        backdate_comments(ids, start=start, end=now, rng=rng)
        posted += len(ids)
    return posted


def _post_demo(
    thread: Thread,
    reader: Any,
    body: str,
    anchor: Anchor | None,
    texts: Any,
    *,
    parent: Comment | None = None,
) -> Comment | None:
    try:
        return do_post_comment(
            actor=Actor(user=reader, reader_id=None, ip_hash=""),
            new=NewComment(
                thread=thread, body=body or "Interesting passage.", anchor=anchor, parent=parent
            ),
            anchor_texts=texts,
        )
    except ActionError:
        return None  # e.g. a repeated text that the moderation rules refuse


def _vote_demo(comments: list[Comment], readers: list[Any], rng: random.Random) -> None:
    """A few readers' votes, mostly up, on each of `comments` (never the author's own)."""
    for comment in comments:
        if comment.status != Comment.Status.APPROVED:
            continue  # held by a rule: not on the page to vote on
        voters = [r for r in readers if r.pk != comment.author_id]
        for voter in rng.sample(voters, min(len(voters), rng.randint(1, 5))):
            actor = Actor(user=voter, reader_id=None, ip_hash="")
            do_cast_vote(comment=comment, actor=actor, value=1 if rng.random() < 0.8 else -1)


def seed_reactions(articles: list[ArticlePage], readers: list[Any]) -> int:
    """ "What do you think?" votes on every article that has none yet: more on the
    discussed ones, mostly up on reports, more divided on columns, and never a net 0 (a
    newsroom's front page does not show "0 Points"). Written in bulk, with the tally the
    votes add up to (what do_cast_reaction would have left). Returns the votes written."""
    done = set(
        ArticleReactionTally.objects.filter(article__in=articles).values_list(
            "article_id", flat=True
        )
    )
    discussed = dict(
        Thread.objects.filter(key__in=[a.thread_key for a in articles]).values_list(
            "key", "comment_count"
        )
    )
    accounts = [f"u:{user.pk}" for user in readers]
    rows: list[ArticleReaction] = []
    tallies: list[ArticleReactionTally] = []
    for article in articles:
        if article.pk in done:
            continue
        rng = random.Random(zlib.crc32(f"reactions-{article.slug}".encode()))
        voters = 9 + rng.randint(0, 30) + min(discussed.get(article.thread_key, 0), 400) // 3
        opinion = article_kind(article) == "opinion"
        approval = rng.uniform(0.52, 0.72) if opinion else rng.uniform(0.75, 0.95)
        keys = rng.sample(accounts, min(len(accounts), voters // 4)) + [
            f"r:demo-reader-{n}" for n in rng.sample(range(1000), voters - voters // 4)
        ]
        values = [1 if rng.random() < approval else -1 for _ in keys]
        if sum(values) == 0:
            values[0] = -values[0]
        rows += [
            ArticleReaction(article=article, voter_key=key, value=value)
            for key, value in zip(keys, values, strict=True)
        ]
        up = values.count(1)
        tallies.append(ArticleReactionTally(article=article, up=up, down=len(values) - up))
    with transaction.atomic():
        ArticleReaction.objects.bulk_create(rows, batch_size=1000)
        ArticleReactionTally.objects.bulk_create(tallies)
        for tally in tallies:
            transaction.on_commit(partial(bump, f"article:{tally.article_id}"))
    return len(rows)
