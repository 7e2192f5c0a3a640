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
from django.utils.translation import gettext_lazy, pgettext_lazy
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
from broadsheet.discussion.models import Comment
from broadsheet.moderation import actions, selectors
from broadsheet.moderation.access import (
    access_moderated_comment,
    access_moderated_thread,
    access_reportable_comment,
    access_sanction,
)
from broadsheet.moderation.commenters import Commenter
from broadsheet.moderation.forms import (
    DURATIONS,
    PICK_ACTIONS,
    SANCTION_ACTIONS,
    CloseForm,
    DecisionForm,
    NoteForm,
    QueueActionForm,
    ReportForm,
    SanctionForm,
)
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
        raise PermissionDenied(_("Only moderators can use the moderation queue."))
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
    thread_id = parse_id(request.GET.get("thread"))
    filters = {
        "author": text_param(request.GET.get("author")),
        "key_prefix": text_param(request.GET.get("key"), max_length=100),
        "article": text_param(request.GET.get("article")),
    }
    comments = selectors.queue_comments(
        tab=tab,
        thread_id=thread_id,
        author=filters["author"],
        key_prefix=filters["key_prefix"],
        article=filters["article"],
    )
    context = {
        **_card_context(request, tab),
        "tabs": [(key, label) for key, (label, _) in selectors.TABS.items()],
        "tab_label": selectors.TABS[tab][0],
        "counts": selectors.queue_counts(),
        "comments": [(c, selectors.page_key(c)) for c in comments],
        "thread_filter": thread_id or "",
        "thread_title": selectors.thread_title(thread_id),
        "filters": filters,
    }
    return render(request, "moderation/admin/queue.html", context)


def _card_context(request: HttpRequest, tab: str) -> dict[str, object]:
    return {
        "tab": tab,
        "next": _back(request) if request.method == "POST" else request.get_full_path(),
    }


def _apply(actor: Actor, verb: str, comment_id: int, form: QueueActionForm, typed: str) -> None:
    comment = access_moderated_comment(actor, comment_id)
    reason = typed.strip() or form.cleaned_data["reason"].strip()
    notify = form.cleaned_data["notify"]
    if verb in SANCTION_ACTIONS:
        commenter, until = Commenter.of_comment(comment), form.sanction_end()
        if until is None:
            actions.do_ban_commenter(
                commenter=commenter, actor=actor, reason=reason, comment=comment, notify=notify
            )
        else:
            actions.do_suspend_commenter(
                commenter=commenter,
                actor=actor,
                until=until,
                reason=reason,
                comment=comment,
                notify=notify,
            )
        return
    # An editor's pick says why in the moderator's words (queue_action asked for them).
    if verb == "feature":
        do_feature_comment(comment=comment, actor=actor, reason=reason)
        return
    if verb == "unfeature":
        do_unfeature_comment(comment=comment, actor=actor, reason=reason)
        return
    reason = reason or selectors.default_reason(comment, verb)
    if verb == "approve":
        actions.do_approve_comment(comment=comment, actor=actor, reason=reason)
    elif verb == "reject":
        actions.do_reject_comment(comment=comment, actor=actor, reason=reason, notify=notify)
    elif verb == "spam":
        actions.do_mark_spam(comment=comment, actor=actor, reason=reason)
    elif verb == "dismiss":
        actions.do_dismiss_reports(comment=comment, actor=actor, reason=reason)


def _action_form(request: HttpRequest) -> QueueActionForm:
    """The queue form: one card's button (?comment=<id>) or the checked comments."""
    data = request.POST.copy()
    if parse_id(request.GET.get("comment")) is not None:
        data.setlist("comments", [request.GET["comment"]])
        # One card's own "tell the commenter" box counts for its own button.
        data["notify"] = data.get(f"notify-{request.GET['comment']}", data.get("notify", ""))
    ids = [i for i in map(parse_id, data.getlist("comments")) if i is not None]
    return QueueActionForm(data, allowed=ids)


# What the queue's notes call each action ("Approve: 2 comment(s).").
ACTION_LABELS = {
    "approve": gettext_lazy("Approve"),
    "reject": gettext_lazy("Reject"),
    "spam": gettext_lazy("Spam"),
    "dismiss": gettext_lazy("Dismiss"),
    "feature": pgettext_lazy("verb", "Feature"),
    "unfeature": gettext_lazy("Unfeature"),
    "sanction": gettext_lazy("Ban or suspension"),
}


@require_POST
def queue_action(request: HttpRequest) -> HttpResponse:
    """One card's button (?comment=<id>) or bulk (checked comments): approve, reject,
    spam, dismiss reports; feature, unfeature, ban or suspend the authors after a
    confirmation with the reason (and a duration for sanctions). htmx gets the changed
    cards back in place."""
    actor = _moderator(request)
    form = _action_form(request)
    if not form.is_valid():
        return _answer(request, [], [_("Choose an action and at least one comment.")])
    verb, ids = form.cleaned_data["action"], form.cleaned_data["comments"]
    if verb in SANCTION_ACTIONS and not form.sanction_ready:
        return _confirm_sanction(request, form, ids)
    if verb in PICK_ACTIONS and not _pick_reasons_given(request, form, ids):
        return _confirm_pick(request, form, ids)
    done, errors = [], []
    for comment_id in ids:
        try:
            _apply(actor, verb, comment_id, form, request.POST.get(f"reason-{comment_id}", ""))
            done.append(comment_id)
        except ActionError as error:
            failed = {"id": comment_id, "error": error.message}
            errors.append(_("Comment %(id)s: %(error)s") % failed)
    if done:
        label = ACTION_LABELS["sanction" if verb in SANCTION_ACTIONS else verb]
        counted = {"label": label, "count": len(done)}
        errors.insert(0, _("%(label)s: %(count)s comment(s).") % counted)
    return _answer(request, ids, errors, ok=len(done))


def _answer(request: HttpRequest, ids: list[int], notes: list[str], *, ok: int = 0) -> HttpResponse:
    """After acting: htmx gets the acted-on cards, to swap in place (out of band), and
    the messages; a plain form gets messages and a redirect back to the queue."""
    if not is_htmx(request):
        for index, note in enumerate(notes):
            (messages.success if ok and index == 0 else messages.error)(request, note)
        return redirect(_back(request))
    tab = selectors.parse_tab(request.POST.get("tab"))
    cards = [(c, selectors.page_key(c)) for c in selectors.queue_cards(ids)]
    context = {**_card_context(request, tab), "cards": cards, "notes": notes, "ok": ok}
    response = render(request, "moderation/admin/_acted.html", context)
    response["HX-Trigger"] = "moderation-done"
    return response


def _confirm_sanction(request: HttpRequest, form: QueueActionForm, ids: list[int]) -> HttpResponse:
    """Ask how long and why before a ban or suspension (the bulk one too)."""
    confirming = bool(form.cleaned_data["confirmed"])
    context = {
        "cards": selectors.queue_cards(ids),
        "form": form,
        "durations": DURATIONS,
        "error": _("Please give a reason: the commenter and the audit log see it.")
        if confirming
        else "",
        "next": _back(request),
        "tab": selectors.parse_tab(request.POST.get("tab")),
    }
    return _dialog(request, "moderation/admin/_confirm_sanction.html", context, confirming)


def _pick_reasons_given(request: HttpRequest, form: QueueActionForm, ids: list[int]) -> bool:
    """Every comment to (un)feature has a reason: typed on its card, or in the dialog."""
    if form.cleaned_data["reason"].strip():
        return True
    return all(request.POST.get(f"reason-{pk}", "").strip() for pk in ids)


def _confirm_pick(request: HttpRequest, form: QueueActionForm, ids: list[int]) -> HttpResponse:
    """Ask why before featuring or unfeaturing an editor's pick (the audit log keeps it)."""
    confirming = bool(form.cleaned_data["confirmed"])
    context = {
        "cards": selectors.queue_cards(ids),
        "verb": form.cleaned_data["action"],
        "refused": confirming,
        "next": _back(request),
        "tab": selectors.parse_tab(request.POST.get("tab")),
    }
    return _dialog(request, "moderation/admin/_confirm_pick.html", context, confirming)


def _dialog(
    request: HttpRequest, template: str, context: dict[str, object], refused: bool
) -> HttpResponse:
    """A confirmation: into the queue's dialog for htmx, else a page of its own. A
    refused answer (the reason missing) is a 400 with the form again."""
    status = 400 if refused else 200
    if not is_htmx(request):
        page = {**context, "fragment": template}
        return render(request, "moderation/admin/confirm.html", page, status=status)
    response = render(request, template, context, status=status)
    response["HX-Retarget"] = "#mod-dialog-body"
    response["HX-Reswap"] = "innerHTML"
    return response


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
    kind, reason = form.cleaned_data["kind"], form.cleaned_data["reason"].strip()
    if not reason:
        raise ActionError(_("Please give a reason: the audit log keeps it with the sanction."))
    if kind == "ban":
        actions.do_ban_commenter(commenter=person, actor=actor, reason=reason)
    elif kind == "shadow":
        actions.do_shadow_ban_commenter(commenter=person, actor=actor, reason=reason)
    elif form.cleaned_data["until"] is None:
        raise ActionError(_("A suspension needs an end date."))
    else:
        until = form.cleaned_data["until"]
        actions.do_suspend_commenter(commenter=person, actor=actor, until=until, reason=reason)
    messages.success(request, _("Sanction recorded."))


@require_POST
def lift_sanction(request: HttpRequest, sanction_id: int) -> HttpResponse:
    actor = _moderator(request)
    try:
        actions.do_lift_sanction(sanction=access_sanction(actor, sanction_id), actor=actor)
        messages.success(request, _("Sanction lifted."))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect(_back(request))


@require_POST
def thread_open_close(request: HttpRequest, thread_id: int, verb: str) -> HttpResponse:
    """Close (after a confirmation with a reason) or reopen a discussion; ?comment=<id>
    names the card it was asked from, shown again in place for htmx."""
    actor = _moderator(request)
    thread = access_moderated_thread(actor, thread_id)
    form = CloseForm(request.POST)
    reason = form.cleaned_data["reason"].strip() if form.is_valid() else ""
    if verb == "close" and not reason:
        refused = bool(request.POST.get("confirmed"))
        context = {"thread": thread, "next": _back(request), "refused": refused}
        context["card"] = parse_id(request.GET.get("comment"))
        return _dialog(request, "moderation/admin/_confirm_close.html", context, refused)
    change = do_close_thread if verb == "close" else do_reopen_thread
    changed = (
        _("Discussion closed: %(thread)s.")
        if verb == "close"
        else _("Discussion reopened: %(thread)s.")
    )
    notes, ok = [changed % {"thread": thread}], 1
    try:
        change(thread=thread, actor=actor, reason=reason or "reopened by a moderator")
    except ActionError as error:
        notes, ok = [error.message], 0
    card = parse_id(request.GET.get("comment"))
    return _answer(request, [card] if card else [], notes, ok=ok)


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    action = request.GET.get("action", "")
    action = action if action in AuditEntry.Action.values else ""
    moderator = text_param(request.GET.get("moderator"))
    entries = selectors.audit_entries(
        action=action, actor_id=parse_id(request.GET.get("actor")), actor_name=moderator
    )
    context = {
        "rows": selectors.audit_rows(entries),
        "actions": AuditEntry.Action.choices,
        "action": action,
        "moderator": moderator,
    }
    return render(request, "moderation/admin/audit.html", context)


# --- in context, on the article page ------------------------------------------------


@require_POST
def decide_in_context(request: HttpRequest, comment_id: int) -> HttpResponse:
    """Approve or reject a held comment where moderators see it, in its place on the
    article page, restore (approve) a rejected or spam one, or feature / unfeature a
    published one (with a reason); back to that comment."""
    actor = actor_from_request(request)
    comment = access_moderated_comment(actor, comment_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _refused(request, comment, ActionError(_("Choose Approve or Reject.")))
    verb, notify = form.cleaned_data["action"], form.cleaned_data["notify"]
    if verb in PICK_ACTIONS:  # an editor's pick says why: no default reason
        pick = do_feature_comment if verb == "feature" else do_unfeature_comment
        try:
            pick(comment=comment, actor=actor, reason=form.cleaned_data["reason"])
        except ActionError as error:
            return _refused(request, comment, error)
        return redirect(reverse("discussion:permalink", args=[comment.pk]))
    removed = comment.status in (Comment.Status.REJECTED, Comment.Status.SPAM)
    label = "restore" if removed and verb == "approve" else verb
    reason = form.cleaned_data["reason"].strip() or selectors.default_reason(comment, label)
    try:
        if verb == "approve":
            actions.do_approve_comment(comment=comment, actor=actor, reason=reason)
        else:
            actions.do_reject_comment(comment=comment, actor=actor, reason=reason, notify=notify)
    except ActionError as error:
        return _refused(request, comment, error)
    return redirect(reverse("discussion:permalink", args=[comment.pk]))


def _refused(request: HttpRequest, comment: Comment, error: ActionError) -> HttpResponse:
    context = {"comment": comment, "error": error}
    return render(request, "moderation/decision_refused.html", context, status=error.status)
