"""API tokens: hashed at rest, scoped, limited to a site for site tokens, revocable,
last use recorded; the API's OpenAPI schema declares the security schemes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from broadsheet.api.models import ApiToken
from broadsheet.api.tokens import do_create_api_token, do_revoke_api_token, token_digest
from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.moderation.models import AuditEntry


@pytest.fixture(autouse=True)
def _embed_settings(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.embed.policy.embed_policy"
    settings.BROADSHEET_EMBED_HOST_POLICY = "broadsheet.discussion.policy.default_policy"


@pytest.fixture
def blog(db: None) -> EmbeddingSite:
    return do_register_site(
        name="River blog", origin_lines=["https://blog.example.org", "http://localhost:*"]
    )


@pytest.fixture
def admin(db: None) -> Any:
    user = make_user("ada", name="Ada Admin", staff=True)
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client: Client, key: str, token: str, body: str = "Via the API") -> Any:
    return client.post(
        f"/api/v1/threads/{key}/comments",
        data=json.dumps({"body": body}),
        content_type="application/json",
        headers=_bearer(token),
    )


def test_only_the_digest_is_stored(db: None) -> None:
    rosa = make_user("rosa")
    row, token = do_create_api_token(actor=member(rosa), name="bot", scopes=["read"])
    assert token.startswith("bst_") and len(token) > 40
    stored = ApiToken.objects.get(pk=row.pk)
    assert stored.digest == token_digest(token) and token not in json.dumps(
        list(ApiToken.objects.values_list("name", "prefix", "digest", "scopes"))
    )


def test_a_write_token_posts_as_its_owner_without_csrf(blog: EmbeddingSite) -> None:
    thread = do_register_page(site=blog, url=PAGE)
    rosa = make_user("rosa", name="Rosa Lindqvist")
    _, token = do_create_api_token(actor=member(rosa), name="bot", scopes=["read", "write"])
    client = Client(enforce_csrf_checks=True)
    response = _post(client, thread.key, token)
    assert response.status_code == 201, response.content
    assert Comment.objects.get().author_id == rosa.pk
    assert ApiToken.objects.get().last_used_at is not None


def test_scopes_are_enforced(blog: EmbeddingSite) -> None:
    thread = do_register_page(site=blog, url=PAGE)
    rosa = make_user("rosa")
    _, read_only = do_create_api_token(actor=member(rosa), name="r", scopes=["read"])
    client = Client()
    assert (
        client.get(f"/api/v1/threads/{thread.key}/comments", headers=_bearer(read_only)).status_code
        == 200
    )
    refused = _post(client, thread.key, read_only)
    assert refused.status_code == 403 and "write" in refused.json()["error"]["message"]
    with pytest.raises(NotAllowed):
        do_create_api_token(actor=member(rosa), name="m", scopes=["moderate"])


def test_a_moderate_token_moderates_and_a_site_token_stays_on_its_site(
    blog: EmbeddingSite, admin: Any, settings: Any
) -> None:
    EmbeddingSite.objects.filter(pk=blog.pk).update(moderation_mode="all")
    blog.refresh_from_db()
    other = do_register_site(name="Other", origin_lines=["https://other.example"])
    mine = do_register_page(site=blog, url=PAGE)
    theirs = do_register_page(site=other, url="https://other.example/p")
    held = post(mine, guest("g"), "Hold me", name="G", email="g@e.org")
    foreign = post(theirs, guest("h"), "Foreign", name="H", email="h@e.org")
    _, token = do_create_api_token(
        actor=member(admin), name="site bot", scopes=["read", "moderate"], site=blog
    )
    client = Client(enforce_csrf_checks=True)
    bearer = _bearer(token)
    approved = client.post(f"/api/v1/moderation/comments/{held.pk}/approve", headers=_bearer(token))
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    elsewhere = client.post(
        f"/api/v1/moderation/comments/{foreign.pk}/approve", headers=_bearer(token)
    )
    assert elsewhere.status_code == 403
    # Closing, reopening and (un)featuring say why: the audit log keeps it (issue 14).
    for verb in ("close", "reopen"):
        for blank in ("", "?reason=", "?reason=%20%20"):
            unexplained = client.post(f"/api/v1/threads/{mine.key}/{verb}{blank}", headers=bearer)
            assert unexplained.status_code == 422, (verb, blank, unexplained.content)
            assert unexplained.json()["error"]["field"] == "reason"
    unexplained = client.post(f"/api/v1/moderation/comments/{held.pk}/feature", headers=bearer)
    assert unexplained.status_code == 400 and unexplained.json()["error"]["field"] == "reason"
    assert not Thread.objects.get(pk=mine.pk).is_closed
    closed = client.post(f"/api/v1/threads/{mine.key}/close?reason=off+topic", headers=bearer)
    assert closed.json() == {"key": mine.key, "is_closed": True}
    picked = client.post(
        f"/api/v1/moderation/comments/{held.pk}/feature?reason=clear", headers=bearer
    )
    assert picked.json()["is_featured"] is True
    entries = AuditEntry.objects.filter(action__in=["close", "feature"]).order_by("pk")
    assert list(entries.values_list("action", "reason")) == [
        ("close", "off topic"),
        ("feature", "clear"),
    ]
    assert (
        client.post(f"/api/v1/threads/{theirs.key}/close?reason=x", headers=bearer).status_code
        == 403
    )


def test_a_revoked_or_unknown_token_is_401(blog: EmbeddingSite) -> None:
    thread = do_register_page(site=blog, url=PAGE)
    rosa = make_user("rosa")
    row, token = do_create_api_token(actor=member(rosa), name="bot", scopes=["read", "write"])
    do_revoke_api_token(token=row, actor=member(rosa))
    client = Client()
    for value in (token, "bst_nope", "garbage"):
        response = _post(client, thread.key, value)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"
    with pytest.raises(NotAllowed):
        do_revoke_api_token(token=row, actor=member(make_user("other")))


@pytest.mark.django_db  # every request reads the publication's language (articles.languages)
def test_openapi_documents_the_security_schemes(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["ApiTokenAuth"]["scheme"] == "bearer"
    assert schemes["SessionAuth"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}


def test_the_token_admin_shows_a_new_token_once_and_its_last_use(
    admin: Any, blog: EmbeddingSite
) -> None:
    client = Client()
    client.force_login(admin)
    made = client.post(
        "/admin/api/tokens/", {"name": "CI", "scopes": ["read", "write"], "site": blog.pk}
    )
    assert made.status_code == 200
    token = made.content.decode().split("data-new-token>")[1].split("<")[0]
    assert token.startswith("bst_")
    again = client.get("/admin/api/tokens/").content.decode()
    assert token not in again and "never" in again and "River blog" in again
