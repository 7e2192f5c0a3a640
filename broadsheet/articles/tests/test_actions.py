"""do_cast_reaction: one vote per reader, toggling, switching, and exact counters."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from broadsheet.articles.actions import do_cast_reaction
from broadsheet.articles.models import ArticlePage, ArticleReaction, ArticleReactionTally
from broadsheet.articles.testing import make_article
from broadsheet.core.errors import ActionError, RateLimited

pytestmark = pytest.mark.django_db


def tally(article: ArticlePage) -> tuple[int, int]:
    row = ArticleReactionTally.objects.filter(article=article).first()
    return (row.up, row.down) if row else (0, 0)


def test_an_upvote_counts_one_point() -> None:
    article = make_article()
    result = do_cast_reaction(article=article, voter_key="r:rosa", value=1)
    assert (result.up, result.down, result.points, result.mine) == (1, 0, 1, 1)
    assert tally(article) == (1, 0)


def test_clicking_the_same_button_again_removes_the_vote() -> None:
    article = make_article()
    do_cast_reaction(article=article, voter_key="r:rosa", value=1, toggle=True)
    result = do_cast_reaction(article=article, voter_key="r:rosa", value=1, toggle=True)
    assert (result.points, result.mine) == (0, 0)
    assert not ArticleReaction.objects.filter(article=article).exists()


def test_clicking_the_other_button_switches_the_vote() -> None:
    article = make_article()
    do_cast_reaction(article=article, voter_key="r:rosa", value=1, toggle=True)
    result = do_cast_reaction(article=article, voter_key="r:rosa", value=-1, toggle=True)
    assert (result.up, result.down, result.points, result.mine) == (0, 1, -1, -1)


def test_each_reader_has_one_vote() -> None:
    article = make_article()
    for voter in ["r:a", "r:b", "u:7"]:
        do_cast_reaction(article=article, voter_key=voter, value=1)
    do_cast_reaction(article=article, voter_key="r:a", value=1)
    do_cast_reaction(article=article, voter_key="r:c", value=-1)
    assert tally(article) == (3, 1)


def test_an_unknown_value_is_refused_with_a_message() -> None:
    article = make_article()
    with pytest.raises(ActionError, match="Upvote or Downvote"):
        do_cast_reaction(article=article, voter_key="r:rosa", value=5)


def test_votes_from_one_ip_are_rate_limited(settings) -> None:
    settings.BROADSHEET_REACTION_RATE_LIMIT = (3, 60)
    article = make_article()
    for n in range(3):
        do_cast_reaction(article=article, voter_key=f"r:{n}", value=1, ip_hash="same-ip")
    with pytest.raises(RateLimited):
        do_cast_reaction(article=article, voter_key="r:9", value=1, ip_hash="same-ip")
    assert tally(article) == (3, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_are_all_counted_exactly(site_structure, settings) -> None:
    settings.BROADSHEET_REACTION_RATE_LIMIT = (1000, 60)
    article = make_article()
    voters = [f"r:reader-{n}" for n in range(24)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def vote(chunk: list[str]) -> None:
        try:
            barrier.wait(timeout=10)
            for voter in chunk:
                do_cast_reaction(
                    article=article, voter_key=voter, value=1 if voter[-1] in "02468" else -1
                )
                # The same voter racing itself: repeat, then switch.
                do_cast_reaction(
                    article=article, voter_key=voter, value=1 if voter[-1] in "02468" else -1
                )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=vote, args=(voters[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ups = sum(1 for v in voters if v[-1] in "02468")
    assert tally(article) == (ups, len(voters) - ups)
    assert ArticleReaction.objects.filter(article=article).count() == len(voters)
