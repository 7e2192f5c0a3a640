"""``{% discussion %}``: the discussion section of any page, and ``render_discussion`` for
hosts that render it from their own template tags (articles do)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.utils.safestring import SafeString

from broadsheet.core.csrf_tokens import request_csrf_token
from broadsheet.discussion.actions import do_register_thread
from broadsheet.discussion.presentation import CommentGroup, CommentView
from broadsheet.discussion.rendering import (
    render_comment,
    render_form,
    render_groups,
    render_section,
    section_key,
)
from broadsheet.discussion.section import DiscussionContext, Section, build_section

register = template.Library()


def render_discussion(request: HttpRequest, *, thread_key: str, title: str, url: str) -> SafeString:
    """Register the thread (one SELECT when it exists) and render its section for this
    request's reader: the page of comments asked for in the query string (sort, cpage,
    comment, reply_to)."""
    thread = do_register_thread(key=thread_key, title=title, url=url)
    section = build_section(request, thread)
    # A plain context: the host page has already run the context processors, and the
    # section needs only the CSRF token (no hidden queries of other apps here).
    # The page's own token (every form of one page carries the same: core.csrf_tokens).
    return render_section(section, request, request_csrf_token(request))


@register.simple_tag(takes_context=True)
def discussion(
    context: template.Context, thread_key: str, title: str = "", url: str = ""
) -> SafeString:
    """{% discussion "page-key" title url %} renders the discussion of that key."""
    request = context["request"]
    return render_discussion(request, thread_key=thread_key, title=title, url=url or request.path)


@register.simple_tag(takes_context=True)
def comment_html(context: template.Context, c: CommentView) -> SafeString:
    """{% comment_html c %}: discussion/includes/comment.html for `c`, from the fragment
    cache (discussion.rendering) when this comment looked the same before."""
    d: DiscussionContext = context["d"]
    # What the comments of one section share is worked out once per list of comments.
    memo = context.render_context
    if memo.get("discussion_section") is not d:
        memo["discussion_section"] = d
        memo["discussion_section_key"] = section_key(d)
    return render_comment(
        c,
        d,
        context.get("csrf_token"),
        shared=memo["discussion_section_key"],
        full_context=context.flatten,
    )


@register.simple_tag(takes_context=True)
def comment_groups(context: template.Context, groups: list[CommentGroup]) -> SafeString:
    """{% comment_groups groups %}: discussion/includes/groups.html for `groups`, without a
    template walk per comment (discussion.rendering.render_groups)."""
    return render_groups(
        groups, context["d"], context.get("csrf_token"), full_context=context.flatten
    )


@register.simple_tag(takes_context=True)
def comment_form(context: template.Context, d: Section) -> SafeString:
    """{% comment_form d %}: discussion/includes/form.html for the section's own form,
    kept per look when nobody has typed into it (discussion.rendering.render_form)."""
    return render_form(d, d.form, context.get("csrf_token"), full_context=context.flatten)
