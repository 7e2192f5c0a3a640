"""Host policy and settings: defaults, overrides, one policy call per request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import RequestFactory

from broadsheet.discussion import conf
from broadsheet.discussion.models import Thread
from broadsheet.discussion.policy import DiscussionPolicy, default_policy, policy_for
from broadsheet.discussion.sorting import Sort

CALLS: list[int] = []


def counting_policy(thread: Thread, request: Any = None) -> DiscussionPolicy:
    CALLS.append(thread.pk)
    return DiscussionPolicy(enabled=True, allow_guests=False, default_sort="top")


def test_the_default_policy_allows_everything_newest_first() -> None:
    policy = default_policy(Thread(key="x"))
    assert (policy.enabled, policy.allow_guests, policy.sort) == (True, True, Sort.NEWEST)


def test_the_policy_is_named_by_a_setting_and_asked_once_per_request(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_POLICY = (
        "broadsheet.discussion.tests.test_policy.counting_policy"
    )
    CALLS.clear()
    thread = Thread(pk=3, key="x")
    request = RequestFactory().get("/")
    assert policy_for(thread, request).sort is Sort.TOP
    assert policy_for(thread, request).allow_guests is False
    assert CALLS == [3]
    policy_for(thread)
    assert CALLS == [3, 3]


def test_an_unknown_default_sort_falls_back_to_newest() -> None:
    assert DiscussionPolicy(default_sort="loudest").sort is Sort.NEWEST


def test_settings_have_documented_defaults() -> None:
    assert (conf.edit_window(), conf.page_size(), conf.max_depth(), conf.fold_length()) == (
        900,
        20,
        4,
        700,
    )
    assert (conf.replies_per_root(), conf.body_max_length(), conf.name_max_length()) == (
        50,
        10_000,
        60,
    )
    assert (conf.post_rate_limit(), conf.vote_rate_limit()) == ((5, 60), (60, 60))
    for name in conf.DEFAULTS:
        paths = {
            "POLICY": "policy_path",
            "PEOPLE": "people_path",
            "MODERATION": "moderation_path",
            "LIVE": "live_path",
        }
        accessor = getattr(conf, paths.get(name, name.lower()))
        assert f"BROADSHEET_DISCUSSION_{name}" in (accessor.__doc__ or "")


def test_settings_can_be_changed(settings: Any) -> None:
    settings.BROADSHEET_DISCUSSION_PAGE_SIZE = 5
    settings.BROADSHEET_DISCUSSION_POST_RATE_LIMIT = [2, 30]
    assert conf.page_size() == 5
    assert conf.post_rate_limit() == (2, 30)


@pytest.mark.parametrize("name", ["EDIT_WINDOW", "PAGE_SIZE", "MAX_DEPTH"])
def test_each_setting_is_read_at_call_time(settings: Any, name: str) -> None:
    setattr(settings, f"BROADSHEET_DISCUSSION_{name}", 7)
    assert getattr(conf, name.lower())() == 7
