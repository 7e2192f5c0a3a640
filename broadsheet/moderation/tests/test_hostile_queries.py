"""The moderation queue's filters and actions take any query string: a filter that is
not an id filters nothing, an action on no comment is refused; never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from broadsheet.discussion.models import Thread

pytestmark = pytest.mark.django_db

BIG = 2**63


def test_the_moderation_queue_takes_any_filter_and_action_id(thread: Thread, max_user: Any) -> None:
    client = Client()
    client.force_login(max_user)
    for query in (
        "?thread=²",
        "?thread=99999999999999999999",
        f"?thread={BIG}",
        "?author=%00",  # PostgreSQL refuses a NUL in a query
    ):
        assert client.get(f"/admin/moderation/{query}").status_code == 200
    assert client.get("/admin/moderation/audit/?actor=²").status_code == 200
    for comment in ("²", str(BIG), "99999999999999999999"):
        response = client.post(f"/admin/moderation/act/?comment={comment}", {"action": "approve"})
        assert response.status_code == 302
    assert client.get("/admin/moderation/commenter/c:²/").status_code == 404
