"""The anonymous page cache: fast for strangers, exact for everyone, private per reader."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.articles.models import ArticlePage, PublicationSettings
from broadsheet.articles.testing import make_article, make_section

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture
def article(db: None) -> ArticlePage:
    return make_article(section=make_section("World"), title="Port strike ends")


def test_the_second_anonymous_visit_is_served_from_the_cache_without_queries(article) -> None:
    assert Client().get(article.url)["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(article.url)
    assert response["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert "Port strike ends" in response.content.decode()


def test_each_cached_visitor_gets_a_csrf_token_of_their_own_that_works(article) -> None:
    Client().get(article.url)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_page, second_page = first.get(article.url), second.get(article.url)
    assert first_page["X-Page-Cache"] == second_page["X-Page-Cache"] == "hit"
    first_token = TOKEN.search(first_page.content.decode())
    second_token = TOKEN.search(second_page.content.decode())
    assert first_token and second_token
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    vote = first.post(
        f"/react/{article.pk}/", {"value": "up", "csrfmiddlewaretoken": first_token.group(1)}
    )
    assert vote.status_code == 302


def test_a_vote_invalidates_the_cached_article_at_once(
    article, django_capture_on_commit_callbacks
) -> None:
    Client().get(article.url)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/react/{article.pk}/", {"value": "up"})
    response = Client().get(article.url)
    assert response["X-Page-Cache"] == "miss"
    assert "<strong data-points>1</strong>" in response.content.decode()


def test_a_reader_who_voted_sees_their_own_vote_never_someone_elses(article) -> None:
    voter = Client()
    voter.post(f"/react/{article.pk}/", {"value": "up"})
    mine = voter.get(article.url)
    assert "X-Page-Cache" not in mine
    assert 'value="up" class="vote vote--up" aria-pressed="true"' in mine.content.decode()
    Client().get(article.url)  # a stranger fills the cache
    stranger = Client().get(article.url)
    assert stranger["X-Page-Cache"] == "hit"
    assert 'aria-pressed="true"' not in stranger.content.decode()


def test_signed_in_readers_are_never_served_from_the_cache(article) -> None:
    Client().get(article.url)
    rosa = get_user_model().objects.create_user("reader_rosa", password="pw-rosa-12345")
    client = Client()
    client.force_login(rosa)
    assert "X-Page-Cache" not in client.get(article.url)


def test_publishing_an_article_refreshes_the_cached_home_page(article) -> None:
    Client().get("/")
    assert Client().get("/")["X-Page-Cache"] == "hit"
    make_article(section=make_section("World"), title="Breaking: bridge reopens")
    response = Client().get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Breaking: bridge reopens" in response.content.decode()


def test_changing_the_publication_settings_refreshes_cached_pages(article) -> None:
    Client().get(article.url)
    publication = PublicationSettings.load()
    publication.support_button_label = "Join the members"
    publication.save()
    assert "Join the members" in Client().get(article.url).content.decode()


def test_pages_that_did_not_opt_in_are_not_cached(article) -> None:
    Client().get("/search/?q=port")
    assert "X-Page-Cache" not in Client().get("/search/?q=port")


def test_a_returning_visitor_keeps_their_csrf_cookie_on_cached_pages(article) -> None:
    Client().get(article.url)
    visitor = Client(enforce_csrf_checks=True)
    visitor.get(article.url)
    cookie = visitor.cookies["csrftoken"].value
    page = visitor.get(article.url)
    assert page["X-Page-Cache"] == "hit"
    assert "csrftoken" not in page.cookies  # their own secret, not a new one
    token = TOKEN.search(page.content.decode())
    assert token
    vote = visitor.post(
        f"/react/{article.pk}/", {"value": "up", "csrfmiddlewaretoken": token.group(1)}
    )
    assert vote.status_code == 302
    assert visitor.cookies["csrftoken"].value == cookie


def test_lost_scope_versions_never_bring_back_a_stale_page(article) -> None:
    from django.core.cache import cache

    from broadsheet.core import versions

    Client().get(article.url)
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    store = versions.scope_versions()
    if isinstance(store, versions.SharedMemoryScopeVersions):
        # The machine restarted and var/ lost the versions file: a new one is made.
        store.path.unlink()
        versions.scope_versions.cache_clear()
    else:
        cache.clear()  # Redis restarted: every scope version is gone
    try:
        assert Client().get(article.url)["X-Page-Cache"] == "miss"
    finally:
        versions.scope_versions.cache_clear()


def test_a_bump_during_rendering_leaves_the_stored_page_stale(
    article, django_capture_on_commit_callbacks
) -> None:
    from broadsheet.core.pagecache import bump

    Client().get(article.url)
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/react/{article.pk}/", {"value": "up"})
    real_render = ArticlePage.serve

    def render_then_vote(page, request, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = real_render(page, request, *args, **kwargs)
        bump(f"article:{article.pk}", f"thread:article-{article.pk}")  # lands mid-render
        return response

    ArticlePage.serve = render_then_vote  # type: ignore[method-assign]
    try:
        assert Client().get(article.url)["X-Page-Cache"] == "miss"
    finally:
        ArticlePage.serve = real_render  # type: ignore[method-assign]
    assert Client().get(article.url)["X-Page-Cache"] == "miss"


def test_pages_stored_by_a_previous_release_are_not_served(article, settings) -> None:
    from broadsheet.core.pagecache import _deployment

    Client().get(article.url)
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "new-name.example"]
    _deployment.cache_clear()  # a new release starts its processes
    try:
        assert Client().get(article.url)["X-Page-Cache"] == "miss"
    finally:
        _deployment.cache_clear()
