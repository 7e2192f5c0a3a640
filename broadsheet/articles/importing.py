"""The write path that brings readers' reactions to an article in from an export
(import_site).

Each reaction comes back with its voter and date, one per voter not already here (a
reader who reacted here since keeps their own reaction), and the article's tally gains
exactly the rows added (F() updates, as casting does). Nobody is told: no live event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from broadsheet.articles.actions import _apply_tally
from broadsheet.articles.models import ArticlePage, ArticleReaction
from broadsheet.core.errors import ActionError
from broadsheet.core.pagecache import bump


@dataclass(frozen=True)
class ImportedReaction:
    voter_key: str
    value: int
    created_at: datetime
    ip_hash: str = ""


def check_import_reactions(*, reactions: Sequence[ImportedReaction]) -> None:
    keys = {reaction.voter_key for reaction in reactions}
    if len(keys) != len(reactions) or "" in keys:
        raise ActionError("Each imported reaction needs its own voter.")
    if any(reaction.value not in (1, -1) for reaction in reactions):
        raise ActionError("A reaction is +1 or -1.")


def do_import_reactions(*, article: ArticlePage, reactions: Sequence[ImportedReaction]) -> int:
    """Add the reactions of voters not already here; returns how many were added."""
    check_import_reactions(reactions=reactions)
    with transaction.atomic():
        here = set(
            ArticleReaction.objects.filter(article=article).values_list("voter_key", flat=True)
        )
        new = [reaction for reaction in reactions if reaction.voter_key not in here]
        if not new:
            return 0
        ArticleReaction.objects.bulk_create(
            ArticleReaction(
                article=article,
                voter_key=reaction.voter_key[:64],
                value=reaction.value,
                ip_hash=reaction.ip_hash[:32],
            )
            for reaction in new
        )
        # created_at is auto_now_add: the export's dates are put back after the insert.
        for reaction in new:
            ArticleReaction.objects.filter(article=article, voter_key=reaction.voter_key).update(
                created_at=reaction.created_at
            )
        up = sum(1 for reaction in new if reaction.value == 1)
        _apply_tally(article.pk, up, len(new) - up)
        transaction.on_commit(lambda: bump(f"article:{article.pk}"))
    return len(new)
