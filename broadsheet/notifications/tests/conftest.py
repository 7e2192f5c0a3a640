from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _notify_settings(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)
    settings.SITE_URL = "https://news.example.org"
