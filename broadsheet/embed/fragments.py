"""The discussion section as a fragment for other sites' pages.

The section is rendered by the discussion app's own ``render_discussion`` (the same
templates as our article pages); this module only makes it fit somewhere else:
root-relative addresses become absolute ones on this server, every link that does not
say otherwise gets ``rel="nofollow ugc"`` (readers' links and links to our pages are
not the host's endorsements), and per-request CSRF fields are dropped (the embed writes
with an identity token, and a cached fragment must be the same for every reader).
"""

from __future__ import annotations

import hashlib
import json
import re

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from broadsheet.discussion.models import Thread
from broadsheet.discussion.templatetags.discussion_tags import render_discussion
from broadsheet.moderation.rules.honeypot import TIMESTAMP_FIELD

_ROOT_RELATIVE = re.compile(r'\b(href|src|action|formaction|hx-get|hx-post)="/(?!/)')
_CSRF_FIELD = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
# The form's signed render time (moderation's too_fast rule) changes every second: a
# shared, revalidated fragment cannot carry it (the embed posts through the API, where
# the rule has no opinion without it).
_RENDER_TIME_FIELD = re.compile(rf'<input type="hidden" name="{TIMESTAMP_FIELD}" value="[^"]*">')
_ANCHOR_WITHOUT_REL = re.compile(r"<a\b(?![^>]*\brel=)")


def adapt(html: str, base: str) -> str:
    html = _ROOT_RELATIVE.sub(lambda m: f'{m.group(1)}="{base}/', html)
    html = _CSRF_FIELD.sub("", html)
    html = _RENDER_TIME_FIELD.sub("", html)
    html = html.replace(' rel="nofollow"', ' rel="nofollow ugc"')
    return _ANCHOR_WITHOUT_REL.sub('<a rel="nofollow ugc"', html)


def section_fragment(request: HttpRequest, thread: Thread) -> str:
    """The section of `thread` for this request's reader, ready for another page."""
    html: SafeString = render_discussion(
        request, thread_key=thread.key, title=thread.title, url=thread.url
    )
    # render_discussion asked for a CSRF token; the fragment does not use it, and a
    # cacheable answer must not set a cookie.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
    base = request.build_absolute_uri("/").rstrip("/")
    # The wrapper tells the embed which thread it shows (its writes name the thread key),
    # and gives widget.js its words in the fragment's language: it runs on another site's
    # page, where our script catalogue is not loaded.
    return format_html(
        '<div class="bs-thread" data-thread-key="{}" data-strings="{}">{}</div>',
        thread.key,
        json.dumps(widget_strings(), ensure_ascii=False),
        mark_safe(adapt(str(html), base)),
    )


def widget_strings() -> dict[str, str]:
    """What widget.js says itself, in the active language (%(name)s filled in there)."""
    return {
        "posted": _("Your comment was posted."),
        "pending": _("Your comment awaits moderation."),
        "deleted": _("Comment deleted."),
        "score": _("Score %(score)s"),
        "failed": _("Something went wrong."),
        "failedStatus": _("Something went wrong (%(status)s)."),
        "confirmDelete": _("Delete this comment? This cannot be undone."),
        "signIn": _("Sign in"),
        "orGuest": _("or comment as a guest:"),
    }


# The live stream's starting point (realtime) is the render time: it does not make the
# discussion different, and a client given an older one only hears a little more.
_LIVE_SINCE = re.compile(r' data-live-since="[^"]*"')


def etag(content: str) -> str:
    stable = _LIVE_SINCE.sub("", content)
    return '"' + hashlib.sha256(stable.encode()).hexdigest()[:32] + '"'
