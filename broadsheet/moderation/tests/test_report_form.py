"""The report form looks like the discussion's other forms (the comment form's frame,
title, fields and buttons) and can be cancelled, on its page and in place."""

from __future__ import annotations

import pytest
from django.test import Client

from broadsheet.discussion.testing import guest, make_thread, post

pytestmark = pytest.mark.django_db


def test_the_report_form_is_styled_like_the_comment_form_and_has_a_cancel() -> None:
    comment = post(make_thread(), guest("rosa-cookie"), "Contested.", name="Rosa")
    for headers in ({}, {"HX-Request": "true"}):
        html = Client().get(f"/moderation/report/{comment.pk}/", headers=headers).content.decode()
        assert '<form class="comment-form report-form"' in html
        assert '<h3 class="comment-form__title"' in html and "Report this comment" in html
        assert '<fieldset class="report-form__reasons"' in html
        assert '<div class="comment-form__buttons">' in html
        cancel = f'href="/discussion/c/{comment.pk}/" data-discussion-cancel>Cancel</a>'
        assert cancel in html
