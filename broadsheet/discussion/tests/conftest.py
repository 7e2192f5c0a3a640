from __future__ import annotations

from typing import Any

import pytest

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, make_user, member


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


@pytest.fixture
def rosa(db: None) -> Any:
    """reader_rosa: a signed-in reader."""
    return make_user("rosa", name="Rosa Lindqvist")


@pytest.fixture
def reader_rosa(rosa: Any) -> Actor:
    return member(rosa)


@pytest.fixture
def guest_gabriel() -> Actor:
    """A guest known only by his reader cookie."""
    return guest("gabriel-cookie")


@pytest.fixture
def guest_layla() -> Actor:
    return guest("layla-cookie")


@pytest.fixture
def max_user(db: None) -> Any:
    return make_user("max", name="Max Moderator", moderator=True)


@pytest.fixture
def moderator_max(max_user: Any) -> Actor:
    return member(max_user)


@pytest.fixture(autouse=True)
def _engine_default_policy(settings: Any) -> None:
    """The engine's own policy (everything on), whatever host policy the project sets, so
    these tests and their query counts do not depend on the host."""
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_THREAD_AUTHORS = "broadsheet.discussion.badges.no_thread_authors"
