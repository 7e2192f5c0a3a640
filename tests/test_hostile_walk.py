"""A property-based walk (Hypothesis) over every API operation, read from the OpenAPI
schema itself so a new operation is walked without a change here, and over every HTML
form a reader, a guest or a moderator can send: hostile values in every field, path and
query parameter (control characters, unpaired surrogates, non-characters, huge and
Unicode numbers, wrong JSON types, bodies that are not JSON), as anonymous, a signed-in
reader and a moderator. No answer may be a 5xx; an API answer is always JSON.

Runs in-process on the suite's database (SQLite, or PostgreSQL + Redis in CI's second
pass), where PostgreSQL refuses what SQLite stores (NUL) and range-checks integers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from broadsheet.articles.testing import make_article
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member, post

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

API = "/api/v1"
BIG = 2**63

NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\x7f",
    "\u0085",
    "\ufdd0",
    "\ufffe",
    "\U0010ffff",
    "\u202e",
    "²",
    "٣",
    "-1",
    "0",
    "1.0",
    "1e3",
    "NaN",
    "null",
    "true",
    str(BIG),
    str(BIG - 1),
    "99999999999999999999",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "%00",
    "../../etc/passwd",
    "\r\nSet-Cookie: x=1",
    "a" * 20_000,
    "x@y",
    "https://evil.example/?t=\x00csrf\x00",
    "{{ 7*7 }}",
]
# Form posts are UTF-8 bytes: an unpaired surrogate cannot be sent in one (JSON can).
FORM_TEXT = st.one_of(
    st.sampled_from(NASTY_STRINGS),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
)
JSON_TEXT = st.one_of(FORM_TEXT, st.text(st.characters(), max_size=30), st.just("\ud800"))
JSON_VALUE: st.SearchStrategy[Any] = st.one_of(
    JSON_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([BIG, BIG - 1, -1, 0, 1, True, False, None, 1.0, float("nan"), 1e308]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
ID_TEXT = st.one_of(
    st.sampled_from(["²", "٣", "-1", "0", str(BIG), "99999999999999999999", "null", "1.5", "x"]),
    st.integers(min_value=0, max_value=2**70).map(str),
)


@dataclass
class World:
    thread: Thread
    comment: Comment
    guest_comment: Comment
    article_id: int
    clients: dict[str, Client]


@pytest.fixture
def world(db: None, settings: Any, site_structure: Any) -> World:
    # Limits high enough that the walk reaches the checks behind them (429s are fine,
    # but a walk that only meets them proves little).
    for name in (
        "BROADSHEET_DISCUSSION_POST_RATE_LIMIT",
        "BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT",
        "BROADSHEET_REACTION_RATE_LIMIT",
        "BROADSHEET_NOTIFICATIONS_SUBSCRIBE_RATE_LIMIT",
        "BROADSHEET_MODERATION_ACCOUNT_RATE_LIMIT",
        "BROADSHEET_MODERATION_REPORT_RATE_LIMIT",
        "BROADSHEET_MODERATION_FLOOD_LIMIT",
    ):
        setattr(settings, name, (100_000, 60))
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    article = make_article(title="The river plan")
    thread = make_thread("walk", title="Walk", url="/walk/")
    rosa = make_user("rosa", name="Rosa Lindqvist")
    max_user = make_user("max", name="Max Moderator", moderator=True)
    max_user.groups.add(Group.objects.get(name="Moderators"))
    comment = post(thread, member(rosa), "Rosa's comment")
    guest_comment = post(thread, guest("gabriel"), "Gabriel's comment", name="Gabriel")
    clients = {"anonymous": Client(), "rosa": Client(), "max": Client()}
    clients["rosa"].force_login(rosa)
    clients["max"].force_login(max_user)
    return World(thread, comment, guest_comment, article.pk, clients)


# --- the API, operation by operation from its own schema -----------------------------------


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def api_operations() -> list[tuple[str, str, list[str]]]:
    """(method, path template, body field names) of every operation in the schema."""
    schema = Client().get(f"{API}/openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            fields = []
            if body:
                fields = list(_resolve(schema, body["schema"]).get("properties", {}))
            found.append((method, path.removeprefix(API), fields))
    return found


@pytest.mark.parametrize("who", ["anonymous", "rosa", "max"])
def test_no_api_operation_answers_a_5xx_to_anything(world: World, who: str) -> None:
    operations = api_operations()
    assert len(operations) >= 7  # csrf, list, get, post, edit, delete, vote
    client = world.clients[who]

    @settings(
        max_examples=120,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def walk(data: st.DataObject) -> None:
        method, template, fields = data.draw(st.sampled_from(operations))
        path = template
        for name in re.findall(r"{(\w+)}", template):
            real = world.thread.key if name == "key" else str(world.comment.pk)
            value = data.draw(st.one_of(st.just(real), ID_TEXT, FORM_TEXT.map(str)))
            path = path.replace("{" + name + "}", value.replace("/", "%2F").replace("?", "%3F"))
        query = data.draw(
            st.sampled_from(["", "?page=", "?page=0", f"?page={BIG}", "?page=²", "?sort=x"])
        )
        kind = data.draw(st.sampled_from(["object", "object", "object", "raw"]))
        if kind == "object":
            body: dict[str, Any] = {
                name: data.draw(JSON_VALUE) for name in fields if data.draw(st.booleans())
            }
            add_body = data.draw(st.booleans())
            if fields and add_body:
                body["body"] = data.draw(JSON_TEXT)
            payload = json.dumps(body)
        else:
            payload = data.draw(
                st.sampled_from(["", "{", "[]", "null", '"x"', "1", '{"value": NaN}', "\xff"])
            )
        url = f"{API}{path}{query}"
        try:
            if method == "get":
                response = client.get(url)
            else:
                send = getattr(client, method)
                response = send(url, data=payload, content_type="application/json")
        except UnicodeEncodeError:
            return  # the test client itself cannot send it; no server would receive it
        assert response.status_code < 500, (method, url, payload[:300], response.content[:500])
        if response.status_code != 301:
            assert response["Content-Type"].startswith("application/json"), (method, url)

    walk()


# --- every HTML form ---------------------------------------------------------------------------


def html_forms(world: World) -> list[tuple[str, str, list[str]]]:
    """(path with {id} for the id in the address, id kind, field names) of every form."""
    thread, comment = world.thread.pk, world.comment.pk
    return [
        (
            "/discussion/t/{id}/post/",
            str(thread),
            [
                "body",
                "name",
                "email",
                "website",
                "parent",
                "next",
                "sort",
                "homepage",
                "rendered",
                "anchor_kind",
                "anchor_block_id",
                "anchor_quote",
                "anchor_start",
                "anchor_end",
            ],
        ),
        ("/discussion/t/{id}/preview/", str(thread), ["body", "parent", "name"]),
        ("/discussion/c/{id}/edit/", str(comment), ["body", "preview"]),
        ("/discussion/c/{id}/delete/", str(world.guest_comment.pk), []),
        ("/discussion/c/{id}/vote/", str(world.guest_comment.pk), ["value"]),
        ("/discussion/t/{id}/close/", str(thread), []),
        ("/discussion/t/{id}/reopen/", str(thread), []),
        ("/react/{id}/", str(world.article_id), ["value"]),
        ("/notify/t/{id}/subscribe/", str(thread), ["kind", "email", "next"]),
        ("/moderation/report/{id}/", str(comment), ["reason", "note"]),
        ("/moderation/decide/{id}/", str(comment), ["action", "reason", "notify"]),
        ("/accounts/signup/", "", ["email", "username", "password1", "password2"]),
        ("/accounts/login/", "", ["login", "password"]),
        ("/accounts/password/reset/", "", ["email"]),
        ("/me/profile/", "", ["display_name", "bio", "remove_avatar"]),
        ("/admin/moderation/act/?comment={id}", str(comment), ["action", "comments", "reason"]),
        ("/admin/moderation/commenter/c:{id}/", str(comment), ["kind", "until", "reason"]),
        ("/admin/moderation/commenter/c:{id}/", str(comment), ["text"]),
        ("/admin/moderation/thread/{id}/close/", str(thread), ["reason", "confirmed"]),
        (
            "/admin/moderation/act/",
            "",
            ["action", "comments", "reason", "duration", "confirmed", "notify"],
        ),
    ]


@pytest.mark.parametrize("who", ["anonymous", "rosa", "max"])
def test_no_html_form_answers_a_5xx_to_anything(world: World, who: str) -> None:
    forms = html_forms(world)
    client = world.clients[who]

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def walk(data: st.DataObject) -> None:
        template, real_id, fields = data.draw(st.sampled_from(forms))
        ident = data.draw(st.one_of(st.just(real_id), ID_TEXT))
        url = template.replace("{id}", ident)
        values = {name: data.draw(FORM_TEXT) for name in fields if data.draw(st.booleans())}
        if "value" in fields and data.draw(st.booleans()):
            values["value"] = data.draw(st.sampled_from(["up", "down", "none", "1", "-1"]))
        headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
        response = client.post(url, values, headers=headers)
        assert response.status_code < 500, (url, values, response.content[:500])
        # The page a form answers with, or redirects to, renders too.
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            follow = client.get(response["Location"])
            assert follow.status_code < 500, (response["Location"], follow.content[:500])

    walk()


@pytest.mark.parametrize(
    "path",
    [
        "/discussion/t/{thread}/?cpage={x}&sort={x}&comment={x}&reply_to={x}",
        "/discussion/c/{comment}/replies/?after={x}&comment={x}",
        "/discussion/c/{comment}/reply/?sort={x}",
        "/discussion/t/{thread}/passage/{x}/",
        "/admin/moderation/?thread={x}&author={x}&tab={x}&article={x}&key={x}",
        "/admin/moderation/audit/?action={x}&actor={x}&moderator={x}",
        "/search/?q={x}&page={x}",
        "/notify/mine/?page={x}",
        "/me/comments/?page={x}",
        "/?p={x}&cat={x}",
    ],
)
def test_no_page_answers_a_5xx_to_any_query(world: World, path: str) -> None:
    client = world.clients["max"]

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=st.one_of(ID_TEXT, FORM_TEXT))
    def walk(value: str) -> None:
        url = path.format(thread=world.thread.pk, comment=world.comment.pk, x=quote(value, safe=""))
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code < 500, (url, response.content[:500])

    walk()
