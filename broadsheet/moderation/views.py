"""Moderation views: the public report page, and the queue in the Wagtail admin
(mounted by wagtail_hooks under /admin/moderation/). Parse → access → action → render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.core.clients import remember_reader
from broadsheet.core.errors import ActionError
from broadsheet.core.htmx import is_htmx
from broadsheet.core.ids import parse_id
from broadsheet.core.text import text_param
from broadsheet.discussion.actions import (
    do_close_thread,
    do_feature_comment,
    do_reopen_thread,
    do_unfeature_comment,
)
from broadsheet.discussion.identity import Actor, actor_from_request
from broadsheet.moderation import actions, selectors
from broadsheet.moderation.access import (
    access_moderated_comment,
    access_moderated_thread,
    access_reportable_comment,
    access_sanction,
)
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.forms import NoteForm, QueueActionForm, ReportForm, SanctionForm
from broadsheet.moderation.models import AuditEntry

# --- readers ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Report a comment: a page of its own (works without JS); htmx may load it inline."""
    actor = actor_from_request(request, mint_reader=request.method == "POST")
    comment = access_reportable_comment(actor, comment_id)
    form = ReportForm(request.POST or None)
    error, done = None, False
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_report_comment(
                comment=comment,
                actor=actor,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            done = True
        except ActionError as exc:
            error = exc
    template = (
        "moderation/report_fragment.html" if is_htmx(request) else ("moderation/report_page.html")
    )
    context = {"comment": comment, "form": form, "error": error, "done": done}
    status = error.status if error else 200
    return remember_reader(request, render(request, template, context, status=status))


# --- the queue (Wagtail admin) ---------------------------------------------------------


def _moderator(request: HttpRequest) -> Actor:
    actor = actor_from_request(request)
    if not actor.can_moderate:
        raise PermissionDenied("Only moderators can use the moderation queue.")
    return actor


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("moderation_admin:queue")


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    tab = selectors.parse_tab(request.GET.get("tab"))
    thread_id = request.GET.get("thread", "")
    author = text_param(request.GET.get("author"))
    key_prefix = text_param(request.GET.get("key"), max_length=100)
    comments = selectors.queue_comments(
        tab=tab, thread_id=parse_id(thread_id), author=author, key_prefix=key_prefix
    )
    context = {
        "tab": tab,
        "tabs": [(key, label) for key, (label, _) in selectors.TABS.items()],
        "counts": selectors.queue_counts(),
        "comments": [(c, selectors.page_key(c)) for c in comments],
        "thread_filter": thread_id,
        "author_filter": author,
        "key_filter": key_prefix,
        "next": request.get_full_path(),
    }
    return render(request, "moderation/admin/queue.html", context)


def _apply(actor: Actor, verb: str, comment_id: int, reason: str) -> None:
    comment = access_moderated_comment(actor, comment_id)
    if verb == "approve":
        actions.do_approve_comment(comment=comment, actor=actor, reason=reason)
    elif verb == "reject":
        actions.do_reject_comment(comment=comment, actor=actor, reason=reason)
    elif verb == "spam":
        actions.do_mark_spam(comment=comment, actor=actor, reason=reason)
    elif verb == "feature":
        do_feature_comment(comment=comment, actor=actor)
    elif verb == "unfeature":
        do_unfeature_comment(comment=comment, actor=actor)
    elif verb == "ban":
        actions.do_ban_commenter(
            commenter=Commenter.of_comment(comment), actor=actor, reason=reason, comment=comment
        )


@require_POST
def queue_action(request: HttpRequest) -> HttpResponse:
    """One click (?comment=<id>) or bulk (checked comments): approve, reject, spam,
    feature, unfeature, ban the author."""
    actor = _moderator(request)
    data = request.POST.copy()
    if parse_id(request.GET.get("comment")) is not None:
        data.setlist("comments", [request.GET["comment"]])
    ids = [i for i in map(parse_id, data.getlist("comments")) if i is not None]
    form = QueueActionForm(data, allowed=ids)
    if not form.is_valid():
        messages.error(request, "Choose an action and at least one comment.")
        return redirect(_back(request))
    verb, done = form.cleaned_data["action"], 0
    for comment_id in form.cleaned_data["comments"]:
        try:
            _apply(actor, verb, comment_id, form.cleaned_data["reason"])
            done += 1
        except ActionError as error:
            messages.error(request, f"Comment {comment_id}: {error.message}")
    if done:
        messages.success(request, f"{verb.capitalize()}: {done} comment(s).")
    return redirect(_back(request))


@require_http_methods(["GET", "POST"])
def commenter(request: HttpRequest, key: str) -> HttpResponse:
    """A commenter's page: history, trust, sanctions, notes; POST adds a sanction/note."""
    actor = _moderator(request)
    person = selectors.commenter_from_key(key)
    if person is None:
        return render(request, "moderation/admin/missing.html", status=404)
    if request.method == "POST":
        try:
            _sanction_or_note(request, actor, person)
        except ActionError as error:
            messages.error(request, error.message)
        return redirect(request.path)
    page = selectors.commenter_page(person)
    return render(request, "moderation/admin/commenter.html", {"page": page, "key": key})


def _sanction_or_note(request: HttpRequest, actor: Actor, person: Commenter) -> None:
    if "text" in request.POST:
        note = NoteForm(request.POST)
        if not note.is_valid():
            raise ActionError(_("Please write a note."))
        actions.do_add_commenter_note(commenter=person, actor=actor, text=note.cleaned_data["text"])
        return
    form = SanctionForm(request.POST)
    if not form.is_valid():
        raise ActionError(_("Please check the sanction form (a suspension needs an end date)."))
    kind, reason = form.cleaned_data["kind"], form.cleaned_data["reason"]
    if kind == "ban":
        actions.do_ban_commenter(commenter=person, actor=actor, reason=reason)
    elif kind == "shadow":
        actions.do_shadow_ban_commenter(commenter=person, actor=actor, reason=reason)
    elif form.cleaned_data["until"] is None:
        raise ActionError(_("A suspension needs an end date."))
    else:
        until = form.cleaned_data["until"]
        actions.do_suspend_commenter(commenter=person, actor=actor, until=until, reason=reason)
    messages.success(request, "Sanction recorded.")


@require_POST
def lift_sanction(request: HttpRequest, sanction_id: int) -> HttpResponse:
    actor = _moderator(request)
    try:
        actions.do_lift_sanction(sanction=access_sanction(actor, sanction_id), actor=actor)
        messages.success(request, "Sanction lifted.")
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(_back(request))


@require_POST
def thread_open_close(request: HttpRequest, thread_id: int, verb: str) -> HttpResponse:
    actor = _moderator(request)
    thread = access_moderated_thread(actor, thread_id)
    change = do_close_thread if verb == "close" else do_reopen_thread
    try:
        change(thread=thread, actor=actor)
        messages.success(request, f"Discussion {'closed' if verb == 'close' else 'reopened'}.")
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(_back(request))


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    action = request.GET.get("action", "")
    action = action if action in AuditEntry.Action.values else ""
    moderator = request.GET.get("actor", "")
    entries = selectors.audit_entries(action=action, actor_id=parse_id(moderator))
    context = {"entries": entries, "actions": AuditEntry.Action.choices, "action": action}
    return render(request, "moderation/admin/audit.html", context)
