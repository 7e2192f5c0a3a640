"""reverse_kept: reverse() remembered, never across script prefixes."""

from __future__ import annotations

from django.urls import reverse, set_script_prefix

from broadsheet.core.urls import reverse_kept


def test_it_answers_what_reverse_answers_under_each_script_prefix() -> None:
    assert reverse_kept("discussion:permalink", comment_id=7) == reverse(
        "discussion:permalink", kwargs={"comment_id": 7}
    )
    try:
        set_script_prefix("/news/")
        assert reverse_kept("discussion:permalink", comment_id=7).startswith("/news/")
    finally:
        set_script_prefix("/")
    assert not reverse_kept("discussion:permalink", comment_id=7).startswith("/news/")
