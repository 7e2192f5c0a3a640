from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _engine_default_policy(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
