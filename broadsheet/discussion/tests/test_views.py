"""The discussion section and its pages as readers use them, with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import timezone

from broadsheet.core.clients import READER_COOKIE
from broadsheet.discussion.actions import do_cast_vote, do_close_thread, do_delete_comment
from broadsheet.discussion.badges import known_accounts
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.templatetags.discussion_tags import render_discussion
from broadsheet.discussion.testing import big_thread, guest, post, signed_reader_cookie

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def page_of(thread: Thread, client: Client | None = None, query: str = "", **extra: Any) -> str:
    response = (client or Client()).get(f"/discussion/t/{thread.pk}/{query}", **extra)
    assert response.status_code == 200
    return response.content.decode()


def comment_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article id="comment-(\d+)"', html)]


def as_reader(client: Client, reader_id: str) -> Client:
    client.cookies[READER_COOKIE] = signed_reader_cookie(reader_id)
    return client


def section_request(
    user: Any = None, query: dict[str, str] | None = None, reader: str | None = None
) -> Any:
    request = RequestFactory().get("/politics/room-for-the-river/", query or {})
    request.user = user or AnonymousUser()
    if reader:
        request.COOKIES[READER_COOKIE] = signed_reader_cookie(reader)
    return request


# --- what the section shows -------------------------------------------------------------


def test_the_section_has_a_header_sort_form_and_comments(
    thread: Thread, reader_rosa: Actor, guest_gabriel: Actor
) -> None:
    root = post(thread, reader_rosa, "Root **comment**")
    post(thread, guest_gabriel, "A reply", parent=root, name="Gabriel")
    html = page_of(thread)
    assert 'id="discussion"' in html
    assert '<span id="discussion-count">2</span> Comments' in html
    assert '<div class="discussion__notify" hidden></div>' in html
    assert '<a href="?sort=newest#discussion" aria-current="true">Newest</a>' in html
    assert '<a href="?sort=top#discussion">Most voted</a>' in html
    assert "**bold**, *italic*, [link](https://…), &gt; quote, - list, `code`" in html
    assert 'name="name"' in html and 'name="email"' in html and 'name="website"' in html
    assert comment_ids(html) == [root.pk, root.pk + 1]
    assert '<span class="comment__author" dir="auto">Rosa Lindqvist</span>' in html
    assert (
        f'<a class="comment__reply-to" href="#comment-{root.pk}">'
        'Reply to <span dir="auto">Rosa Lindqvist</span></a>' in html
    )
    assert re.search(
        r'<time datetime="[^"]+" title="[^"]+">(?:now|a second ago|\d+ seconds ago)</time>', html
    )
    assert re.search(
        r'<img class="avatar comment__avatar" src="/discussion/avatar/[0-9a-f]{16}\.svg" alt=""',
        html,
    )
    assert (
        '<div class="comment__body" dir="auto">'
        '<p dir="auto">Root <strong>comment</strong></p></div>' in html
    )


def test_a_signed_in_reader_comments_as_themself(client: Client, thread: Thread, rosa: Any) -> None:
    client.force_login(rosa)
    html = page_of(thread, client)
    assert 'Commenting as <strong dir="auto">Rosa Lindqvist</strong>' in html
    assert 'name="email"' not in html


def test_e_mail_addresses_never_reach_the_page(thread: Thread, guest_gabriel: Actor) -> None:
    post(
        thread,
        guest_gabriel,
        name="Gabriel",
        email="gabriel@secret.example",
        website="https://gabriel.example",
    )
    html = page_of(thread)
    assert "secret.example" not in html
    assert '<a href="https://gabriel.example" rel="nofollow ugc noopener">Gabriel</a>' in html


def test_long_comments_are_folded_but_whole_in_the_html(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_FOLD_LENGTH = 100
    post(thread, reader_rosa, "Short one.")
    post(thread, reader_rosa, "word " * 60 + "THE-END")
    html = page_of(thread)
    assert html.count('<span class="comment__fold-more">Read more »</span>') == 1
    assert "THE-END" in html
    assert 'class="comment__body is-foldable"' in html


def test_an_edited_comment_says_so(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    Comment.objects.filter(pk=comment.pk).update(edited_at=timezone.now())
    assert '<span class="comment__edited"' in page_of(thread)


def test_replies_nest_to_max_depth_then_stay_at_the_last_level(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_MAX_DEPTH = 2
    parent = post(thread, reader_rosa, "level 0")
    for n in range(1, 5):
        parent = post(thread, reader_rosa, f"level {n}", parent=parent)
    html = page_of(thread)
    html = html[html.index('id="discussion"') : html.index("</section>")]
    assert re.findall(r'data-level="(\d)"', html) == ["0", "1", "2", "2", "2"]
    assert html.count('<ol class="comment-replies">') == 2
    assert html.count("Reply to <span") == 4
    assert html.count("<ol") == html.count("</ol>")
    assert html.count("<li") == html.count("</li>")


def test_each_reader_sees_their_own_votes_and_buttons(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    comment = post(thread, guest("gabriel"), "Gabriel's")
    mine = post(thread, reader_rosa, "Rosa's")
    do_cast_vote(comment=comment, actor=reader_rosa, value=1)
    rosa_client = Client()
    rosa_client.force_login(rosa)
    html = page_of(thread, rosa_client)
    own = html[html.index(f'id="comment-{mine.pk}"') :]
    own = own[: own.index("</article>")]
    assert ">Edit</a>" in own and ">Delete</a>" in own
    assert "Upvote" not in own  # nobody votes on their own comment
    other = html[html.index(f'id="comment-{comment.pk}"') :]
    other = other[: other.index("</article>")]
    assert 'value="0" class="vote vote--up" aria-pressed="true"' in other
    assert ">Edit</a>" not in other
    anonymous = page_of(thread)
    assert 'aria-pressed="true"' not in anonymous
    assert ">Edit</a>" not in anonymous


def test_a_guest_recognised_by_cookie_may_edit_their_comment(
    thread: Thread, guest_gabriel: Actor
) -> None:
    post(thread, guest_gabriel)
    assert ">Edit</a>" in page_of(thread, as_reader(Client(), "gabriel-cookie"))
    assert ">Edit</a>" not in page_of(thread, as_reader(Client(), "someone-else"))


def test_edit_disappears_after_the_window(thread: Thread, reader_rosa: Actor, rosa: Any) -> None:
    comment = post(thread, reader_rosa)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client = Client()
    client.force_login(rosa)
    html = page_of(thread, client)
    assert ">Edit</a>" not in html and ">Delete</a>" in html


def test_a_closed_discussion_has_no_form(
    thread: Thread, reader_rosa: Actor, moderator_max: Actor
) -> None:
    post(thread, reader_rosa)
    do_close_thread(thread=thread, actor=moderator_max)
    html = page_of(thread)
    assert "Comments are closed." in html
    assert 'id="comment-form"' not in html
    assert ">Reply</a>" not in html


def test_moderators_can_close_the_discussion_from_the_page(thread: Thread, max_user: Any) -> None:
    client = Client()
    client.force_login(max_user)
    assert "Close the discussion" in page_of(thread, client)
    response = client.post(f"/discussion/t/{thread.pk}/close/")
    assert response["Location"] == "/politics/room-for-the-river/#discussion"
    assert Thread.objects.get(pk=thread.pk).is_closed
    assert "Reopen the discussion" in page_of(thread, client)
    reader = Client()
    assert reader.post(f"/discussion/t/{thread.pk}/reopen/").status_code == 403


def test_an_empty_discussion_invites_the_first_comment(thread: Thread) -> None:
    assert "No comments yet. Start the discussion." in page_of(thread)


# --- query budget -----------------------------------------------------------------------


@pytest.mark.parametrize("size", [50, 5000])
def test_the_section_is_three_queries_at_any_size(
    size: int, django_assert_num_queries: Any
) -> None:
    thread = big_thread(size, seed=size)
    request = section_request()
    known_accounts()  # the team's accounts (badges) are read once a minute, not per page
    with django_assert_num_queries(3):  # the thread, top-level comments, their replies
        html = render_discussion(request, thread_key=thread.key, title=thread.title, url=thread.url)
    assert len(comment_ids(html)) > 20


@pytest.mark.parametrize("size", [50, 5000])
def test_my_votes_cost_one_more_query(size: int, django_assert_num_queries: Any) -> None:
    thread = big_thread(size, seed=size)
    request = section_request(reader="rosa-cookie")
    known_accounts()  # the team's accounts (badges) are read once a minute, not per page
    with django_assert_num_queries(4):
        render_discussion(request, thread_key=thread.key, title=thread.title, url=thread.url)


def test_a_page_of_5000_comments_costs_what_a_page_of_50_does(
    client: Client, django_assert_num_queries: Any
) -> None:
    small, large = big_thread(50, seed=1), big_thread(5000, seed=2)
    page_of(small, client)  # warm the site-wide caches (navigation, site root)
    counts = []
    for thread in (small, large):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page_of(thread, client)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_one_giant_sub_thread_is_capped_with_a_link_to_all_its_replies(
    thread: Thread, reader_rosa: Actor, settings: Any
) -> None:
    settings.BROADSHEET_DISCUSSION_REPLIES_PER_ROOT = 3
    root = post(thread, reader_rosa, "Root")
    replies = [post(thread, guest(f"g{n}"), f"reply {n}", parent=root) for n in range(5)]
    html = page_of(thread)
    assert comment_ids(html) == [root.pk, *[r.pk for r in replies[:3]]]
    assert f'<a href="/discussion/c/{root.pk}/replies/">View all 5 replies</a>' in html
    everything = Client().get(f"/discussion/c/{root.pk}/replies/").content.decode()
    assert comment_ids(everything) == [root.pk, *[r.pk for r in replies]]


def test_all_replies_shows_me_my_held_reply_as_the_discussion_does(
    thread: Thread, reader_rosa: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    held = post(thread, guest("gabriel-cookie"), "Held for a moderator.", parent=root)
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    url = f"/discussion/c/{root.pk}/replies/"
    mine = as_reader(Client(), "gabriel-cookie").get(url).content.decode()
    assert comment_ids(mine) == [root.pk, held.pk]
    assert comment_ids(as_reader(Client(), "layla-cookie").get(url).content.decode()) == [root.pk]


def test_the_replies_page_of_a_reply_is_its_roots(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa)
    reply = post(thread, reader_rosa, parent=root)
    response = Client().get(f"/discussion/c/{reply.pk}/replies/")
    assert response.status_code == 302
    assert response["Location"] == f"/discussion/c/{root.pk}/replies/#comment-{reply.pk}"


# --- paging, sorting, permalinks -----------------------------------------------------------


@pytest.fixture
def thirty(thread: Thread, reader_rosa: Actor, settings: Any) -> list[Comment]:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 10
    comments = [post(thread, reader_rosa, f"comment {n}") for n in range(30)]
    Comment.objects.filter(pk=comments[3].pk).update(upvotes=9, score=9)
    return comments


def test_load_more_shows_the_next_page_without_javascript(
    thread: Thread, thirty: list[Comment]
) -> None:
    first = page_of(thread)
    assert comment_ids(first) == [c.pk for c in reversed(thirty[20:])]
    assert 'href="?cpage=2#discussion"' in first
    assert f'hx-get="/discussion/t/{thread.pk}/comments/?sort=newest&amp;cpage=2"' in first
    second = page_of(thread, query="?cpage=2")
    assert comment_ids(second) == [c.pk for c in reversed(thirty[10:20])]
    assert 'href="#discussion">Previous comments</a>' in second
    last = page_of(thread, query="?cpage=3")
    assert "Load more comments" not in last


def test_load_more_with_htmx_appends_the_next_page_in_place(
    thread: Thread, thirty: list[Comment]
) -> None:
    response = Client().get(
        f"/discussion/t/{thread.pk}/comments/?sort=newest&cpage=2", headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<li class="comment-thread">')
    assert comment_ids(html) == [c.pk for c in reversed(thirty[10:20])]
    assert '<div class="discussion__more" id="discussion-more" hx-swap-oob="true">' in html
    assert "cpage=3" in html


def test_the_fragment_url_without_htmx_goes_to_the_host_page(thread: Thread) -> None:
    response = Client().get(f"/discussion/t/{thread.pk}/comments/?cpage=2")
    assert response["Location"] == "/politics/room-for-the-river/?cpage=2#discussion"


def test_most_voted_puts_the_top_comment_first_and_marks_the_sort(
    thread: Thread, thirty: list[Comment]
) -> None:
    html = page_of(thread, query="?sort=top")
    assert comment_ids(html)[0] == thirty[3].pk
    assert '<a href="?sort=top#discussion" aria-current="true">Most voted</a>' in html
    assert 'href="?sort=top&amp;cpage=2#discussion"' in html


def test_a_permalink_opens_the_page_holding_the_comment_and_highlights_it(
    thread: Thread, thirty: list[Comment]
) -> None:
    target = thirty[5]  # page 3 when newest first
    html = page_of(thread, query=f"?comment={target.pk}")
    assert target.pk in comment_ids(html)
    assert f'<article id="comment-{target.pk}" class="comment is-highlighted"' in html
    assert 'href="?cpage=2#discussion">Previous comments</a>' in html


def test_a_permalink_to_a_reply_opens_its_trees_page(
    thread: Thread, thirty: list[Comment], reader_rosa: Actor
) -> None:
    reply = post(thread, guest("g"), "deep reply", parent=thirty[2])
    html = page_of(thread, query=f"?comment={reply.pk}&sort=oldest")
    assert reply.pk in comment_ids(html) and thirty[2].pk in comment_ids(html)


def test_the_permalink_url_redirects_to_the_host_page(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    response = Client().get(f"/discussion/c/{comment.pk}/?sort=top")
    assert (
        response["Location"]
        == f"/politics/room-for-the-river/?comment={comment.pk}&sort=top#comment-{comment.pk}"
    )


def test_held_comments_are_not_found(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.SPAM)
    assert Client().get(f"/discussion/c/{comment.pk}/").status_code == 404


# --- posting without JavaScript ----------------------------------------------------------


def test_a_guest_posts_and_lands_on_their_comment(thread: Thread) -> None:
    client = Client()
    response = client.post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "First!",
            "name": "Gabriel",
            "email": "g@example.org",
            "next": "/politics/room-for-the-river/",
        },
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/politics/room-for-the-river/?comment={comment.pk}#comment-{comment.pk}"
    )
    assert READER_COOKIE in response.cookies
    assert ">Edit</a>" in page_of(thread, client)


def test_next_never_leads_to_another_site(thread: Thread) -> None:
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "Hi", "name": "G", "email": "g@example.org", "next": "https://evil.example/"},
    )
    assert response["Location"].startswith("/politics/room-for-the-river/?comment=")


def test_a_refused_comment_keeps_the_text_and_says_what_is_wrong(thread: Thread) -> None:
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "My carefully written <thoughts>",
            "name": "",
            "email": "g@example.org",
            "next": "/politics/room-for-the-river/",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "My carefully written &lt;thoughts&gt;</textarea>" in html
    assert 'aria-invalid="true" aria-describedby="comment-form-name-error"' in html
    assert (
        '<p class="form-error" id="comment-form-name-error">'
        "Please give a name to show with your comment.</p>" in html
    )
    assert 'name="next" value="/politics/room-for-the-river/"' in html
    assert not Comment.objects.exists()


def test_posting_needs_the_csrf_token(thread: Thread) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/discussion/t/{thread.pk}/post/", {"body": "Hi", "name": "G", "email": "g@example.org"}
    )
    assert response.status_code == 403


def test_preview_without_javascript_shows_the_comment_and_keeps_the_text(thread: Thread) -> None:
    response = Client().post(
        f"/discussion/t/{thread.pk}/preview/", {"body": "Is **this** right?", "name": "Gabriel"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        '<div class="comment__body" dir="auto">'
        '<p dir="auto">Is <strong>this</strong> right?</p></div>' in html
    )
    assert "Is **this** right?</textarea>" in html
    assert 'value="Gabriel"' in html
    assert not Comment.objects.exists()


def test_reply_without_javascript_opens_a_form_under_the_comment(
    thread: Thread, reader_rosa: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    html = page_of(thread, query=f"?reply_to={root.pk}")
    article = html[html.index(f'id="comment-{root.pk}"') :]
    assert article.index('<div id="reply-form">') < article.index("</article>")
    assert f'<input type="hidden" name="parent" value="{root.pk}">' in article
    assert 'Reply to <span dir="auto">Rosa Lindqvist</span>' in article
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "Agreed",
            "parent": root.pk,
            "name": "Gabriel",
            "email": "g@example.org",
            "next": "/politics/room-for-the-river/",
        },
    )
    reply = Comment.objects.get(parent=root)
    assert response["Location"].endswith(f"?comment={reply.pk}#comment-{reply.pk}")


def test_the_reply_link_keeps_the_page_and_sort(thread: Thread, thirty: list[Comment]) -> None:
    html = page_of(thread, query="?sort=oldest&cpage=2")
    assert f'href="?sort=oldest&amp;cpage=2&amp;reply_to={thirty[10].pk}#reply-form"' in html


def test_a_refused_reply_comes_back_under_its_comment_with_the_text(
    thread: Thread, reader_rosa: Actor
) -> None:
    root = post(thread, reader_rosa, "Root")
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "", "parent": root.pk, "name": "G", "email": "g@example.org"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    article = html[html.index(f'id="comment-{root.pk}"') :]
    assert article.index("Please write a comment.") < article.index("</article>")


# --- posting with htmx -------------------------------------------------------------------------


def test_htmx_post_returns_a_fresh_form_the_new_comment_and_the_count(thread: Thread) -> None:
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "Hello", "name": "Gabriel", "email": "g@example.org"},
        headers=HTMX,
    )
    html = response.content.decode()
    comment = Comment.objects.get()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="comment-form"')
    assert '<ol hx-swap-oob="afterbegin:#discussion-comments"><li class="comment-thread">' in html
    assert f'<article id="comment-{comment.pk}" class="comment is-highlighted"' in html
    assert '<span id="discussion-count" hx-swap-oob="true">1</span>' in html
    # Hides the "No comments yet." line, which every first page has (see section.html).
    assert (
        '<p class="discussion__empty" id="discussion-empty" hidden hx-swap-oob="true"></p>' in html
    )


def test_htmx_errors_are_4xx_that_htmx_swaps_in(thread: Thread) -> None:
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "Kept", "name": "G", "email": "nope"},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert "Please check your e-mail address." in html
    assert "Kept</textarea>" in html


def test_htmx_preview_is_a_fragment(thread: Thread) -> None:
    response = Client().post(f"/discussion/t/{thread.pk}/preview/", {"body": "*hi*"}, headers=HTMX)
    assert (
        response.content.decode()
        .strip()
        .endswith('<div class="comment__body" dir="auto"><p dir="auto"><em>hi</em></p></div>')
    )
    empty = Client().post(f"/discussion/t/{thread.pk}/preview/", {"body": " "}, headers=HTMX)
    assert "Please write a comment." in empty.content.decode()


def test_htmx_reply_form_and_reply(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa, "Root")
    form = Client().get(f"/discussion/c/{root.pk}/reply/", headers=HTMX).content.decode()
    assert f'<form id="reply-form-{root.pk}"' in form
    response = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "Reply!", "parent": root.pk, "name": "G", "email": "g@example.org"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<ol class="comment-replies comment-replies--new"><li>')
    assert 'Reply to <span dir="auto">Rosa Lindqvist</span>' in html


def test_the_reply_url_without_htmx_opens_the_host_page_at_the_form(
    thread: Thread, reader_rosa: Actor
) -> None:
    root = post(thread, reader_rosa)
    response = Client().get(f"/discussion/c/{root.pk}/reply/")
    assert response["Location"] == f"/politics/room-for-the-river/?reply_to={root.pk}#reply-form"


# --- editing, deleting, voting -----------------------------------------------------------


def test_the_author_edits_without_javascript(thread: Thread, reader_rosa: Actor, rosa: Any) -> None:
    comment = post(thread, reader_rosa, "Frist")
    client = Client()
    client.force_login(rosa)
    form = client.get(f"/discussion/c/{comment.pk}/edit/").content.decode()
    assert "Frist</textarea>" in form
    preview = client.post(
        f"/discussion/c/{comment.pk}/edit/", {"body": "First *really*", "preview": "1"}
    ).content.decode()
    assert "<em>really</em>" in preview and "First *really*</textarea>" in preview
    response = client.post(f"/discussion/c/{comment.pk}/edit/", {"body": "First"})
    assert response["Location"] == f"/discussion/c/{comment.pk}/"
    assert Comment.objects.get(pk=comment.pk).body_source == "First"


def test_an_edit_with_htmx_swaps_the_comment(thread: Thread, reader_rosa: Actor, rosa: Any) -> None:
    comment = post(thread, reader_rosa, "Frist")
    client = Client()
    client.force_login(rosa)
    form = client.get(f"/discussion/c/{comment.pk}/edit/", headers=HTMX).content.decode()
    assert form.startswith(f'<article id="comment-{comment.pk}" class="comment comment--editing">')
    html = client.post(
        f"/discussion/c/{comment.pk}/edit/", {"body": "First"}, headers=HTMX
    ).content.decode()
    assert html.startswith(f'<article id="comment-{comment.pk}"')
    assert ">edited</span>" in html
    cancel = client.get(f"/discussion/c/{comment.pk}/fragment/", headers=HTMX).content.decode()
    assert cancel.startswith(f'<article id="comment-{comment.pk}"')


def test_nobody_else_can_edit(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa, "Mine")
    response = Client().post(f"/discussion/c/{comment.pk}/edit/", {"body": "Yours"})
    assert response.status_code == 403
    assert "Only the author can edit this comment." in response.content.decode()


def test_deleting_a_comment_with_replies_leaves_a_placeholder(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    root = post(thread, reader_rosa, "To be deleted")
    reply = post(thread, guest("g"), "Still here", parent=root)
    client = Client()
    client.force_login(rosa)
    assert "Delete this comment?" in client.get(f"/discussion/c/{root.pk}/delete/").content.decode()
    response = client.post(f"/discussion/c/{root.pk}/delete/")
    assert response["Location"] == f"/discussion/c/{root.pk}/"
    html = page_of(thread)
    assert '<p class="comment__body comment__body--deleted">[deleted]</p>' in html
    assert "To be deleted" not in html
    assert comment_ids(html) == [root.pk, reply.pk]
    assert 'Reply to <span dir="auto">[deleted]</span>' in html


def test_a_deleted_comment_without_replies_disappears(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    comment = post(thread, reader_rosa)
    client = Client()
    client.force_login(rosa)
    response = client.post(f"/discussion/c/{comment.pk}/delete/")
    assert response["Location"] == "/politics/room-for-the-river/#discussion"
    assert comment_ids(page_of(thread)) == []


def test_htmx_delete_answers_with_the_placeholder_or_a_notice(
    thread: Thread, reader_rosa: Actor, rosa: Any
) -> None:
    lonely = post(thread, reader_rosa, "Alone")
    root = post(thread, reader_rosa, "Has replies")
    post(thread, guest("g"), parent=root)
    client = Client()
    client.force_login(rosa)
    notice = client.post(f"/discussion/c/{lonely.pk}/delete/", headers=HTMX).content.decode()
    assert "Comment deleted." in notice
    placeholder = client.post(f"/discussion/c/{root.pk}/delete/", headers=HTMX).content.decode()
    assert "[deleted]" in placeholder
    assert '<span id="discussion-count" hx-swap-oob="true">1</span>' in placeholder


def test_nobody_else_can_delete(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    response = Client().post(f"/discussion/c/{comment.pk}/delete/")
    assert response.status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.APPROVED


def test_voting_without_javascript_comes_back_to_the_comment(
    thread: Thread, reader_rosa: Actor
) -> None:
    comment = post(thread, reader_rosa)
    client = Client()
    response = client.post(f"/discussion/c/{comment.pk}/vote/?sort=top", {"value": "1"})
    assert response["Location"] == f"/discussion/c/{comment.pk}/?sort=top"
    assert READER_COOKIE in response.cookies
    assert Comment.objects.get(pk=comment.pk).score == 1
    html = page_of(thread, client)
    assert 'aria-pressed="true"' in html


def test_voting_with_htmx_swaps_the_buttons(thread: Thread, reader_rosa: Actor) -> None:
    comment = post(thread, reader_rosa)
    client = Client()
    up = client.post(
        f"/discussion/c/{comment.pk}/vote/", {"value": "1"}, headers=HTMX
    ).content.decode()
    assert up.startswith('<form class="comment__vote"')
    assert 'value="0" class="vote vote--up" aria-pressed="true"' in up
    assert "<span data-score>1</span>" in up
    undo = client.post(
        f"/discussion/c/{comment.pk}/vote/", {"value": "0"}, headers=HTMX
    ).content.decode()
    assert "<span data-score>0</span>" in undo


def test_a_refused_vote_says_why(thread: Thread, reader_rosa: Actor, rosa: Any) -> None:
    comment = post(thread, reader_rosa)
    client = Client()
    client.force_login(rosa)
    response = client.post(f"/discussion/c/{comment.pk}/vote/", {"value": "1"}, headers=HTMX)
    assert response.status_code == 403
    assert response["HX-Reswap"] == "outerHTML"
    assert "You cannot vote on your own comment." in response.content.decode()
    page = client.post(f"/discussion/c/{comment.pk}/vote/", {"value": "1"})
    assert (
        page.status_code == 403 and "You cannot vote on your own comment." in page.content.decode()
    )


def test_votes_on_deleted_comments_are_refused(thread: Thread, reader_rosa: Actor) -> None:
    root = post(thread, reader_rosa)
    post(thread, reader_rosa, parent=root)
    do_delete_comment(comment=root, actor=reader_rosa)
    assert Client().post(f"/discussion/c/{root.pk}/vote/", {"value": "1"}).status_code == 400


# --- avatars ----------------------------------------------------------------------------


def test_avatars_are_local_svgs_cached_for_a_year(client: Client) -> None:
    response = client.get("/discussion/avatar/0123456789abcdef.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert (
        "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    )
    assert response.content.startswith(b"<svg")
    assert client.get("/discussion/avatar/not-a-digest.svg").status_code == 404


def test_the_discussion_tag_renders_a_section(thread: Thread, reader_rosa: Actor) -> None:
    from django.template import Context, Template

    post(thread, reader_rosa, "Through the tag")
    html = Template(
        '{% load discussion_tags %}{% discussion "tag-thread" "Tagged" "/tagged/" %}'
    ).render(Context({"request": section_request()}))
    assert 'id="discussion"' in html
    assert Thread.objects.get(key="tag-thread").url == "/tagged/"


def test_unknown_threads_and_comments_are_404(client: Client) -> None:
    assert client.get("/discussion/t/999/").status_code == 404
    assert client.get("/discussion/c/999/").status_code == 404


def test_a_reply_to_a_comment_the_reader_may_not_see_keeps_their_text(
    thread: Thread, guest_gabriel: Actor
) -> None:
    """The HTML reply path fetches its parent as the API does (access_comment_to_act_on):
    a held comment is not there for this reader, so the reply is refused, text kept."""
    held = post(thread, guest_gabriel, "Pending one.")
    Comment.objects.filter(pk=held.pk).update(status=Comment.Status.PENDING)
    answer = Client().post(
        f"/discussion/t/{thread.pk}/post/",
        {
            "body": "My careful reply.",
            "name": "Layla",
            "email": "layla@example.org",
            "parent": held.pk,
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "you can no longer reply to it" in html and "My careful reply." in html
    assert Comment.objects.count() == 1


# --- weight of the first screen ------------------------------------------------------------

ELEMENT = re.compile(r"<[a-zA-Z]")


def test_a_comment_costs_a_phone_at_most_21_elements(thread: Thread, reader_rosa: Actor) -> None:
    """A big discussion's first screen is mostly comments, and a slow phone pays for each
    element in style, layout and htmx's start (docs/readers.md). A one-paragraph comment
    with its votes, Reply and Report, as a reader we know nothing about sees it, stays
    within 21 elements (its list item included); every control still names whose comment
    it acts on."""
    post(thread, reader_rosa, "One paragraph.")
    html = page_of(thread)
    start = html.index('<li class="comment-thread">')
    one = html[start : html.index("</li>", start)]
    assert len(ELEMENT.findall(one)) <= 21, one
    names = re.findall(r'aria-label="([\w ]+?) the comment by ([^"]+)"', one)
    assert [verb for verb, _name in names] == ["Upvote", "Downvote", "Reply to", "Report"]
