"""article_policy: the discussion policy editors set in Publication settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from broadsheet.articles import discussion_policy
from broadsheet.articles.discussion_policy import article_policy
from broadsheet.articles.models import PublicationSettings
from broadsheet.core.versions import scope_versions
from broadsheet.discussion.policy import DiscussionPolicy

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_policy_is_read_once_until_the_settings_change(
    django_assert_num_queries: Any,
) -> None:
    first = article_policy(None)
    with django_assert_num_queries(0):
        assert article_policy(None) == first


def test_a_settings_change_is_seen_at_once() -> None:
    assert article_policy(None).enabled
    publication = PublicationSettings.load()
    publication.comments_enabled = False
    publication.comments_allow_guests = False
    publication.comments_default_sort = "top"
    publication.save()
    policy = article_policy(None)
    assert (policy.enabled, policy.allow_guests, policy.default_sort) == (False, False, "top")


def test_what_is_read_before_a_change_commits_is_not_kept_after_it() -> None:
    assert article_policy(None).enabled
    publication = PublicationSettings.load()
    with transaction.atomic():
        publication.comments_enabled = False
        publication.save()
        # Another process asking now (after the save's first bump, before the commit)
        # reads the old settings and remembers them under the current version.
        current = scope_versions().read(["site"])[0]
        discussion_policy._remembered = (current, DiscussionPolicy(enabled=True))
        assert article_policy(None).enabled is True
    assert article_policy(None).enabled is False
