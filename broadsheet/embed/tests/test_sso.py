"""Single sign-on with a host's HS256 JWT: signature, algorithm, expiry, lifetime and
jti replay protection; the account made is the site's user's, never another's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import make_user
from broadsheet.embed.actions import do_register_page
from broadsheet.embed.models import EmbeddingSite, SsoIdentity
from broadsheet.embed.sso import SsoRefused, verify_jwt
from broadsheet.embed.tests.conftest import PAGE

SECRET = "host-shared-secret-0123456789"


def _part(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def jwt(claims: dict[str, Any], secret: str = SECRET, alg: str = "HS256") -> str:
    head = _part({"alg": alg, "typ": "JWT"})
    body = _part(claims)
    signature = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()


def claims(**extra: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"sub": "42", "name": "Nadia Host", "iat": now, "exp": now + 300, "jti": "j-1", **extra}


@pytest.fixture
def sso_blog(blog: EmbeddingSite) -> EmbeddingSite:
    EmbeddingSite.objects.filter(pk=blog.pk).update(sso_secret=SECRET)
    blog.refresh_from_db()
    return blog


def test_a_valid_token_passes() -> None:
    assert verify_jwt(jwt(claims()), SECRET)["sub"] == "42"


@pytest.mark.parametrize(
    "token",
    [
        jwt(claims(), secret="another-secret"),
        jwt(claims(), alg="none"),
        jwt(claims(), alg="HS512"),
        jwt(claims(exp=int(time.time()) - 120)),
        jwt(claims(exp=int(time.time()) + 86400)),
        jwt(claims(jti="")),
        jwt(claims(sub="")),
        "not.a.jwt",
        "garbage",
    ],
)
def test_bad_tokens_are_refused(token: str) -> None:
    with pytest.raises(SsoRefused):
        verify_jwt(token, SECRET)


def test_the_embed_trades_a_jwt_for_an_identity_and_posts_as_the_sites_user(
    sso_blog: EmbeddingSite,
) -> None:
    thread = do_register_page(site=sso_blog, url=PAGE)
    make_user("someone", name="Nadia Host")  # same name elsewhere: never matched
    client = Client(enforce_csrf_checks=True)
    answer = client.post(f"/embed/sso?site={sso_blog.key}", {"token": jwt(claims())})
    assert answer.status_code == 200, answer.content
    token = answer.json()["token"]
    posted = client.post(
        f"/api/v1/threads/{thread.key}/comments",
        data=json.dumps({"body": "Signed in by my blog"}),
        content_type="application/json",
        headers={"X-Broadsheet-Reader": token},
    )
    assert posted.status_code == 201, posted.content
    identity = SsoIdentity.objects.get()
    assert Comment.objects.get().author_id == identity.user_id
    assert posted.json()["author"]["name"] == "Nadia Host"
    # The same token again is a replay.
    replay = client.post(f"/embed/sso?site={sso_blog.key}", {"token": jwt(claims())})
    assert replay.status_code == 403 and replay.json()["error"]["code"] == "sso_refused"
    # A new token for the same user finds the same account, with the site's new name.
    again = client.post(
        f"/embed/sso?site={sso_blog.key}", {"token": jwt(claims(jti="j-2", name="Nadia H."))}
    )
    assert again.status_code == 200
    assert SsoIdentity.objects.count() == 1
    assert SsoIdentity.objects.get().user.first_name == "Nadia H."


def test_no_sso_without_a_secret(blog: EmbeddingSite) -> None:
    answer = Client().post(f"/embed/sso?site={blog.key}", {"token": jwt(claims())})
    assert answer.status_code == 403
