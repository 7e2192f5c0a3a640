"""The discussion section, one comment, a thread's replies or an edit form, as
fragments for other sites' pages.

Each is rendered by the discussion app's own templates (as on our article pages); this
module only makes it fit somewhere else: root-relative addresses become absolute ones on
this server, every link that does not say otherwise gets ``rel="nofollow ugc"``
(readers' links and links to our pages are not the host's endorsements), per-request
CSRF fields are dropped (the embed writes with an identity token, and a cached fragment
must be the same for every reader), and so are our pages' scripts (widget.js does on the
host's page what they do on ours, live updates included).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from broadsheet.discussion.actions import can_edit
from broadsheet.discussion.fragments import comment_context, comment_view
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.presentation import build_groups
from broadsheet.discussion.section import FormState
from broadsheet.discussion.selectors import comment_tree
from broadsheet.discussion.templatetags.discussion_tags import render_discussion
from broadsheet.moderation.rules.honeypot import TIMESTAMP_FIELD

_ROOT_RELATIVE = re.compile(r'\b(href|src|action|formaction|hx-get|hx-post)="/(?!/)')
_CSRF_FIELD = re.compile(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">')
# The form's signed render time (moderation's too_fast rule) changes every second: a
# shared, revalidated fragment cannot carry it (the embed posts through the API, where
# the rule has no opinion without it).
_RENDER_TIME_FIELD = re.compile(rf'<input type="hidden" name="{TIMESTAMP_FIELD}" value="[^"]*">')
_ANCHOR_WITHOUT_REL = re.compile(r"<a\b(?![^>]*\brel=)")
_SCRIPT = re.compile(r"<script\b[^>]*>\s*</script>")


def adapt(html: str, base: str) -> str:
    html = _SCRIPT.sub("", html)
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
    _without_csrf_cookie(request)  # (and a cacheable answer sets none)
    base = _base(request)
    # The wrapper tells the embed which thread it shows (its writes name the thread key),
    # and gives widget.js its words in the fragment's language: it runs on another site's
    # page, where our script catalogue is not loaded.
    return format_html(
        '<div class="bs-thread" data-thread-key="{}" data-strings="{}">{}</div>',
        thread.key,
        json.dumps(widget_strings(), ensure_ascii=False),
        mark_safe(adapt(str(html), base)),
    )


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _without_csrf_cookie(request: HttpRequest) -> None:
    """Our templates ask for a CSRF token; a fragment for another site's page does not
    use it (and drops the field), and must not set a cookie."""
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False


def _fragment(request: HttpRequest, template: str, context: dict[str, Any]) -> str:
    html = render_to_string(template, context, request)
    _without_csrf_cookie(request)
    return adapt(html, _base(request))


def comment_fragment(request: HttpRequest, comment: Comment, *, actor: Actor) -> str:
    """One comment as `actor` sees it (live updates insert it; an edit's "Cancel" and
    "Save" put it back)."""
    context = comment_context(request, comment.thread, actor=actor)
    view = comment_view(comment, actor=actor)
    return _fragment(request, "discussion/includes/comment.html", {"d": context, "c": view})


def edit_fragment(request: HttpRequest, comment: Comment, *, actor: Actor) -> tuple[str, int]:
    """The edit form of `actor`'s own comment, with its source text, and the status to
    answer with (403, the form saying why, once it may no longer be edited)."""
    context = comment_context(request, comment.thread, actor=actor)
    state = FormState(kind="edit", comment=comment, data={"body": comment.body_source})
    status = 200
    if not can_edit(comment, actor):
        state.errors = {"__all__": _("This comment can no longer be edited.")}
        status = 403
    values = {"d": context, "f": state, "thread": comment.thread}
    return _fragment(request, "discussion/fragments/edit.html", values), status


def replies_fragment(request: HttpRequest, root: Comment, *, actor: Actor) -> str:
    """A top-level comment's thread with all its replies, as `actor` sees them (the
    first page of them: ROOT_PAGE_REPLIES; more are on our own replies page)."""
    tree = comment_tree(root, viewer=actor)
    groups = build_groups([root], {root.pk: tree.replies}, actor=actor)
    context = comment_context(request, root.thread, actor=actor)
    values = {"d": context, "group": groups[0], "tree": tree}
    return _fragment(request, "embed/replies.html", values)


def subscribe_fragment(request: HttpRequest, context: dict[str, Any]) -> str:
    """The "Notify of" form with the answer to a subscription (notifications' fragment)."""
    return _fragment(request, "notifications/fragments/answer.html", context)


# Numbers that between them fall in every plural category (CLDR's zero, one, two, few,
# many, other) of the languages we ship and of most others; widget.js picks the form of
# the sample in the same category as its count (Intl.PluralRules), since it cannot run
# the catalogue's plural formula under our CSP.
PLURAL_SAMPLES = (0, 1, 2, 3, 11, 100, 1000000)


def _plural_forms(phrase: Callable[[int], str]) -> dict[str, str]:
    return {str(n): phrase(n) for n in PLURAL_SAMPLES}


def widget_strings() -> dict[str, object]:
    """What widget.js says itself, in the active language (%(name)s filled in there);
    counted phrases as their forms for PLURAL_SAMPLES."""
    return {
        "lang": get_language() or "en",
        "posted": _("Your comment was posted."),
        "pending": _("Your comment awaits moderation."),
        "deleted": _("Comment deleted."),
        "score": _("Score %(score)s"),
        "failed": _("Something went wrong."),
        "failedStatus": _("Something went wrong (%(status)s)."),
        "confirmDelete": _("Delete this comment? This cannot be undone."),
        "signIn": _("Sign in"),
        "orGuest": _("or comment as a guest:"),
        "moreFailed": _("The next comments could not be loaded."),
        "moreShown": _("More comments shown."),
        "repliesFailed": _("The replies could not be loaded."),
        "repliesShown": _("All replies shown."),
        "saved": _("Your comment was saved."),
        "closed": _("Comments are closed."),
        "reopened": _("Comments are open again."),
        "changed": _("The discussion has changed"),
        "reload": _("reload"),
        "new": _plural_forms(
            lambda n: ngettext("%(count)s new comment", "%(count)s new comments", n)
        ),
        "show": _("show"),
        "shown": _plural_forms(
            lambda n: ngettext("%(count)s new comment shown.", "%(count)s new comments shown.", n)
        ),
        "elsewhere": _("The new comments are on another page of this discussion."),
    }


# The live stream's starting point (realtime) is the render time: it does not make the
# discussion different, and a client given an older one only hears a little more.
_LIVE_SINCE = re.compile(r' data-live-since="[^"]*"')


def etag(content: str) -> str:
    stable = _LIVE_SINCE.sub("", content)
    return '"' + hashlib.sha256(stable.encode()).hexdigest()[:32] + '"'
