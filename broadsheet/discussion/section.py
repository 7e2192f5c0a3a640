"""The discussion section as a reader sees it: header, sort, form, a page of comment trees,
"Load more". Used by the article page (through the template tag), the standalone thread
page and the htmx fragments alike.

Query budget for a section (any thread size): the thread and policy are passed in, then
top-level comments (1), their replies (1, when any) and this reader's votes (1, when the
reader has a voter key). ``?comment=`` and ``?reply_to=`` add 2–3 to find the right page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from broadsheet.core.ids import parse_id, parse_page
from broadsheet.discussion import conf
from broadsheet.discussion.anchors import (
    Anchor,
    AnchorTexts,
    anchor_for_form,
    anchor_texts_for,
    anchored_comments,
    mark_outdated,
)
from broadsheet.discussion.formatting import MARKDOWN_HINT
from broadsheet.discussion.guests import RememberedGuest, remembered_guest
from broadsheet.discussion.identity import Actor, actor_from_request
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.oversight import is_closed
from broadsheet.discussion.policy import DiscussionPolicy, policy_for
from broadsheet.discussion.presentation import (
    CommentGroup,
    CommentView,
    author_name,
    build_groups,
    query_string,
)
from broadsheet.discussion.selectors import (
    UNPUBLISHED,
    ThreadPage,
    comments_for_thread,
    featured_comments,
    page_of_comment,
)
from broadsheet.discussion.sorting import LABELS, Sort, parse_sort


def int_param(params: Mapping[str, Any], name: str) -> int | None:
    """A positive whole number from the query string (ASCII digits, within a database
    integer: core.ids.parse_id), or None."""
    return parse_id(params.get(name))


def safe_next(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    """A local path to return to after a form (never another site)."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return fallback


@dataclass
class FormState:
    """A comment form as the reader left it: what they typed, errors, a preview."""

    kind: str = "new"  # "new", "reply" or "edit"
    parent: Comment | None = None
    comment: Comment | None = None
    data: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    preview: SafeString | None = None
    anchor: Anchor | None = None  # the passage it is about (inline feedback)
    # Editing: the comment's byline as readers see it, and until when it may be edited.
    byline: CommentView | None = None
    edit_until: datetime | None = None

    @property
    def dom_id(self) -> str:
        if self.kind == "reply" and self.parent is not None:
            return f"reply-form-{self.parent.pk}"
        if self.kind == "edit" and self.comment is not None:
            return f"edit-form-{self.comment.pk}"
        if self.kind == "passage" and self.anchor is not None:
            return f"passage-form-{self.anchor.block_id}"
        return "comment-form"

    @property
    def edit_window_open(self) -> bool:
        return self.edit_until is not None and self.edit_until > timezone.now()

    @property
    def general_error(self) -> str:
        return self.errors.get("__all__", "")

    @property
    def parent_name(self) -> str:
        return author_name(self.parent) if self.parent is not None else ""

    @property
    def field_errors(self) -> dict[str, str]:
        return {name: message for name, message in self.errors.items() if name != "__all__"}


@dataclass
class DiscussionContext:
    """What every discussion template needs: the thread, its policy, the reader, the sort
    and where links and forms lead. Fragments use it alone; a Section adds a page."""

    thread: Thread
    policy: DiscussionPolicy
    actor: Actor
    sort: Sort
    next_url: str
    page_number: int = 1
    reply_form: FormState | None = None
    highlighted_id: int | None = None
    login_url: str = ""
    # A guest's name and e-mail they asked this browser to remember (discussion.guests).
    remembered: RememberedGuest | None = None
    # Where "Sign in to comment" comes back to: the page as the reader sees it (sort and
    # page of comments included); fragments fall back to next_url.
    here: str = ""

    @property
    def sign_in_next(self) -> str:
        return self.here or self.next_url

    @property
    def accepting(self) -> bool:
        """New comments may be posted (the same answer posting gives: oversight.is_closed)."""
        return self.policy.accepts_comments() and not is_closed(self.thread)

    @property
    def guest_fields(self) -> bool:
        return not self.actor.is_authenticated and self.policy.allow_guests

    @property
    def sign_in_required(self) -> bool:
        return self.accepting and not self.actor.is_authenticated and not self.policy.allow_guests

    @property
    def sort_param(self) -> str:
        """The sort to carry in links, empty when it is the thread's default."""
        return "" if self.sort == self.policy.sort else str(self.sort)

    @property
    def base_query(self) -> str:
        """'?sort=..&cpage=..&' (or '?'), to which a link appends one more parameter."""
        cpage = self.page_number if self.page_number > 1 else None
        query = query_string(sort=self.sort_param, cpage=cpage)
        return f"{query}&" if query else "?"

    @property
    def vote_query(self) -> str:
        return query_string(sort=self.sort_param)

    @property
    def body_max_length(self) -> int:
        return conf.body_max_length()

    @property
    def name_max_length(self) -> int:
        return conf.name_max_length()

    @property
    def markdown_hint(self) -> str:
        return MARKDOWN_HINT

    @property
    def count(self) -> int:
        return self.thread.comment_count

    @cached_property
    def live(self) -> dict[str, str]:
        """Data attributes for live updates (none when off): from the callable named by
        BROADSHEET_DISCUSSION_LIVE, so the engine does not depend on the realtime app."""
        path = conf.live_path()
        if not path:
            return {}
        attributes: Callable[[Thread], dict[str, str]] = import_string(path)
        return attributes(self.thread)


@dataclass
class Section(DiscussionContext):
    """The whole section: a page of comment trees and the main form."""

    page: ThreadPage | None = None
    groups: list[CommentGroup] = field(default_factory=list)
    form: FormState = field(default_factory=FormState)
    view: str = ""  # "inline": only the comments made on passages ("Inline feedbacks")
    # "featured": the editor's picks (moderation)

    @property
    def view_links(self) -> list[dict[str, object]]:
        return view_links_of(self.view)

    @property
    def sort_links(self) -> list[dict[str, object]]:
        return sort_links_of(self.sort)

    @property
    def has_next(self) -> bool:
        return bool(self.page and self.page.has_next)

    @property
    def more_href(self) -> str:
        return more_href_of(self.sort_param, self.page_number, self.view)

    @property
    def previous_href(self) -> str:
        return previous_href_of(self.sort_param, self.page_number, self.view)

    @property
    def more_fragment_url(self) -> str:
        return more_fragment_url_of(self.thread.pk, self.sort, self.page_number, self.view)


# The section's links, from the few values they show (a kept section's look has the same:
# discussion.rendering.SectionFrameLook).


def view_links_of(view: str) -> list[dict[str, object]]:
    return [
        {
            "label": _("Featured"),
            "href": f"{query_string(view='featured')}#discussion",
            "current": view == "featured",
        },
        {
            "label": _("Inline feedbacks"),
            "href": f"{query_string(view='inline')}#discussion",
            "current": view == "inline",
        },
    ]


def sort_links_of(current: Sort) -> list[dict[str, object]]:
    return [
        {
            "label": LABELS[sort],
            "value": str(sort),
            "href": f"{query_string(sort=str(sort))}#discussion",
            "current": sort == current,
        }
        for sort in Sort
    ]


def more_href_of(sort_param: str, page_number: int, view: str) -> str:
    query = query_string(sort=sort_param, cpage=page_number + 1, view=view)
    return f"{query}#discussion"


def previous_href_of(sort_param: str, page_number: int, view: str) -> str:
    previous = page_number - 1
    query = query_string(sort=sort_param, cpage=previous if previous > 1 else None, view=view)
    return f"{query}#discussion"


def more_fragment_url_of(thread_pk: int, sort: Sort, page_number: int, view: str) -> str:
    url = reverse("discussion:comments", kwargs={"thread_id": thread_pk})
    return url + query_string(sort=str(sort), cpage=page_number + 1, view=view)


def discussion_context(
    request: HttpRequest,
    thread: Thread,
    *,
    actor: Actor | None = None,
    params: Mapping[str, Any] | None = None,
) -> DiscussionContext:
    """The context of a fragment (one comment, a form) outside a full section."""
    params = request.GET if params is None else params
    policy = policy_for(thread, request)
    actor = actor or actor_from_request(request)
    return DiscussionContext(
        thread=thread,
        policy=policy,
        actor=actor,
        sort=parse_sort(params.get("sort"), policy.default_sort),
        next_url=safe_next(request, params.get("next"), thread.host_url),
        page_number=parse_page(params.get("cpage")) or 1,
        login_url=resolve_url(settings.LOGIN_URL),
        remembered=None if actor.is_authenticated else remembered_guest(request),
    )


def _comment_in(thread: Thread, comment_id: int | None) -> Comment | None:
    if comment_id is None:
        return None
    return (
        Comment.objects.filter(pk=comment_id, thread=thread)
        .only(
            "pk",
            "thread_id",
            "parent_id",
            "root_id",
            "status",
            "score",
            "created_at",
            "depth",
            "path",
            "author_id",
            "guest_name",
        )
        .first()
    )


def build_section(
    request: HttpRequest,
    thread: Thread,
    *,
    params: Mapping[str, Any] | None = None,
    form: FormState | None = None,
    next_url: str | None = None,
) -> Section:
    """The section for `thread` as this request's reader sees it."""
    params = request.GET if params is None else params
    actor = actor_from_request(request)
    policy = policy_for(thread, request)
    sort = parse_sort(params.get("sort"), policy.default_sort)
    form = form or FormState()
    highlighted = _comment_in(thread, int_param(params, "comment"))
    reply_to: Comment | None = form.parent if form.kind == "reply" else None
    if reply_to is None:
        reply_to = _comment_in(thread, int_param(params, "reply_to"))
    anchor = highlighted or reply_to
    number = parse_page(params.get("cpage")) or 1
    view = str(params.get("view") or "")
    view = view if view in ("inline", "featured") else ""
    if view == "inline":
        page = anchored_comments(thread, page=number)
    elif view == "featured":
        page = featured_comments(thread, page=number)
    else:
        shown: tuple[Comment.Status, ...] = (Comment.Status.APPROVED, Comment.Status.DELETED)
        if actor.can_moderate:
            # Moderators see held, rejected and spam comments in their place
            # (page_rows.visible_to): the queue's "in context" link leads to their page.
            shown = (*shown, *UNPUBLISHED)
        if anchor is not None and anchor.status in shown:
            number = page_of_comment(anchor, sort=sort, viewer=actor)
        page = comments_for_thread(thread, sort=sort, page=number, viewer=actor)
    groups = build_groups(
        page.roots,
        page.replies,
        actor=actor,
        more=page.more_replies,
        highlighted_id=highlighted.pk if highlighted else None,
    )
    _apply_anchors(request, thread, groups, form, str(params.get("anchor") or ""))
    reply_form = None
    if reply_to is not None and reply_to.status == Comment.Status.APPROVED:
        reply_form = form if form.kind == "reply" else FormState(kind="reply", parent=reply_to)
        reply_form.parent = reply_to
    main_form = form if form.kind == "new" else FormState()
    return Section(
        thread=thread,
        policy=policy,
        actor=actor,
        sort=sort,
        next_url=safe_next(request, next_url, request.path),
        page_number=page.number,
        reply_form=reply_form,
        highlighted_id=highlighted.pk if highlighted else None,
        login_url=resolve_url(settings.LOGIN_URL),
        remembered=None if actor.is_authenticated else remembered_guest(request),
        here=_here(request),
        page=page,
        groups=groups,
        form=main_form,
        view=view,
    )


def _here(request: HttpRequest) -> str:
    """The page being read, for a plain GET of a whole page (not an htmx fragment nor a
    form's answer, whose URLs are no place to come back to)."""
    if request.method != "GET" or request.headers.get("HX-Request") == "true":
        return ""
    return request.get_full_path()


def _apply_anchors(
    request: HttpRequest,
    thread: Thread,
    groups: list[CommentGroup],
    form: FormState,
    preselect: str,
) -> None:
    """Mark outdated quotes and preselect ``?anchor=`` on the main form. The host is asked
    (once per request) only when a comment on the page is anchored or a passage is chosen."""
    views = [v for g in groups for v in (g.root, *g.replies) if v.passage is not None]
    if not views and not preselect:
        return
    texts: AnchorTexts | None = anchor_texts_for(thread, request)
    mark_outdated(views, texts)
    if preselect and form.kind == "new" and form.anchor is None:
        form.anchor = anchor_for_form(preselect, texts)
