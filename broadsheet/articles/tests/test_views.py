"""Voting on an article over HTTP: plain form posts, htmx posts, cookies and limits."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from broadsheet.articles.models import ArticlePage, ArticleReactionTally
from broadsheet.articles.testing import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(title="Rates held at four percent")


def points(article: ArticlePage) -> int:
    tally = ArticleReactionTally.objects.filter(article=article).first()
    return tally.points if tally else 0


def test_an_anonymous_reader_votes_with_a_plain_form_and_gets_a_signed_cookie(
    client: Client, article
) -> None:
    response = client.post(f"/react/{article.pk}/", {"value": "up"})
    assert response.status_code == 302 and response["Location"].endswith("#reactions")
    assert "bs_reader" in response.cookies
    assert points(article) == 1
    page = client.get(article.url).content.decode()
    assert "<strong data-points>1</strong>" in page
    assert 'value="up" class="vote vote--up" aria-pressed="true"' in page


def test_the_same_reader_clicking_twice_takes_the_vote_back(client: Client, article) -> None:
    client.post(f"/react/{article.pk}/", {"value": "up"})
    client.post(f"/react/{article.pk}/", {"value": "up"})
    assert points(article) == 0


def test_a_forged_reader_cookie_counts_as_a_new_reader(client: Client, article) -> None:
    client.post(f"/react/{article.pk}/", {"value": "up"})
    client.cookies["bs_reader"] = "someone-else:forged"
    client.post(f"/react/{article.pk}/", {"value": "up"})
    assert points(article) == 2


def test_a_signed_in_reader_votes_as_their_account(client: Client, article) -> None:
    rosa = get_user_model().objects.create_user("reader_rosa", password="pw-rosa-123")
    client.force_login(rosa)
    client.post(f"/react/{article.pk}/", {"value": "down"})
    other = Client()
    other.force_login(rosa)
    other.post(f"/react/{article.pk}/", {"value": "down"})  # same account, other device: undo
    assert points(article) == 0


def test_htmx_gets_the_updated_fragment(client: Client, article) -> None:
    response = client.post(
        f"/react/{article.pk}/", {"value": "down"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="reactions" id="reactions"')
    assert "<strong data-points>-1</strong>" in html


def test_a_nonsense_value_answers_400_with_a_message(client: Client, article) -> None:
    response = client.post(f"/react/{article.pk}/", {"value": "sideways"})
    assert response.status_code == 400
    assert "Choose Upvote or Downvote." in response.content.decode()


def test_too_many_votes_from_one_ip_answer_429_and_are_not_counted(
    client: Client, article, settings
) -> None:
    settings.BROADSHEET_REACTION_RATE_LIMIT = (2, 60)
    for _ in range(2):
        Client().post(f"/react/{article.pk}/", {"value": "up"})
    response = Client().post(
        f"/react/{article.pk}/", {"value": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 429
    assert "wait a minute" in response.content.decode()
    assert points(article) == 2


def test_voting_needs_a_csrf_token() -> None:
    article = make_article()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"/react/{article.pk}/", {"value": "up"}).status_code == 403


def test_unpublished_articles_cannot_be_voted_on(client: Client) -> None:
    draft = make_article(publish=False)
    assert client.post(f"/react/{draft.pk}/", {"value": "up"}).status_code == 404
