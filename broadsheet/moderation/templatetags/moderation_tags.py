"""Template tags for moderation: the anti-bot fields of the comment form (the discussion
templates), and stored reasons shown in the moderator's language (the queue's)."""

from __future__ import annotations

import time

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from broadsheet.core.kept_markup import per_request
from broadsheet.moderation.reasons import reason_shown
from broadsheet.moderation.rules.honeypot import HONEYPOT_FIELD, TIMESTAMP_FIELD, sign_render_time

register = template.Library()


def _signed_now() -> str:
    return sign_render_time(time.time())


@register.simple_tag(takes_context=True)
def antispam_fields(context: template.Context, dom_id: str = "") -> SafeString:
    """A honeypot field people never see (bots fill it) and the signed render time (a
    value of each request, also where the form's markup is kept: core.kept_markup)."""
    return format_html(
        '<div class="comment-form__trap" aria-hidden="true">'
        '<label for="{0}-{1}">Leave this field empty</label>'
        '<input type="text" id="{0}-{1}" name="{1}" value="" tabindex="-1" autocomplete="off">'
        "</div>"
        '<input type="hidden" name="{2}" value="{3}">',
        dom_id or "comment-form",
        HONEYPOT_FIELD,
        TIMESTAMP_FIELD,
        per_request(context, _signed_now),
    )


@register.filter
def reason(stored: str) -> str:
    """A stored moderation reason in the active language (moderation/reasons.py)."""
    return reason_shown(stored or "")
