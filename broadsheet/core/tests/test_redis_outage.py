"""Redis out of reach: the site keeps serving from the database (pages, posting, the API)
and logs a warning, instead of answering 500s. The outage is real: the cache points at a
port where no Redis listens, which is what the client meets when Redis is down."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.core.redis_cache import TolerantRedisCache
from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import make_thread

pytestmark = pytest.mark.django_db

DOWN = {
    "BACKEND": "broadsheet.core.redis_cache.TolerantRedisCache",
    "LOCATION": "redis://127.0.0.1:9/0",
    "KEY_PREFIX": "bs-down",
    "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
}


@pytest.fixture
def redis_down(settings: Any) -> Any:
    settings.CACHES = {**settings.CACHES, "default": DOWN}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    return settings


def test_with_redis_down_the_site_serves_and_takes_comments_from_the_database(
    redis_down: Any, caplog: Any
) -> None:
    TolerantRedisCache._warned_at = 0.0
    thread = make_thread("redis-down", title="Redis down", url="/redis-down/")
    client = Client()
    assert client.get(f"/discussion/t/{thread.pk}/").status_code == 200
    posted = client.post(
        f"/discussion/t/{thread.pk}/post/",
        {"body": "Still here", "name": "Gabriel", "email": "gabriel@example.org"},
    )
    assert posted.status_code == 302
    assert Comment.objects.get().body_source == "Still here"
    listing = client.get("/api/v1/threads/redis-down/comments")
    assert listing.status_code == 200
    assert [c["body_html"] for c in listing.json()["comments"]] == ['<p dir="auto">Still here</p>']
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)
