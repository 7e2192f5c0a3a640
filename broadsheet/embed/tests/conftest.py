from __future__ import annotations

from typing import Any

import pytest

from broadsheet.embed.actions import do_register_site
from broadsheet.embed.models import EmbeddingSite

PAGE = "https://blog.example.org/2026/12/river-plan/"


@pytest.fixture(autouse=True)
def _embed_settings(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = "broadsheet.embed.policy.embed_policy"
    settings.BROADSHEET_EMBED_HOST_POLICY = "broadsheet.discussion.policy.default_policy"
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (100, 60)


@pytest.fixture
def blog(db: None) -> EmbeddingSite:
    """A blog that embeds our discussions on its posts (not on its shop)."""
    return do_register_site(
        name="River blog", origin_lines=["https://blog.example.org", "http://localhost:*"]
    )
