"""The moderation reads that run for every comment posted, compiled once per shape.

The pipeline runs inside the posting transaction, which holds the database's write lock;
building these queries with the ORM cost several times what the database takes to
answer them (docs/decisions/compiled-reads.md). Each takes named values and answers
named columns; the rules and the commenter model keep their logic and call these.
"""

from __future__ import annotations

from datetime import datetime

from django.db import router
from django.db.models import Count, Q, Value
from django.db.models.functions import Length, Upper

from broadsheet.discussion.compiled import (
    CompiledQueries,
    CompiledQuery,
    Placeholders,
    compile_query,
)
from broadsheet.discussion.models import Comment
from broadsheet.moderation.models import ModerationWord, Sanction

_compiled = CompiledQueries()


def _same_source(p: Placeholders, account: bool) -> Q:
    """Comments of the account (when `account`) or from the IP hash."""
    source = Q(author_id=p.number("user_id")) if account else Q(pk__in=[])
    return source | Q(ip_hash=p.text("ip_hash"))


def _source_values(user_id: int | None, ip_hash: str) -> dict[str, object]:
    return {"ip_hash": ip_hash} if user_id is None else {"ip_hash": ip_hash, "user_id": user_id}


def texts_of_length(*, user_id: int | None, ip_hash: str, text: str, since: datetime) -> list[str]:
    """Texts the source posted since `since` (deleted ones aside) with the length of
    `text`: the index discussion_text_by_ip finds them without reading a flood of other
    texts. (Comparing the text in SQL too would let SQLite replace length(body_source)
    by the length of the given text, and then it no longer recognises the indexed
    expression.)"""
    account = user_id is not None
    alias = router.db_for_read(Comment)

    def build(alias: str) -> CompiledQuery:
        p = Placeholders()
        rows = (
            Comment.objects.using(alias)
            .alias(body_length=Length("body_source"))
            .filter(
                _same_source(p, account),
                body_length=Length(Value(p.text("text"))),
                created_at__gte=p.moment("since"),
            )
            .exclude(status=Comment.Status.DELETED)
            .values_list("body_source")
        )
        return compile_query(rows, p)

    query = _compiled.get(alias, ("same-texts", account), build)
    found = query.rows(text=text, since=since, **_source_values(user_id, ip_hash))
    return [row.body_source for row in found]


def recent_count(*, user_id: int | None, ip_hash: str, since: datetime, limit: int) -> int:
    """How many comments the source posted since `since`, counted up to `limit`: a flood
    is held at the limit, so the look-up never reads further, however many an attacker
    has sent (each read holds the write lock)."""
    account = user_id is not None
    alias = router.db_for_read(Comment)

    def build(alias: str) -> CompiledQuery:
        p = Placeholders()
        rows = (
            Comment.objects.using(alias)
            .filter(_same_source(p, account), created_at__gte=p.moment("since"))
            .values_list("pk")
        )
        return compile_query(rows[:limit], p)

    # The limit is a setting: one shape per value it takes.
    query = _compiled.get(alias, ("recent", account, limit), build)
    found = query.rows(since=since, **_source_values(user_id, ip_hash))
    return sum(1 for _ in found)


def listed_words() -> list[tuple[str, str]]:
    """(kind, word) of every banned and suspect word, in the lists' order."""
    alias = router.db_for_read(ModerationWord)

    def build(alias: str) -> CompiledQuery:
        rows = ModerationWord.objects.using(alias).values_list("kind", "word")
        return compile_query(rows, Placeholders())

    return [(row.kind, row.word) for row in _compiled.get(alias, "listed", build).rows()]


def status_counts(*, user_id: int | None, email: str) -> dict[str, int]:
    """{status: comments} of an account, or of a guest by their e-mail address
    (case-insensitive, spelt UPPER() = UPPER() so the discussion_guest_email index
    answers it on both databases)."""
    account = user_id is not None
    alias = router.db_for_read(Comment)

    def build(alias: str) -> CompiledQuery:
        p = Placeholders()
        comments = Comment.objects.using(alias)
        if account:
            comments = comments.filter(author_id=p.number("user_id"))
        else:
            comments = comments.alias(email_upper=Upper("guest_email")).filter(
                author__isnull=True, email_upper=Upper(Value(p.text("email")))
            )
        rows = comments.values("status").annotate(n=Count("pk")).order_by()
        return compile_query(rows.values_list("status", "n"), p)

    query = _compiled.get(alias, ("history", account), build)
    values = {"user_id": user_id} if account else {"email": email}
    return {row.status: row.n for row in query.rows(**values)}


def sanction_terms(
    *, user_id: int | None, email_hash: str, ip_hash: str, now: datetime
) -> list[tuple[str, datetime | None]]:
    """(kind, until) of the sanctions in force at `now` on the account, the e-mail hash
    or the IP hash (each only when given)."""
    shape = (user_id is not None, bool(email_hash), bool(ip_hash))
    alias = router.db_for_read(Sanction)

    def build(alias: str) -> CompiledQuery:
        p = Placeholders()
        target = Q(pk__in=[])
        if shape[0]:
            target |= Q(user_id=p.number("user_id"))
        if shape[1]:
            target |= Q(email_hash=p.text("email_hash"))
        if shape[2]:
            target |= Q(ip_hash=p.text("ip_hash"))
        moment = p.moment("now")
        rows = (
            Sanction.objects.using(alias)
            .filter(target)
            .filter(Q(lifted_at__isnull=True), Q(until__isnull=True) | Q(until__gt=moment))
            .values_list("kind", "until")
        )
        return compile_query(rows, p)

    values: dict[str, object] = {"now": now}
    if shape[0]:
        values["user_id"] = user_id
    if shape[1]:
        values["email_hash"] = email_hash
    if shape[2]:
        values["ip_hash"] = ip_hash
    query = _compiled.get(alias, ("sanctions", shape), build)
    return [(row.kind, row.until) for row in query.rows(**values)]
