"""/me/comments/: a reader's own comments, newest first, linked, paged, at a constant
number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from broadsheet.discussion.actions import do_delete_comment
from broadsheet.discussion.testing import guest, make_thread, member, post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _engine_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_ACCOUNTS_MY_COMMENTS_PAGE_SIZE = 3


def test_my_comments_lists_mine_only_newest_first_with_links(
    client: Client, rosa: Any, layla: Any
) -> None:
    river = make_thread(title="Room for the river")
    budget = make_thread(title="The budget, line by line")
    first = post(river, member(rosa), "Rosa on the river.")
    second = post(budget, member(rosa), "Rosa on the budget.")
    post(river, member(layla), "Layla's view.")
    post(river, guest(), "A guest's view.")
    gone = post(river, member(rosa), "Rosa regrets this.")
    do_delete_comment(comment=gone, actor=member(rosa))

    client.force_login(rosa)
    html = client.get("/me/comments/").content.decode()
    assert html.index("Rosa on the budget.") < html.index("Rosa on the river.")
    assert f'href="/discussion/c/{second.pk}/"' in html
    assert f'href="/discussion/c/{first.pk}/"' in html
    assert "The budget, line by line" in html and "Room for the river" in html
    assert "Layla" not in html and "guest" not in html and "regrets" not in html


def test_my_comments_are_paged_at_a_constant_query_count(client: Client, rosa: Any) -> None:
    thread = make_thread()
    client.force_login(rosa)

    def queries_for(page: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/me/comments/?page={page}").status_code == 200
        return len(captured)

    for n in range(3):
        post(thread, member(rosa), f"Comment number {n}.")
    queries_for(1)  # the first request of a session also saves it
    few = queries_for(1)
    for n in range(3, 14):
        post(thread, member(rosa), f"Comment number {n}.")
    assert queries_for(1) == few
    assert queries_for(3) == few
    page_two = client.get("/me/comments/?page=2").content.decode()
    assert "Comment number 10." in page_two and "Comment number 13." not in page_two
    assert 'rel="prev" href="?page=1"' in page_two and 'rel="next" href="?page=3"' in page_two


def test_a_reader_without_comments_is_told_so(client: Client, rosa: Any) -> None:
    client.force_login(rosa)
    assert "You have not commented yet." in client.get("/me/comments/").content.decode()
