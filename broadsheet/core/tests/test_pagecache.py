"""The anonymous page cache: fast for strangers, exact for everyone, private per reader."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

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


def test_api_answers_are_never_looked_up_nor_stored(article, settings) -> None:
    """The JSON API is for scripts and embedded discussions: the page cache does not look
    its answers up (no shared-cache round trips on an API read), and no API view may opt
    in."""
    from django.test import RequestFactory

    from broadsheet.core import pagecache

    for path in ("/api/v1/threads/article-1/comments", "/api/v1/csrf"):
        assert not pagecache._cacheable_request({"REQUEST_METHOD": "GET", "PATH_INFO": path})
        with pytest.raises(ValueError):
            pagecache.mark_cacheable(RequestFactory().get(path), ["listings"])
    assert pagecache._cacheable_request({"REQUEST_METHOD": "GET", "PATH_INFO": article.url})
    answer = Client().get("/api/v1/csrf")
    assert answer.status_code == 200 and "X-Page-Cache" not in answer


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


@pytest.fixture
def sources(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A source tree of its own for the release fingerprint, so tests may edit it."""
    from broadsheet.core import pagecache

    monkeypatch.setattr(pagecache, "SOURCE_ROOTS", (tmp_path,))
    (tmp_path / "views.py").write_text("ANSWER = 1\n")
    pagecache._deployment.cache_clear()
    yield tmp_path
    pagecache._deployment.cache_clear()


def a_new_process_starts() -> None:
    from broadsheet.core.pagecache import _deployment

    _deployment.cache_clear()


def test_without_a_release_name_any_edit_of_the_code_is_a_new_release(
    article, settings, sources
) -> None:
    settings.BROADSHEET_RELEASE = ""
    a_new_process_starts()
    Client().get(article.url)
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    a_new_process_starts()  # a restart with the same code
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    (sources / "views.py").write_text("ANSWER = 42\n")
    a_new_process_starts()
    assert Client().get(article.url)["X-Page-Cache"] == "miss"
    (sources / "templates").mkdir()
    (sources / "templates" / "page.html").write_text("<p>new</p>")
    a_new_process_starts()
    assert Client().get(article.url)["X-Page-Cache"] == "miss"


def test_a_named_release_keys_the_pages_instead_of_the_code(article, settings, sources) -> None:
    """BROADSHEET_RELEASE spares each process the walk over the code: the deploy names
    the release, and only a new name is a new release."""
    settings.BROADSHEET_RELEASE = "2026-11-30.1"
    a_new_process_starts()
    Client().get(article.url)
    (sources / "views.py").write_text("ANSWER = 42\n")
    a_new_process_starts()
    assert Client().get(article.url)["X-Page-Cache"] == "hit"
    settings.BROADSHEET_RELEASE = "2026-11-30.2"
    a_new_process_starts()
    assert Client().get(article.url)["X-Page-Cache"] == "miss"
    assert Client().get(article.url)["X-Page-Cache"] == "hit"


def test_new_static_files_are_a_new_release_even_under_the_same_name(settings, tmp_path) -> None:
    """collectstatic (`make static`) writes the manifest of the hashed file names that
    pages link to; its hash counts whether or not the release is named."""
    from broadsheet.core.pagecache import _deployment

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.BROADSHEET_RELEASE = "2026-11-30.1"
    fingerprints = []
    for build, css in enumerate(["site.1d2e3f4a5b6c.css", "site.7d8e9f0a1b2c.css", None]):
        static_root = tmp_path / f"static-{build}"
        static_root.mkdir()
        if css is not None:
            manifest = {"version": "1.1", "paths": {"site.css": css}, "hash": css[5:17]}
            (static_root / "staticfiles.json").write_text(json.dumps(manifest))
        settings.STATIC_ROOT = str(static_root)
        a_new_process_starts()
        fingerprints.append(_deployment())
    a_new_process_starts()
    assert len(set(fingerprints)) == 3


# --- no content can reach a reader's token ------------------------------------------------

# Everything that ever marked, or could be taken for, the place of a token.
MARKER_LIKE = [
    "\x00csrf\x00",
    "https://evil.example/?t=\x00csrf\x00",
    'name="csrfmiddlewaretoken" value="' + "A" * 64 + '"',
    '<input type="hidden" name="csrfmiddlewaretoken" value="' + "B" * 64 + '">',
    "csrf" + "0" * 32,
    "{% csrf_token %}",
    "NOTPROVIDED",
]


# A token field as the server writes it: reader text may show the same words, but never
# inside a tag (it is escaped).
TOKEN_FIELD = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)">')


def tokens_in(html: str) -> list[str]:
    return TOKEN_FIELD.findall(html)


@pytest.mark.parametrize("marker", MARKER_LIKE)
def test_no_content_can_put_a_readers_token_outside_a_token_field(
    article: ArticlePage, marker: str, django_capture_on_commit_callbacks
) -> None:
    from broadsheet.discussion.models import Thread
    from broadsheet.discussion.testing import guest, post

    if "\x00" in marker and connection.vendor != "sqlite":
        pytest.skip("PostgreSQL cannot store a NUL; the input boundary refuses it anyway")
    Client().get(article.url)  # registers the thread
    thread = Thread.objects.get(key=article.thread_key)
    with django_capture_on_commit_callbacks(execute=True):
        post(
            thread,
            guest(),
            f"Body {marker} end",
            name=f"N {marker}"[:60],
            # Raw NULs pass the address check as they did through the API.
            website=f"https://evil.example/?t={quote(marker, safe=chr(0))}",
        )
    miss = Client().get(article.url)
    reader = Client()
    hit = reader.get(article.url)
    assert (miss["X-Page-Cache"], hit["X-Page-Cache"]) == ("miss", "hit")
    html = hit.content.decode()
    mine = set(tokens_in(html))
    assert len(mine) == 1, "one masked token for every form of a hit"
    (token,) = mine
    assert html.count(token) == len(tokens_in(html)), "the token only in token fields"
    # The page is the miss's page but for the tokens: the content came through as content.
    assert TOKEN_FIELD.sub("T", html) == TOKEN_FIELD.sub("T", miss.content.decode())


def test_a_page_with_a_token_that_is_not_the_readers_is_never_stored() -> None:
    from broadsheet.core.csrf_tokens import masked_csrf_token as _masked_csrf_token
    from broadsheet.core.pagecache import _parts_around_tokens

    secret = "s" * 32
    field = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
    mine, other = _masked_csrf_token(secret), _masked_csrf_token("o" * 32)
    page = f"<p>a</p>{field.format(mine)}<p>b</p>".encode()
    assert _parts_around_tokens(page, secret) == [
        b'<p>a</p><input type="hidden" name="csrfmiddlewaretoken" value="',
        b'"><p>b</p>',
    ]
    assert _parts_around_tokens(page + field.format(other).encode(), secret) is None
    # The reader's token anywhere but in a token field would reach every later reader.
    assert _parts_around_tokens(page + f'<a href="/?t={mine}">'.encode(), secret) is None


def test_the_tokens_a_hit_makes_are_djangos_format() -> None:
    from django.middleware.csrf import (  # type: ignore[attr-defined]
        _check_token_format,
        _unmask_cipher_token,
    )

    from broadsheet.core.csrf_tokens import masked_csrf_token as _masked_csrf_token
    from broadsheet.core.pagecache import _csrf_secret

    secret, new = _csrf_secret({})
    assert new
    for _ in range(50):  # a fresh mask each time, always Django's format, always unmasked
        token = _masked_csrf_token(secret)
        _check_token_format(token)
        assert _unmask_cipher_token(token) == secret


def test_with_csrf_in_sessions_a_page_with_a_token_is_never_stored(settings) -> None:
    """The secret then lives in the reader's session, which a hit cannot give them."""
    from broadsheet.core.csrf_tokens import masked_csrf_token as _masked_csrf_token
    from broadsheet.core.pagecache import _parts_around_tokens

    secret = "s" * 32
    page = f'<input type="hidden" name="csrfmiddlewaretoken" value="{_masked_csrf_token(secret)}">'
    assert _parts_around_tokens(page.encode(), secret) is not None
    settings.CSRF_USE_SESSIONS = True
    assert _parts_around_tokens(page.encode(), secret) is None
    assert _parts_around_tokens(b"<p>No form here.</p>", secret) == [b"<p>No form here.</p>"]
