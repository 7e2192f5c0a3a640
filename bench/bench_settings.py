"""Broadsheet's production settings with the per-IP rate limits lifted for the bench.

Every load generator request comes from 127.0.0.1, so the default limits (5 comments and
60 votes per minute per IP) would refuse almost all of them. The limit checks still run
(a cache hit per write), only their thresholds change. Nothing else differs from
config.settings.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403

BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_REACTION_RATE_LIMIT = (10_000_000, 60)

if os.environ.get("BENCH_PAGE_CACHE") == "off":
    # To measure the uncached page once a page cache exists: drop its middleware.
    MIDDLEWARE = [entry for entry in MIDDLEWARE if "cache" not in entry.lower()]  # noqa: F405
