from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _engine_default_policy(settings: Any) -> None:
    """The engine's own policy (everything on), whatever host policy the project sets, so
    these tests and their query counts do not depend on the host."""
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_THREAD_AUTHORS = "broadsheet.discussion.badges.no_thread_authors"
