from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.discussion.testing import guest, make_thread, member
from broadsheet.notifications.testing import Mailbox, reader_with_address, smtp_server


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend delivers to."""
    with smtp_server() as (box, mailers):
        settings.MAILERS = mailers
        yield box


@pytest.fixture(autouse=True)
def _notify_settings(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.SITE_URL = "https://news.example.org"


@pytest.fixture
def thread(db: None) -> Thread:
    return make_thread(title="Room for the river", url="/politics/room-for-the-river/")


@pytest.fixture
def rosa(db: None) -> Any:
    """reader_rosa's account, with a verified address rosa@example.org."""
    return reader_with_address("rosa", name="Rosa Lindqvist")


@pytest.fixture
def reader_rosa(rosa: Any) -> Actor:
    return member(rosa)


@pytest.fixture
def guest_gabriel() -> Actor:
    return guest("gabriel-cookie")


@pytest.fixture
def guest_layla() -> Actor:
    return guest("layla-cookie")
