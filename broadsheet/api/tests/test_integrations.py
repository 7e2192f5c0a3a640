"""Beyond comments: what an integration does with the API that the admin does — threads,
the moderation queue, "Notify of" subscriptions and embedding sites — with scoped
tokens, a site token held to its own site."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.models import ModelLogEntry

from broadsheet.api.tokens import do_create_api_token
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.notifications.models import Subscription

BLOG_PAGE = "https://blog.example.org/2026/12/river-plan/"
SHOP_PAGE = "https://shop.example/kettle"


@pytest.fixture(autouse=True)
def _embed_settings(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.embed.policy.embed_policy"
    settings.BROADSHEET_EMBED_HOST_POLICY = "broadsheet.discussion.policy.default_policy"


@pytest.fixture
def admin(db: None) -> Any:
    user = make_user("ada", name="Ada Admin", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


@pytest.fixture
def sites(db: None) -> tuple[EmbeddingSite, EmbeddingSite]:
    blog = do_register_site(name="River blog", origin_lines=["https://blog.example.org"])
    shop = do_register_site(name="Corner shop", origin_lines=["https://shop.example"])
    return blog, shop


def _token(user: Any, scopes: list[str], site: EmbeddingSite | None = None) -> dict[str, str]:
    _, token = do_create_api_token(actor=member(user), name="bot", scopes=scopes, site=site)
    return {"Authorization": f"Bearer {token}"}


def _json(client: Client, method: str, url: str, headers: dict[str, str], body: Any) -> Any:
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_threads_are_listed_a_site_token_only_its_own(
    admin: Any, sites: tuple[EmbeddingSite, EmbeddingSite]
) -> None:
    blog, shop = sites
    river = do_register_page(site=blog, url=BLOG_PAGE, title="River plan")
    post(river, guest(), "Hello", name="G")
    kettle = do_register_page(site=shop, url=SHOP_PAGE, title="Kettle")
    client = Client()

    everything = client.get("/api/v1/threads", headers=_token(admin, ["read"])).json()
    assert [t["key"] for t in everything["threads"]] == [river.key, kettle.key]  # active first
    assert everything["has_next"] is False

    own = _token(admin, ["read"], site=blog)
    listed = client.get("/api/v1/threads", headers=own).json()["threads"]
    assert listed == [
        {
            "key": river.key,
            "title": "River plan",
            "url": BLOG_PAGE,
            "comment_count": 1,
            "is_closed": False,
        }
    ]
    assert (
        client.get("/api/v1/threads", {"key_prefix": f"site:{shop.pk}:"}, headers=own).status_code
        == 403
    )
    for bad in ("a\x00b", "x" * 101):
        refused = client.get(
            "/api/v1/threads", {"key_prefix": bad}, headers=_token(admin, ["read"])
        )
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "key_prefix"
    closed = client.get("/api/v1/threads", {"closed": "true"}, headers=_token(admin, ["read"]))
    assert closed.json()["threads"] == []


def test_the_moderation_queue_for_moderators_and_per_site(
    admin: Any, sites: tuple[EmbeddingSite, EmbeddingSite]
) -> None:
    blog, shop = sites
    EmbeddingSite.objects.update(moderation_mode="all")
    held_blog = post(do_register_page(site=blog, url=BLOG_PAGE), guest(), "Blog, held", name="G")
    post(do_register_page(site=shop, url=SHOP_PAGE), guest(), "Shop, held", name="H")
    moderator = make_user("max", moderator=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()

    queue = client.get("/api/v1/moderation/comments", headers=_token(moderator, ["moderate"]))
    assert queue.status_code == 200, queue.content
    assert sorted(c["body_html"] for c in queue.json()) == [
        '<p dir="auto">Blog, held</p>',
        '<p dir="auto">Shop, held</p>',
    ]
    per_site = client.get(
        "/api/v1/moderation/comments",
        {"key_prefix": f"site:{blog.pk}:"},
        headers=_token(moderator, ["moderate"]),
    ).json()
    assert [(c["id"], c["status"], c["thread_url"]) for c in per_site] == [
        (held_blog.pk, "pending", BLOG_PAGE)
    ]
    site_token = _token(admin, ["moderate"], site=shop)
    only_shop = client.get("/api/v1/moderation/comments", headers=site_token).json()
    assert [c["body_html"] for c in only_shop] == ['<p dir="auto">Shop, held</p>']

    nul = client.get(
        "/api/v1/moderation/comments", {"author": "\x00"}, headers=_token(moderator, ["moderate"])
    )
    assert nul.status_code == 422 and nul.json()["error"]["field"] == "author"
    reader = make_user("rosa")
    assert (
        client.get("/api/v1/moderation/comments", headers=_token(reader, ["read"])).status_code
        == 403
    )
    assert client.get("/api/v1/moderation/comments").status_code == 403
    signed_in = Client()
    signed_in.force_login(moderator)
    assert len(signed_in.get("/api/v1/moderation/comments").json()) == 2


def test_subscriptions_are_made_listed_and_cancelled(
    sites: tuple[EmbeddingSite, EmbeddingSite],
) -> None:
    blog, _ = sites
    thread = do_register_page(site=blog, url=BLOG_PAGE, title="River plan")
    rosa = make_user("rosa")
    headers = _token(rosa, ["read", "write"])
    client = Client(enforce_csrf_checks=True)

    made = _json(
        client,
        "post",
        f"/api/v1/threads/{thread.key}/subscriptions",
        headers,
        {"kind": "replies", "email": "rosa@elsewhere.example"},
    )
    assert made.status_code == 201, made.content
    answer = made.json()
    # Not the account's verified address: double opt-in, pending until confirmed.
    assert answer["subscription"]["status"] == "pending" and "confirm" in answer["message"]
    assert "rosa@elsewhere.example" not in json.dumps(answer["subscription"])
    listed = client.get("/api/v1/subscriptions", headers=headers).json()
    assert [(s["thread_key"], s["kind"]) for s in listed] == [(thread.key, "replies")]

    someone = _token(make_user("sam"), ["read", "write"])
    assert client.get("/api/v1/subscriptions", headers=someone).json() == []
    assert (
        client.delete(f"/api/v1/subscriptions/{listed[0]['id']}", headers=someone).status_code
        == 404
    )
    assert (
        client.delete(
            f"/api/v1/subscriptions/{listed[0]['id']}", headers=_token(rosa, ["read"])
        ).status_code
        == 403
    )
    cancelled = client.delete(f"/api/v1/subscriptions/{listed[0]['id']}", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Subscription.objects.get().status == Subscription.Status.CANCELLED
    assert client.get("/api/v1/subscriptions").status_code == 403  # nobody signed in

    guest_made = _json(
        Client(enforce_csrf_checks=True),
        "post",
        f"/api/v1/threads/{thread.key}/subscriptions",
        {},
        {"kind": "thread", "email": "g@example.org"},
    )
    assert guest_made.status_code == 403  # a cookie-less write without CSRF or a token


def test_sites_for_administrators_and_their_own_site_token(
    admin: Any, sites: tuple[EmbeddingSite, EmbeddingSite]
) -> None:
    blog, shop = sites
    EmbeddingSite.objects.filter(pk=blog.pk).update(sso_secret="s3cret-shared")
    client = Client(enforce_csrf_checks=True)
    everything = client.get("/api/v1/sites", headers=_token(admin, ["read"]))
    assert [s["name"] for s in everything.json()] == ["Corner shop", "River blog"]
    assert "s3cret-shared" not in everything.content.decode()
    own = _token(admin, ["read", "write"], site=blog)
    assert [s["key"] for s in client.get("/api/v1/sites", headers=own).json()] == [blog.key]
    assert client.get(f"/api/v1/sites/{shop.key}", headers=own).status_code == 403
    assert client.get("/api/v1/sites/nope", headers=own).status_code == 404
    # A key no site can have (PostgreSQL refuses a NUL in a query: it was a 500 there).
    assert client.get("/api/v1/sites/%00", headers=own).status_code == 404
    odd = _json(client, "patch", "/api/v1/sites/%00", own, {"name": "x"})
    assert odd.status_code == 404, odd.content
    assert (
        client.get("/api/v1/sites", headers=_token(make_user("rosa"), ["read"])).status_code == 403
    )

    changed = _json(
        client,
        "patch",
        f"/api/v1/sites/{blog.key}",
        own,
        {
            "comments_enabled": False,
            "origins": ["https://blog.example.org", "https://www.blog.example.org"],
            "moderation_mode": "all",
        },
    )
    assert changed.status_code == 200, changed.content
    site = changed.json()
    assert site["comments_enabled"] is False and site["moderation_mode"] == "all"
    assert site["origins"] == ["https://blog.example.org", "https://www.blog.example.org"]
    assert site["thread_key_prefix"] == f"site:{blog.pk}:"
    blog.refresh_from_db()
    assert not blog.comments_enabled
    assert ModelLogEntry.objects.filter(object_id=str(blog.pk), action="wagtail.edit").count() == 1

    bad = _json(client, "patch", f"/api/v1/sites/{blog.key}", own, {"origins": ["not a url"]})
    assert bad.status_code in (400, 422) and bad.json()["error"]["field"] == "origins"
    other = _json(client, "patch", f"/api/v1/sites/{shop.key}", own, {"is_active": False})
    assert other.status_code == 403 and EmbeddingSite.objects.get(pk=shop.pk).is_active
    editor = make_user("eve", staff=True)
    refused = _json(
        client,
        "patch",
        f"/api/v1/sites/{shop.key}",
        _token(editor, ["write"]),
        {"is_active": False},
    )
    assert refused.status_code == 403
