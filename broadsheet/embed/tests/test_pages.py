"""Sites and pages: threads are created on first view, only for allowed pages, and
follow the site's settings (guests, sort, pre-moderation)."""

from __future__ import annotations

from typing import Any

import pytest

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.policy import policy_for
from broadsheet.discussion.testing import guest, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.moderation.selectors import queue_comments


def test_first_view_creates_the_thread_with_title_and_clean_url(blog: EmbeddingSite) -> None:
    thread = do_register_page(
        site=blog,
        url=PAGE + "?utm_source=news",
        title="River plan",
        origin="https://blog.example.org",
    )
    assert thread.key == f"site:{blog.pk}:blog.example.org/2026/12/river-plan"
    assert (thread.title, thread.url) == ("River plan", PAGE)
    again = do_register_page(site=blog, url="https://www.blog.example.org/2026/12/river-plan")
    assert again.pk == thread.pk
    assert Thread.objects.count() == 1


def test_an_explicit_identifier_survives_a_new_address(blog: EmbeddingSite) -> None:
    first = do_register_page(site=blog, url=PAGE, identifier="post-42")
    moved = do_register_page(site=blog, url="https://blog.example.org/river/", identifier="post-42")
    assert first.pk == moved.pk and moved.url == "https://blog.example.org/river/"


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://evil.example.com/page", None),
        ("https://blog.example.org/page", "https://evil.example.com"),
        ("ftp://blog.example.org/page", None),
    ],
)
def test_no_thread_for_pages_or_origins_the_site_does_not_allow(
    blog: EmbeddingSite, url: str, origin: str | None
) -> None:
    with pytest.raises((NotAllowed, ActionError)):
        do_register_page(site=blog, url=url, origin=origin)
    assert not Thread.objects.exists()


def test_a_switched_off_site_creates_nothing(blog: EmbeddingSite) -> None:
    EmbeddingSite.objects.filter(pk=blog.pk).update(is_active=False)
    blog.refresh_from_db()
    with pytest.raises(NotAllowed):
        do_register_page(site=blog, url=PAGE)


def test_site_settings_are_the_threads_policy(blog: EmbeddingSite) -> None:
    EmbeddingSite.objects.filter(pk=blog.pk).update(allow_guests=False, default_sort="top")
    blog.refresh_from_db()
    thread = do_register_page(site=blog, url=PAGE)
    policy = policy_for(thread)
    assert (policy.allow_guests, policy.default_sort) == (False, "top")
    with pytest.raises(NotAllowed):
        post(thread, guest("g1"), "Hi", name="G", email="g@e.org")


def test_a_site_that_premoderates_holds_comments(blog: EmbeddingSite, settings: Any) -> None:
    settings.BROADSHEET_MODERATION_MODE = "none"
    EmbeddingSite.objects.filter(pk=blog.pk).update(moderation_mode="all")
    blog.refresh_from_db()
    thread = do_register_page(site=blog, url=PAGE)
    comment = post(thread, guest("g1"), "Hello", name="G", email="g@e.org")
    assert comment.status == Comment.Status.PENDING


def test_the_queue_filters_by_site(blog: EmbeddingSite) -> None:
    other = do_register_site(name="Other", origin_lines=["https://other.example"])
    EmbeddingSite.objects.update(moderation_mode="all")
    for site, url in ((blog, PAGE), (other, "https://other.example/p")):
        site.refresh_from_db()
        thread = do_register_page(site=site, url=url)
        post(thread, guest(f"g{site.pk}"), "Hi", name="G", email="g@e.org")
    assert len(queue_comments(tab="pending")) == 2
    only_blog = queue_comments(tab="pending", key_prefix=f"site:{blog.pk}:")
    assert [c.thread.key.split(":")[1] for c in only_blog] == [str(blog.pk)]
