from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

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
