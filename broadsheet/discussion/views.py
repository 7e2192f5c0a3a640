"""HTML views of the discussion: every flow works without JavaScript (full pages and
redirects); with htmx (``HX-Request``) the same URLs answer with fragments. Errors answer
4xx with the message next to the field and the reader's text kept; htmx swaps those in
because of the ``HX-Reswap`` header (see frontend/src/js/broadsheet.js).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.core.clients import remember_reader
from broadsheet.core.errors import ActionError
from broadsheet.core.text import text_param
from broadsheet.discussion import actions
from broadsheet.discussion.access import access_comment, access_comment_to_act_on, access_thread
from broadsheet.discussion.actions import PARENT_REMOVED_MESSAGE, NewComment
from broadsheet.discussion.anchors import (
    anchor_for_form,
    anchor_texts_for,
    anchored_comments,
    mark_outdated,
    parse_anchor,
    point_counts,
    question_of,
)
from broadsheet.discussion.avatars import DIGEST_PATTERN, identicon_svg
from broadsheet.discussion.forms import (
    CommentForm,
    parse_comment_form,
    parse_edit_form,
    parse_vote,
)
from broadsheet.discussion.fragments import (
    comment_context,
    comment_view,
    is_htmx,
    with_reswap,
)
from broadsheet.discussion.guests import keep_or_forget_guest
from broadsheet.discussion.identity import Actor, actor_from_request
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.policy import policy_for
from broadsheet.discussion.presentation import build_groups, query_string
from broadsheet.discussion.section import FormState, build_section, int_param, safe_next
from broadsheet.discussion.selectors import comment_tree, page_of_comment, root_of
from broadsheet.discussion.sorting import parse_sort

# --- pages -----------------------------------------------------------------------------


@require_GET
def thread_page(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The discussion on its own page (no-JS paging, error pages, later embeds)."""
    thread = access_thread(thread_id)
    section = build_section(request, thread, next_url=request.GET.get("next"))
    return render(request, "discussion/thread_page.html", {"d": section, "thread": thread})


@require_GET
def thread_comments(request: HttpRequest, thread_id: int) -> HttpResponse:
    """The next page of comment trees, appended in place by "Load more"."""
    thread = access_thread(thread_id)
    if not is_htmx(request):
        return redirect(f"{thread.host_url}{query_string(**request.GET.dict())}#discussion")
    section = build_section(request, thread)
    return render(request, "discussion/fragments/more.html", {"d": section})


@require_GET
def permalink(request: HttpRequest, comment_id: int) -> HttpResponse:
    """/discussion/c/<id>/ → the page that holds the comment, scrolled to it."""
    comment = access_comment(actor_from_request(request), comment_id)
    query = query_string(comment=comment.pk, sort=request.GET.get("sort", ""))
    return redirect(f"{comment.thread.host_url}{query}#comment-{comment.pk}")


@require_GET
def replies_page(request: HttpRequest, comment_id: int) -> HttpResponse:
    """A top-level comment with all its replies ("View all N replies")."""
    actor = actor_from_request(request)
    comment = access_comment(actor, comment_id)
    root = root_of(comment)
    if root is None or root.pk != comment.pk:
        return redirect(
            f"{reverse('discussion:replies', args=[comment.tree_root_id])}#comment-{comment.pk}"
        )
    tree = comment_tree(
        comment, after=text_param(request.GET.get("after"), max_length=252), viewer=actor
    )
    groups = build_groups(
        [comment],
        {comment.pk: tree.replies},
        actor=actor,
        highlighted_id=int_param(request.GET, "comment"),
    )
    context = comment_context(request, comment.thread, actor=actor)
    return render(
        request,
        "discussion/replies_page.html",
        {"d": context, "thread": comment.thread, "group": groups[0], "tree": tree},
    )


@require_GET
@cache_control(public=True, max_age=31_536_000, immutable=True)
def avatar(request: HttpRequest, digest: str) -> HttpResponse:
    if not DIGEST_PATTERN.match(digest):
        return HttpResponse(status=404)
    return HttpResponse(identicon_svg(digest), content_type="image/svg+xml")


# --- posting ---------------------------------------------------------------------------


def _parent(actor: Actor, form: CommentForm) -> Comment | None:
    """The comment replied to, fetched as the API fetches it (access_comment_to_act_on);
    one the reader may not see is "removed", with their text kept in the form."""
    parent_id = form.cleaned_data.get("parent") if hasattr(form, "cleaned_data") else None
    if not parent_id:
        return None
    try:
        return access_comment_to_act_on(actor, parent_id)
    except Http404:
        raise ActionError(PARENT_REMOVED_MESSAGE, field="parent") from None


def _parent_or_none(actor: Actor, form: CommentForm) -> Comment | None:
    try:
        return _parent(actor, form)
    except ActionError:
        return None


def _new_comment(form: CommentForm, thread: Thread, parent: Comment | None) -> NewComment:
    """What the reader sent, as the action takes it (the anchor parsed and checked)."""
    values = form.values()
    honeypot, rendered_at = form.antispam()
    anchor = parse_anchor(**form.anchor_values())
    return NewComment(
        thread=thread,
        body=values["body"],
        parent=parent,
        guest_name=values["name"],
        guest_email=values["email"],
        guest_website=values["website"],
        anchor=anchor if anchor.given else None,
        honeypot=honeypot,
        rendered_at=rendered_at,
    )


def _form_state(form: CommentForm, parent: Comment | None, **extra: Any) -> FormState:
    kind = "reply" if parent is not None else "new"
    state = FormState(kind=kind, parent=parent, data=form.values(), **extra)
    try:  # keep the passage the reader chose (inline feedback) on the form
        anchor = parse_anchor(**form.anchor_values())
    except ActionError:
        anchor = None
    state.anchor = anchor if anchor is not None and anchor.is_set else None
    return state


def _form_answer(
    request: HttpRequest, thread: Thread, state: FormState, form: CommentForm, status: int
) -> HttpResponse:
    """The form again, with the reader's text, errors or preview: in place for htmx, on
    the standalone discussion page otherwise."""
    next_url = form.cleaned_data.get("next") if hasattr(form, "cleaned_data") else None
    params = {"sort": form.data.get("sort", "")}
    section = build_section(request, thread, params=params, form=state, next_url=next_url)
    if is_htmx(request):
        form_state = section.reply_form if state.kind == "reply" else section.form
        response = render(
            request,
            "discussion/fragments/form.html",
            {"d": section, "f": form_state},
            status=status,
        )
        return with_reswap(response, status)
    return render(
        request, "discussion/thread_page.html", {"d": section, "thread": thread}, status=status
    )


@require_POST
def post_comment(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = access_thread(thread_id)
    form = parse_comment_form(request.POST)
    actor = actor_from_request(request, mint_reader=True)
    parent = None
    try:
        form.check()
        parent = _parent(actor, form)
        new = _new_comment(form, thread, parent)
        comment = actions.do_post_comment(
            actor=actor,
            new=new,
            policy=policy_for(thread, request),
            anchor_texts=anchor_texts_for(thread, request) if new.anchor else None,
        )
    except ActionError as error:
        state = _form_state(form, parent, errors={error.field or "__all__": error.message})
        return remember_reader(request, _form_answer(request, thread, state, form, error.status))
    response = _posted(request, comment.thread, comment, form)
    if not actor.is_authenticated:
        values = form.values()
        keep_or_forget_guest(
            request,
            response,
            name=values["name"],
            email=values["email"],
            remember=bool(values["remember"]),
        )
    return remember_reader(request, response)


def _posted(
    request: HttpRequest, thread: Thread, comment: Comment, form: CommentForm
) -> HttpResponse:
    sort = form.cleaned_data.get("sort") or ""
    if not is_htmx(request):
        next_url = safe_next(request, form.cleaned_data.get("next"), thread.host_url)
        return redirect(
            f"{next_url}{query_string(comment=comment.pk, sort=sort)}#comment-{comment.pk}"
        )
    actor = actor_from_request(request)
    context = comment_context(request, thread, actor=actor, params={"sort": sort})
    view = comment_view(comment, actor=actor, highlighted=True)
    fresh = FormState(kind="reply" if comment.parent_id else "new", parent=comment.parent)
    values = form.values()
    if not actor.is_authenticated and values["remember"]:  # the next form, filled in
        fresh.data = {key: values[key] for key in ("name", "email", "remember")}
    response = render(
        request,
        "discussion/fragments/posted.html",
        {"d": context, "c": view, "f": fresh, "thread": thread},
    )
    response["HX-Trigger"] = json.dumps({"discussion:posted": {"id": comment.pk}})
    return response


@require_POST
def preview(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Show the comment as it will look; the reader's text stays in the form."""
    thread = access_thread(thread_id)
    form = parse_comment_form(request.POST)
    parent = _parent_or_none(actor_from_request(request), form)
    try:
        form.check()
        html = mark_safe(actions.check_comment_body(form.values()["body"]))
    except ActionError as error:
        state = _form_state(form, parent, errors={error.field or "body": error.message})
        if is_htmx(request):
            return render(
                request,
                "discussion/includes/preview.html",
                {"f": state, "preview_error": error.message},
            )
        return _form_answer(request, thread, state, form, 200)
    state = _form_state(form, parent, preview=html)
    if is_htmx(request):
        return render(request, "discussion/includes/preview.html", {"f": state})
    return _form_answer(request, thread, state, form, 200)


@require_GET
def reply_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    """The inline reply form under a comment (htmx); without JS, the host page shows it."""
    actor = actor_from_request(request)
    parent = access_comment(actor, comment_id)
    thread = parent.thread
    if not is_htmx(request):
        page = page_of_comment(
            parent,
            sort=parse_sort(request.GET.get("sort"), policy_for(thread, request).default_sort),
        )
        query = query_string(
            sort=request.GET.get("sort", ""), cpage=page if page > 1 else None, reply_to=parent.pk
        )
        return redirect(f"{thread.host_url}{query}#reply-form")
    context = comment_context(request, thread, actor=actor)
    state = FormState(kind="reply", parent=parent)
    return render(
        request, "discussion/fragments/form.html", {"d": context, "f": state, "inline": True}
    )


# --- editing, deleting, voting ------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    actor = actor_from_request(request)
    comment = access_comment(actor, comment_id)
    context = comment_context(request, comment.thread, actor=actor)
    state = FormState(
        kind="edit",
        comment=comment,
        data={"body": comment.body_source},
        byline=comment_view(comment, actor=actor),
        edit_until=actions.edit_deadline(comment),
    )
    status = 200
    if request.method == "POST":
        form = parse_edit_form(request.POST)
        state.data["body"] = form.body_as_sent()
        try:
            form.check()
            if request.POST.get("preview"):
                state.preview = mark_safe(actions.check_comment_body(state.data["body"]))
            else:
                comment = actions.do_edit_comment(
                    comment=comment, actor=actor, body=state.data["body"]
                )
                return _edited(request, comment, context)
        except ActionError as error:
            state.errors = {error.field or "__all__": error.message}
            status = error.status
    elif not actions.can_edit(comment, actor):
        state.errors = {"__all__": "This comment can no longer be edited."}
        status = 403
    return _edit_form(request, context, state, status)


def _edit_form(request: HttpRequest, context: Any, state: FormState, status: int) -> HttpResponse:
    """The edit form (htmx fragment or page) with the reader's text, errors or preview."""
    template = "discussion/fragments/edit.html" if is_htmx(request) else "discussion/edit_page.html"
    thread = context.thread
    response = render(
        request, template, {"d": context, "f": state, "thread": thread}, status=status
    )
    return with_reswap(response, status) if is_htmx(request) else response


def _edited(request: HttpRequest, comment: Comment, context: Any) -> HttpResponse:
    if is_htmx(request):
        view = comment_view(comment, actor=context.actor)
        return render(request, "discussion/includes/comment.html", {"d": context, "c": view})
    return redirect(reverse("discussion:permalink", args=[comment.pk]))


@require_http_methods(["GET", "POST"])
def delete_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET asks for confirmation (no-JS); POST deletes (htmx confirms in the browser)."""
    actor = actor_from_request(request)
    comment = access_comment(actor, comment_id)
    context = comment_context(request, comment.thread, actor=actor)
    error = None
    if request.method == "POST":
        try:
            comment = actions.do_delete_comment(comment=comment, actor=actor)
            return _deleted(request, comment, context)
        except ActionError as exc:
            error = exc
    status = error.status if error else 200
    response = render(
        request,
        "discussion/delete_page.html",
        {"d": context, "comment": comment, "error": error, "thread": comment.thread},
        status=status,
    )
    return with_reswap(response, status) if is_htmx(request) else response


def _deleted(request: HttpRequest, comment: Comment, context: Any) -> HttpResponse:
    comment.refresh_from_db(fields=["reply_count"])
    context.thread.refresh_from_db(fields=["comment_count"])
    if is_htmx(request):
        view = comment_view(comment, actor=context.actor)
        return render(request, "discussion/fragments/deleted.html", {"d": context, "c": view})
    if comment.reply_count:
        return redirect(reverse("discussion:permalink", args=[comment.pk]))
    return redirect(f"{comment.thread.host_url}#discussion")


@require_POST
def vote(request: HttpRequest, comment_id: int) -> HttpResponse:
    actor = actor_from_request(request, mint_reader=True)
    comment = access_comment(actor, comment_id)
    error, result = None, None
    try:
        result = actions.do_cast_vote(
            comment=comment, actor=actor, value=parse_vote(request.POST.get("value"))
        )
    except ActionError as exc:
        error = exc
    return remember_reader(request, _voted(request, comment, actor, result, error))


def _voted(
    request: HttpRequest,
    comment: Comment,
    actor: Actor,
    result: actions.VoteResult | None,
    error: ActionError | None,
) -> HttpResponse:
    """The vote buttons again (htmx), the error page, or back to the comment."""
    status = error.status if error else 200
    if is_htmx(request):
        context = comment_context(request, comment.thread, actor=actor)
        view = comment_view(comment, actor=actor, mine=result.mine if result else None)
        response = render(
            request,
            "discussion/includes/vote.html",
            {"d": context, "c": view, "vote_error": error},
            status=status,
        )
        return with_reswap(response, status)
    if error:
        return render(
            request,
            "discussion/error_page.html",
            {"error": error, "thread": comment.thread, "comment": comment},
            status=status,
        )
    return redirect(
        reverse("discussion:permalink", args=[comment.pk])
        + query_string(sort=request.GET.get("sort", ""))
    )


@require_GET
def comment_fragment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """One comment as this reader sees it (htmx: "Cancel" on an edit form)."""
    actor = actor_from_request(request)
    comment = access_comment(actor, comment_id)
    if not is_htmx(request):
        return redirect(reverse("discussion:permalink", args=[comment.pk]))
    context = comment_context(request, comment.thread, actor=actor)
    return render(
        request,
        "discussion/includes/comment.html",
        {"d": context, "c": comment_view(comment, actor=actor)},
    )


@require_POST
def moderate_thread(request: HttpRequest, thread_id: int, verb: str) -> HttpResponse:
    thread = access_thread(thread_id)
    actor = actor_from_request(request)
    change = actions.do_close_thread if verb == "close" else actions.do_reopen_thread
    # The page's form asks for a reason before closing (it goes to the audit log).
    reason = text_param(request.POST.get("reason"), max_length=300).strip()
    try:
        change(thread=thread, actor=actor, reason=reason)
    except ActionError as error:
        return render(
            request,
            "discussion/error_page.html",
            {"error": error, "thread": thread},
            status=error.status,
        )
    return HttpResponseRedirect(f"{thread.host_url}#discussion")


@require_GET
def passage(request: HttpRequest, thread_id: int, block_id: str) -> HttpResponse:
    """The discussion of one feedback point: its comments and a form (the panel inline.js
    opens beside the passage); without JS, the host page with the passage preselected."""
    thread = access_thread(thread_id)
    if not is_htmx(request):
        return redirect(f"{thread.host_url}{query_string(anchor=block_id[:64])}#comment-form")
    texts = anchor_texts_for(thread, request)
    anchor = anchor_for_form(block_id, texts)
    if anchor is None:
        return HttpResponse("That passage is not open for feedback.", status=404)
    actor = actor_from_request(request)
    page = anchored_comments(thread, block_id=anchor.block_id)
    groups = build_groups(page.roots, page.replies, actor=actor, more=page.more_replies)
    mark_outdated([v for g in groups for v in (g.root, *g.replies)], texts)
    context = {
        "d": comment_context(request, thread, actor=actor),
        "groups": groups,
        "f": FormState(kind="passage", anchor=anchor),
        "count": point_counts(thread).get(anchor.block_id, 0),
        "question": question_of(anchor.block_id, texts),
    }
    return render(request, "discussion/inline/panel.html", context)
