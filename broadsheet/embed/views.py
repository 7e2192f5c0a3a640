"""The embed's public endpoints (/embed/): the discussion fragment for scripts and
server-side includes, the iframe page, comment counts, identity tokens, one comment and
its edit form, reports, "Notify of" and the sign-in hand-over. Each: parse → access →
action or selector → render."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from broadsheet.core import clients
from broadsheet.core.errors import ActionError
from broadsheet.core.ratelimit import enforce
from broadsheet.discussion.access import access_comment, access_thread
from broadsheet.discussion.identity import actor_from_request, identity_token, uses_identity_token
from broadsheet.discussion.models import Comment, Thread
from broadsheet.embed import conf, fragments, origins, selectors
from broadsheet.embed.actions import do_register_page
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.sso import do_sign_in_with_sso
from broadsheet.moderation.access import access_reportable_comment
from broadsheet.moderation.actions import do_report_comment
from broadsheet.moderation.forms import ReportForm
from broadsheet.notifications.actions import do_subscribe
from broadsheet.notifications.forms import SubscribeForm

MAX_COUNT_PAGES = 100
SIGNIN_ATTEMPTS = (10, 300)  # per client IP per 5 minutes


def access_site(request: HttpRequest) -> EmbeddingSite:
    """The active site named by ?site=; 404 for unknown or switched-off keys."""
    site = selectors.active_site_by_key(request.GET.get("site", ""))
    if site is None:
        raise Http404("No such embedding site")
    return site


def _thread_of_page(request: HttpRequest, site: EmbeddingSite) -> Any:
    return do_register_page(
        site=site,
        url=request.GET.get("url", ""),
        title=request.GET.get("title", ""),
        identifier=request.GET.get("id", ""),
        origin=request.headers.get("Origin"),
    )


def access_site_comment(request: HttpRequest, site: EmbeddingSite, comment_id: int) -> Comment:
    """A comment this request's reader may see, on one of `site`'s pages; 404 otherwise
    (a site's pages read only its own discussions)."""
    comment = access_comment(actor_from_request(request), comment_id)
    if not comment.thread.key.startswith(origins.key_prefix(site.pk)):
        raise Http404("No such comment")
    return comment


def access_site_thread(site: EmbeddingSite, thread_id: int) -> Thread:
    thread = access_thread(thread_id)
    if not thread.key.startswith(origins.key_prefix(site.pk)):
        raise Http404("No such discussion")
    return thread


def _personal_html(content: str, status: int = 200) -> HttpResponse:
    """A fragment made for one reader: never stored by a shared cache."""
    response = HttpResponse(content, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


def _refused(error: ActionError) -> HttpResponse:
    return HttpResponse(error.message, status=error.status, content_type="text/plain")


@require_GET
def thread_fragment(request: HttpRequest) -> HttpResponse:
    """GET /embed/thread?site=&url=[&title=&id=&sort=&cpage=&comment=]: the first (or
    asked-for) page of a page's discussion as an HTML fragment, with ETag and
    Cache-Control (public for anonymous readers, private with an identity token)."""
    site = access_site(request)
    try:
        thread = _thread_of_page(request, site)
    except ActionError as error:
        return _refused(error)
    content = fragments.section_fragment(request, thread)
    tag = fragments.etag(content)
    if tag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(content, content_type="text/html; charset=utf-8")
    response["ETag"] = tag
    personal = uses_identity_token(request) or bool(request.COOKIES)
    age = conf.fragment_max_age()
    response["Cache-Control"] = "private, no-cache" if personal else f"public, max-age={age}"
    response["Vary"] = "Origin, X-Broadsheet-Reader, Cookie"
    return response


@xframe_options_exempt
@require_GET
def thread_frame(request: HttpRequest) -> HttpResponse:
    """GET /embed/frame?site=&url=...: the discussion in a page of its own, for an
    iframe on hosts whose CSP forbids our script; it tells its parent its height."""
    site = access_site(request)
    try:
        thread = _thread_of_page(request, site)
    except ActionError as error:
        return _refused(error)
    context = {
        "site": site,
        "fragment": fragments.section_fragment(request, thread),
        "parent_origin": selectors.page_origin(request.GET.get("url", "")),
    }
    response = render(request, "embed/frame.html", context)
    response["Content-Security-Policy"] = selectors.frame_policy(site)
    return response


@require_GET
def comment_counts(request: HttpRequest) -> JsonResponse:
    """GET /embed/counts?site=&page=<url or id:identifier>&page=...: visible comments per
    page, one query for up to 100 pages."""
    site = access_site(request)
    pages = request.GET.getlist("page")[:MAX_COUNT_PAGES]
    response = JsonResponse({"counts": selectors.counts_for_pages(site, pages)})
    response["Cache-Control"] = f"public, max-age={conf.fragment_max_age()}"
    return response


@csrf_exempt
@require_POST
def reader_token(request: HttpRequest) -> JsonResponse:
    """POST /embed/reader?site=: a new guest identity token for the embed to keep
    (it stands in for the reader cookie, which browsers block on other sites)."""
    access_site(request)
    token = identity_token(reader_id=secrets.token_urlsafe(16), max_age=conf.reader_token_max_age())
    return JsonResponse({"token": token}, status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def report_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET/POST /embed/report/<id>?site=: the report form of a comment, and sending it,
    for embeds (identity token required instead of the CSRF cookie)."""
    access_site(request)
    if request.method == "POST" and not uses_identity_token(request):
        return HttpResponse("An identity token is required.", status=403)
    actor = actor_from_request(request)
    comment = access_reportable_comment(actor, comment_id)
    form = ReportForm(request.POST or None)
    error, done = None, False
    if request.method == "POST" and form.is_valid():
        try:
            do_report_comment(
                comment=comment,
                actor=actor,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            done = True
        except ActionError as exc:
            error = exc
    context = {"comment": comment, "form": form, "error": error, "done": done}
    status = error.status if error else 200
    return render(request, "moderation/report_fragment.html", context, status=status)


@require_GET
def comment_fragment(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET /embed/comment/<id>?site=: one comment as this reader sees it (live updates
    insert new ones; an edit form's "Cancel" and "Save" put it back)."""
    site = access_site(request)
    comment = access_site_comment(request, site, comment_id)
    actor = actor_from_request(request)
    return _personal_html(fragments.comment_fragment(request, comment, actor=actor))


@require_GET
def replies(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET /embed/replies/<top-level comment id>?site=: its thread with all its replies,
    for "View all N replies" in place (404 for a reply: the embed asks for roots)."""
    site = access_site(request)
    comment = access_site_comment(request, site, comment_id)
    if comment.parent_id is not None:
        raise Http404("Not a top-level comment")
    actor = actor_from_request(request)
    return _personal_html(fragments.replies_fragment(request, comment, actor=actor))


@require_GET
def edit_form(request: HttpRequest, comment_id: int) -> HttpResponse:
    """GET /embed/edit/<id>?site=: the edit form of the reader's own comment (the
    identity token says whose), with its text; the embed saves it through the API
    (PATCH /api/v1/comments/<id>)."""
    site = access_site(request)
    comment = access_site_comment(request, site, comment_id)
    actor = actor_from_request(request)
    return _personal_html(*fragments.edit_fragment(request, comment, actor=actor))


@csrf_exempt
@require_POST
def subscribe(request: HttpRequest, thread_id: int) -> HttpResponse:
    """POST /embed/subscribe/<thread id>?site= (kind, email): "Notify of" from an embed,
    with an identity token instead of the CSRF cookie; answers with the control and
    its message (a confirmation e-mail for guests: double opt-in)."""
    site = access_site(request)
    if not uses_identity_token(request):
        return HttpResponse("An identity token is required.", status=403)
    thread = access_site_thread(site, thread_id)
    actor = actor_from_request(request)
    values = SubscribeForm(request.POST).values()
    context: dict[str, Any] = {"thread": thread, "back": thread.host_url, "values": values}
    context["signed_in"], status = actor.is_authenticated, 200
    try:
        result = do_subscribe(
            thread=thread,
            kind=values["kind"],
            email=values["email"],
            user=actor.user,
            ip_hash=actor.ip_hash,
        )
        context["message"] = result.message
    except ActionError as error:
        context["error"], status = error, error.status
    return _personal_html(fragments.subscribe_fragment(request, context), status)


@require_http_methods(["GET", "POST"])
def signin(request: HttpRequest) -> HttpResponse:
    """GET/POST /embed/signin?site=&origin=: signing in from an embed, in a popup on our
    own site (first-party there, so its session cookie works where browsers block
    third-party cookies). Once signed in, the page hands a short-lived identity token to
    the embed that opened it, by postMessage to that origin only."""
    site = access_site(request)
    origin = request.GET.get("origin", "")
    if not origins.origin_allowed(site.rules, origin):
        return HttpResponse("This origin may not sign in to the site.", status=403)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST":
        try:
            # The popup's own form, so it gets a limit of its own against guessing.
            enforce(
                "embed-signin",
                clients.ip_hash(clients.client_ip(request)),
                limit=SIGNIN_ATTEMPTS[0],
                window=SIGNIN_ATTEMPTS[1],
                message="Too many attempts. Please wait a few minutes.",
            )
        except ActionError as error:
            return HttpResponse(error.message, status=error.status, content_type="text/plain")
        if form.is_valid():
            login(request, form.get_user())
    context: dict[str, Any] = {"site": site, "origin": origin, "form": form}
    if request.user.is_authenticated:
        context["token"] = identity_token(
            reader_id=secrets.token_urlsafe(16),
            user_id=request.user.pk,
            max_age=conf.signin_token_max_age(),
        )
    response = render(request, "embed/signin.html", context)
    # The page must stay connected to its opener on another origin.
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    return response


@csrf_exempt
@require_POST
def sso(request: HttpRequest) -> JsonResponse:
    """POST /embed/sso?site= with token=<the host's HS256 JWT>: an identity token for the
    embed, as the site's own user. No cookie is read or set (CSRF does not apply)."""
    site = access_site(request)
    try:
        user = do_sign_in_with_sso(site=site, token=request.POST.get("token", ""))
    except ActionError as error:
        return JsonResponse(
            {"error": {"code": error.code, "message": error.message}}, status=error.status
        )
    token = identity_token(
        reader_id=secrets.token_urlsafe(16), user_id=user.pk, max_age=conf.signin_token_max_age()
    )
    return JsonResponse({"token": token})
