from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member
from broadsheet.realtime import backends
from broadsheet.realtime.backends.base import Backend


@pytest.fixture(autouse=True)
def fresh_backend(settings: Any) -> Iterator[None]:
    """Each test starts with empty channels (the memory back-end lives as long as the
    process; ids of rolled-back threads come back)."""
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    backends._backends.clear()
    yield
    backends._backends.clear()


@pytest.fixture
def bus() -> Backend:
    return backends.get_backend()


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


@pytest.fixture
def reader_rosa(db: None) -> Actor:
    return member(make_user("rosa", name="Rosa Lindqvist"))


@pytest.fixture
def moderator_max(db: None) -> Actor:
    return member(make_user("max", name="Max Moderator", moderator=True))


@pytest.fixture
def guest_gabriel() -> Actor:
    return guest("gabriel-cookie")
