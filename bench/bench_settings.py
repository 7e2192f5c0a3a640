"""Broadsheet's production settings, with what a load generator on 127.0.0.1 needs.

Posting runs claim one reader address per request (X-Forwarded-For, believed from the
load generator as from a production reverse proxy), so posting meets the production
limits and moderation rules exactly as many readers would. The voting run comes from one
address (a new reader cookie per vote), so its per-IP limit (60 votes a minute) is
lifted, as is the reactions' limit; the checks still run, only their thresholds change.
Nothing else differs from config.settings.
"""

from __future__ import annotations

import os

from config.settings import *  # noqa: F403

BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT = (10_000_000, 60)
BROADSHEET_REACTION_RATE_LIMIT = (10_000_000, 60)

# The load generator stands for the reverse proxy of a production set-up: posting runs
# claim one reader address per request in X-Forwarded-For (as Isso's run does), which
# Broadsheet believes only from a trusted proxy.
BROADSHEET_TRUSTED_PROXIES = ["127.0.0.1"]

if os.environ.get("BENCH_PAGE_CACHE") == "off":
    # To measure the uncached page once a page cache exists: drop its middleware.
    MIDDLEWARE = [entry for entry in MIDDLEWARE if "cache" not in entry.lower()]  # noqa: F405
