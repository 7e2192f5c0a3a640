"""rendering.render_groups writes discussion/includes/groups.html without the template
engine: for every comment state, reader, sort, page, language and hostile input its bytes
are the template's (rendered cold, through comment.html), cold and warm alike, and the
page a reader gets carries exactly those bytes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.test import Client, RequestFactory
from django.utils import timezone, translation

from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.actions import (
    do_cast_vote,
    do_delete_comment,
    do_edit_comment,
    do_feature_comment,
)
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.rendering import comment_fragments, render_groups
from broadsheet.discussion.section import FormState, build_section
from broadsheet.discussion.testing import guest, make_user, member, post, signed_reader_cookie
from broadsheet.discussion.tests.test_kept_form import without_render_time
from broadsheet.moderation.actions import do_mark_spam, do_reject_comment

pytestmark = pytest.mark.django_db

GROUPS_TEMPLATE = "discussion/includes/groups.html"
HOSTILE_NAME = "<script>alert('n')</script>\"&amp;"
HOSTILE_BODY = "<img src=x onerror=alert(1)> **bold** [link](javascript:alert(2)) \"'&"
HOSTILE_SITE = 'https://example.org/"><script>alert(3)</script>?a=1&b=2'


@pytest.fixture(autouse=True)
def _cold_fragment_cache(settings: Any) -> Iterator[None]:
    settings.BROADSHEET_DISCUSSION_REPLIES_PER_ROOT = 3
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 4
    settings.BROADSHEET_DISCUSSION_FOLD_LENGTH = 80
    comment_fragments.clear()
    yield
    comment_fragments.clear()


@pytest.fixture
def people() -> dict[str, Any]:
    return {
        "author": make_user("author", name="Rosa Author"),
        "moderator": make_user("moderator", name="Max Moderator", moderator=True),
        "staff": make_user("staffer", name="Sam Staff", staff=True),
    }


@pytest.fixture
def rich_thread(thread: Thread, people: dict[str, Any]) -> Thread:
    """A discussion holding every comment state the markup distinguishes."""
    author, moderator = member(people["author"]), member(people["moderator"])
    staff = member(people["staff"])
    gabriel = guest("gabriel")
    hostile = guest("hostile")
    first = post(thread, author, "First, by an account.")
    reply = post(thread, gabriel, "A guest's reply.", parent=first, website="https://ex.org/")
    deep = post(thread, hostile, HOSTILE_BODY, parent=reply, name=HOSTILE_NAME)
    post(thread, author, "Deeper still.", parent=deep)
    post(thread, gabriel, "Another reply to the first.", parent=first)
    post(thread, gabriel, "And one more, past the cap.", parent=first)
    arabic = post(thread, guest("layla"), "مرحبا بكم في النقاش", name="ليلى")
    post(thread, author, "A reply to Arabic text.", parent=arabic)
    long = post(thread, staff, "A long comment that folds. " * 12)
    edited = post(thread, author, "Before the edit.")
    do_edit_comment(comment=edited, actor=author, body="After the edit, *emphasised*.")
    gone = post(thread, gabriel, "Soon deleted.")
    post(thread, author, "A reply that outlives its parent.", parent=gone)
    do_delete_comment(comment=gone, actor=guest("gabriel"))
    held = post(thread, author, "Held for a moderator.")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    rejected = post(thread, gabriel, "Rejected text.")
    do_reject_comment(comment=rejected, actor=moderator, reason="off <topic> & rude")
    spam = post(thread, hostile, "Buy now", name=HOSTILE_NAME, website=HOSTILE_SITE)
    do_mark_spam(comment=spam, actor=moderator)
    picked = post(thread, hostile, "An editor's pick.", name=HOSTILE_NAME, website=HOSTILE_SITE)
    do_feature_comment(comment=picked, actor=moderator, reason="good")
    do_cast_vote(comment=first, actor=staff, value=1)
    do_cast_vote(comment=first, actor=gabriel, value=-1)
    do_cast_vote(comment=reply, actor=author, value=1)
    do_cast_vote(comment=picked, actor=author, value=-1)
    do_cast_vote(comment=long, actor=gabriel, value=1)
    # Dates far enough back that "N days ago" holds while a test runs; a big reply
    # count so that "View all 1,234 replies" shows digit grouping and plural forms.
    for n, comment in enumerate(Comment.objects.filter(thread=thread).order_by("pk")):
        Comment.objects.filter(pk=comment.pk).update(
            created_at=timezone.now() - timedelta(days=3, minutes=n)
        )
    Comment.objects.filter(pk=first.pk).update(reply_count=1234)
    return thread


def _request(user: Any | None, reader: str | None, query: dict[str, str]) -> Any:
    request = RequestFactory().get(f"/discussion/t/{0}/", query)
    request.user = user or AnonymousUser()
    if reader:
        request.COOKIES[READER_COOKIE] = signed_reader_cookie(reader)
    return request


def _both(thread: Thread, request: Any, *, form: FormState | None = None) -> tuple[str, str]:
    """(the template's groups markup rendered cold, render_groups' cold and warm)."""
    section = build_section(request, thread, form=form)
    token = get_token(request)
    context = {"d": section, "groups": section.groups, "csrf_token": token, "request": request}
    comment_fragments.clear()
    expected = get_template(GROUPS_TEMPLATE).render(context)
    comment_fragments.clear()
    cold = render_groups(section.groups, section, token, full_context=lambda: context)
    warm = render_groups(section.groups, section, token, full_context=lambda: context)
    # An open reply form signs the second it is rendered in: renders a second apart differ
    # there and only there.
    assert without_render_time(cold) == without_render_time(warm)
    assert section.groups, "the page shows comments"
    return without_render_time(expected), without_render_time(warm)


READERS = ["anonymous", "guest gabriel", "author", "moderator", "staff"]
QUERIES = [
    {},
    {"sort": "oldest"},
    {"sort": "newest"},
    {"sort": "top"},
    {"cpage": "2"},
    {"sort": "top", "cpage": "2"},
    {"view": "featured"},
]


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
@pytest.mark.parametrize("who", READERS)
def test_groups_markup_is_the_templates(
    rich_thread: Thread, people: dict[str, Any], who: str, language: str
) -> None:
    user = {"author": people["author"], "moderator": people["moderator"]}.get(who)
    user = user or (people["staff"] if who == "staff" else None)
    reader = "gabriel" if who == "guest gabriel" else None
    with translation.override(language):
        for query in QUERIES:
            expected, got = _both(rich_thread, _request(user, reader, query))
            assert got == expected, (who, language, query)


def test_highlighted_and_reply_form_comments(rich_thread: Thread, people: dict[str, Any]) -> None:
    """A permalink's highlighted comment, and the comment with the reply form open under it
    (rendered afresh, never cached) come out as the template writes them."""
    first = Comment.objects.filter(thread=rich_thread, parent=None).order_by("pk").first()
    assert first is not None
    for query in ({"comment": str(first.pk)}, {"reply_to": str(first.pk)}):
        for user in (None, people["author"]):
            expected, got = _both(rich_thread, _request(user, None, query))
            assert got == expected, query
    expected, got = _both(
        rich_thread,
        _request(None, "gabriel", {}),
        form=FormState(kind="reply", parent=first, data={"body": "<b>typed</b>"}),
    )
    assert got == expected
    assert "&lt;b&gt;typed&lt;/b&gt;" in got


def test_hostile_names_bodies_and_addresses_stay_escaped(
    rich_thread: Thread, people: dict[str, Any]
) -> None:
    expected, got = _both(rich_thread, _request(people["moderator"], None, {"sort": "oldest"}))
    assert got == expected
    assert "<script>" not in got and "onerror=" not in got.replace("onerror=alert", "")
    assert "&lt;script&gt;alert(&#x27;n&#x27;)&lt;/script&gt;&quot;&amp;amp;" in got
    assert "javascript:" not in got
    assert "off &lt;topic&gt; &amp; rude" in got


def test_a_readers_page_carries_these_bytes(rich_thread: Thread, people: dict[str, Any]) -> None:
    """The tag in section.html and in the "Load more" fragment writes exactly the
    template's markup where the include was."""
    client = Client()
    client.force_login(people["moderator"])
    for path in (f"/discussion/t/{rich_thread.pk}/", f"/discussion/t/{rich_thread.pk}/comments/"):
        more = "comments" in path
        query = {"sort": "oldest", "cpage": "2" if more else "1"}
        response = client.get(path, query, headers={"HX-Request": "true"} if more else {})
        assert response.status_code == 200
        html = response.content.decode()
        context = {
            "d": response.context["d"],
            "groups": response.context["d"].groups,
            "csrf_token": response.context["csrf_token"],
        }
        comment_fragments.clear()
        expected = get_template(GROUPS_TEMPLATE).render(context)
        assert '<li class="comment-thread">' in expected
        assert expected in html, path
    assert (
        "View all 1,234 replies" in client.get(f"/discussion/t/{rich_thread.pk}/").content.decode()
    )


@pytest.mark.parametrize("who", ["anonymous", "guest gabriel", "author", "moderator"])
def test_views_without_markup_differ_only_in_what_markup_shows(
    rich_thread: Thread, people: dict[str, Any], who: str
) -> None:
    """The JSON listing builds its views with markup=False: the fold, the badge and the
    nesting markup are left out, every other field is the one the page shows."""
    from dataclasses import asdict

    from broadsheet.discussion.identity import Actor
    from broadsheet.discussion.presentation import build_groups
    from broadsheet.discussion.selectors import comments_for_thread
    from broadsheet.discussion.sorting import Sort

    actor = {
        "anonymous": Actor(),
        "guest gabriel": guest("gabriel"),
        "author": member(people["author"]),
        "moderator": member(people["moderator"]),
    }[who]
    full, lean = [], []
    for number in (1, 2, 3, 4):
        page = comments_for_thread(rich_thread, sort=Sort.OLDEST, page=number, viewer=actor)
        full += build_groups(page.roots, page.replies, actor=actor, more=page.more_replies)
        lean += build_groups(
            page.roots, page.replies, actor=actor, more=page.more_replies, markup=False
        )
    shown_by_markup = {"folded": False, "badge": "", "before": ""}
    assert any(v.folded for g in full for v in (g.root, *g.replies))
    assert any(v.badge for g in full for v in (g.root, *g.replies))
    assert len(lean) == len(full)
    for lean_group, group in zip(lean, full, strict=True):
        assert lean_group.more == group.more and lean_group.after == ""
        views = zip(
            (lean_group.root, *lean_group.replies), (group.root, *group.replies), strict=True
        )
        for lean_view, view in views:
            assert asdict(lean_view) == {**asdict(view), **shown_by_markup}
