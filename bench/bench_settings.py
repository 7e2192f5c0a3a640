"""Broadsheet's production settings with the per-IP limits lifted for the bench.

Every load generator request comes from 127.0.0.1, so the default limits (5 comments and
60 votes per minute per IP, and the moderation pipeline's flood rule: 8 comments per 5
minutes per IP, past which comments are held for a moderator) would refuse or hold almost
all of them. The checks still run, only their thresholds change, so the bench measures
what a reader's published comment costs. Nothing else differs from config.settings.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403

BROADSHEET_DISCUSSION_POST_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_REACTION_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_MODERATION_FLOOD_LIMIT = (10_000_000, 300)

if os.environ.get("BENCH_PAGE_CACHE") == "off":
    # To measure the uncached page once a page cache exists: drop its middleware.
    MIDDLEWARE = [entry for entry in MIDDLEWARE if "cache" not in entry.lower()]  # noqa: F405
