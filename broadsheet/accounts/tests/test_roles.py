"""The permission matrix of docs/accounts.md, end to end over HTTP, for every role.

Rows are what exists today: editing and deleting comments (HTML views and the API),
closing and reopening a discussion (discussion.moderate_comment), opening the admin.
Hiding, featuring, banning and the pending queue belong to the moderation app and are
listed in the docs as "(moderation)" rows, not tested here until their endpoints exist.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import make_thread, make_user, member, post

pytestmark = pytest.mark.django_db

ROLES = ["guest", "reader", "trusted commenter", "moderator", "editor", "administrator"]
# role → the capabilities it has (the docs table, row by row)
MATRIX: dict[str, set[str]] = {
    "guest": {"edit own", "delete own"},  # by the reader cookie of the same browser
    "reader": {"edit own", "delete own"},
    "trusted commenter": {"edit own", "delete own"},
    "moderator": {"edit own", "delete own", "delete others", "close thread", "open admin"},
    "editor": {"edit own", "delete own", "delete others", "close thread", "open admin"},
    "administrator": {"edit own", "delete own", "delete others", "close thread", "open admin"},
}
CAPABILITIES = [
    "edit own",
    "edit others",
    "delete own",
    "delete others",
    "close thread",
    "open admin",
]


@pytest.fixture(autouse=True)
def _engine_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)


def account_for(role: str, ada: Any, eve: Any, max_user: Any, tom: Any, rosa: Any) -> Any:
    return {
        "guest": None,
        "reader": rosa,
        "trusted commenter": tom,
        "moderator": max_user,
        "editor": eve,
        "administrator": ada,
    }[role]


@pytest.fixture
def people(ada: Any, eve: Any, max_user: Any, tom: Any, rosa: Any) -> dict[str, Any]:
    return {role: account_for(role, ada, eve, max_user, tom, rosa) for role in ROLES}


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread(title="Room for the river")


@pytest.fixture
def layla_comment(thread: Thread) -> Comment:
    return post(thread, member(make_user("layla")), "Layla's comment.")


def client_for(user: Any) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def attempt(capability: str, user: Any, thread: Thread, others: Comment) -> bool:
    """Try the capability over HTTP; True when it was done."""
    client = client_for(user)
    own = _own_comment(client, user, thread)
    if capability == "edit own":
        answer = client.post(f"/discussion/c/{own.pk}/edit/", {"body": "Edited by me."})
        api = client.patch(
            f"/api/v1/comments/{own.pk}", {"body": "Edited again."}, content_type="application/json"
        )
        done = answer.status_code == 302 and api.status_code == 200
        assert done == (Comment.objects.get(pk=own.pk).body_source == "Edited again.")
        return done
    if capability == "edit others":
        answer = client.post(f"/discussion/c/{others.pk}/edit/", {"body": "Hijacked."})
        api = client.patch(
            f"/api/v1/comments/{others.pk}", {"body": "Hijacked."}, content_type="application/json"
        )
        assert answer.status_code in (302, 403) and api.status_code in (200, 403)
        return Comment.objects.get(pk=others.pk).body_source == "Hijacked."
    if capability == "delete own":
        answer = client.post(f"/discussion/c/{own.pk}/delete/")
        return answer.status_code == 302 and _deleted(own)
    if capability == "delete others":
        # HTML view on one comment, API on another: both must agree.
        second = post(thread, member(make_user()), "Another reader's comment.")
        html = client.post(f"/discussion/c/{others.pk}/delete/")
        api = client.delete(f"/api/v1/comments/{second.pk}")
        assert (html.status_code == 302) == (api.status_code == 200)
        assert html.status_code in (302, 403) and api.status_code in (200, 403)
        assert _deleted(others) == _deleted(second)
        return _deleted(others)
    if capability == "close thread":
        closed = client.post(f"/discussion/t/{thread.pk}/close/")
        thread.refresh_from_db()
        was_closed = thread.is_closed
        reopened = client.post(f"/discussion/t/{thread.pk}/reopen/")
        thread.refresh_from_db()
        assert closed.status_code in (302, 403) and reopened.status_code in (302, 403)
        return was_closed and not thread.is_closed
    if capability == "open admin":
        answer = client.get("/admin/")
        assert answer.status_code in (200, 302, 403)
        return answer.status_code == 200
    raise AssertionError(capability)


def _own_comment(client: Client, user: Any, thread: Thread) -> Comment:
    """A comment this client wrote, posted over HTTP (a guest gives name and e-mail and
    is known afterwards by the reader cookie)."""
    guest = {"name": "Gabriel", "email": "gabriel@example.org"} if user is None else {}
    answer = client.post(f"/discussion/t/{thread.pk}/post/", {"body": "My own comment.", **guest})
    assert answer.status_code == 302, answer.content
    return Comment.objects.filter(body_source="My own comment.").latest("pk")


def _deleted(comment: Comment) -> bool:
    return Comment.objects.get(pk=comment.pk).status == Comment.Status.DELETED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("capability", CAPABILITIES)
def test_the_permission_matrix(
    role: str, capability: str, people: dict[str, Any], thread: Thread, layla_comment: Comment
) -> None:
    expected = capability in MATRIX[role]
    assert attempt(capability, people[role], thread, layla_comment) is expected


def test_the_roles_are_groups_with_the_right_permissions() -> None:
    moderators = Group.objects.get(name="Moderators")
    codes = set(moderators.permissions.values_list("content_type__app_label", "codename"))
    assert {("discussion", "moderate_comment"), ("wagtailadmin", "access_admin")} <= codes
    trusted = Group.objects.get(name="Trusted commenters")
    assert not trusted.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name="Editors").exists()


def test_the_matrix_in_the_docs_matches_the_one_tested() -> None:
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[3] / "docs" / "accounts.md").read_text()
    for capability in CAPABILITIES:
        row = next(line for line in docs.splitlines() if line.startswith(f"| {capability} |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")][1:]
        assert [cell.startswith("yes") for cell in cells] == [
            capability in MATRIX[role] for role in ROLES
        ], row
