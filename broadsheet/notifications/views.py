"""Pages of the notifications app: subscribe (plain form POST; htmx swaps the control in
place), confirm, one-click unsubscribe (RFC 8058) and "My subscriptions"."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.core.clients import client_ip, ip_hash
from broadsheet.core.errors import ActionError
from broadsheet.core.htmx import htmx_answer, is_htmx
from broadsheet.discussion.access import access_thread
from broadsheet.discussion.section import safe_next
from broadsheet.notifications import actions
from broadsheet.notifications.access import access_subscription, access_subscription_by_token
from broadsheet.notifications.forms import SubscribeForm
from broadsheet.notifications.selectors import mentions_enabled, subscriptions_for_reader
from broadsheet.notifications.subscriber import confirmed_address, remember_confirmed_address
from broadsheet.notifications.tokens import email_from_confirm_token, email_from_manage_token


@require_POST
def subscribe(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = access_thread(thread_id)
    values = SubscribeForm(request.POST).values()
    back = safe_next(request, values["next"], thread.host_url)
    context: dict[str, Any] = {"thread": thread, "back": back, "values": values}
    status = 200
    try:
        result = actions.do_subscribe(
            thread=thread,
            kind=values["kind"],
            email=values["email"],
            user=request.user,
            ip_hash=ip_hash(client_ip(request)),
            confirmed_email=confirmed_address(request),
        )
        context["message"] = result.message
    except ActionError as error:
        context["error"] = error
        status = error.status
    return htmx_answer(
        request,
        fragment="notifications/fragments/answer.html",
        page="notifications/answer_page.html",
        context=context,
        status=status,
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links; they do not press buttons); POST confirms."""
    email = email_from_confirm_token(token)
    if email is None:
        return _bad_link(request)
    if request.method == "POST":
        confirmed = actions.do_confirm_address(email=email)
        context = {"count": len(confirmed), "email": email, "confirmed": confirmed}
        response = render(request, "notifications/confirmed.html", context)
        # This browser proved it reads the address: "Notify of" shows it its subscriptions.
        return remember_confirmed_address(response, email)
    return render(request, "notifications/confirm.html", {"email": email})


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a session.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        sub = access_subscription_by_token(token)
    except Http404:
        return _bad_link(request)
    if request.method == "POST":
        actions.do_cancel_subscription(subscription=sub)
        return render(request, "notifications/unsubscribed.html", {"sub": sub})
    return render(request, "notifications/unsubscribe.html", {"sub": sub})


@require_http_methods(["GET"])
def mine(request: HttpRequest) -> HttpResponse:
    return _mine(request, email=None, token="")


@require_http_methods(["GET"])
def mine_token(request: HttpRequest, token: str) -> HttpResponse:
    email = email_from_manage_token(token)
    if email is None:
        return _bad_link(request)
    return _mine(request, email=email, token=token)


def _mine(request: HttpRequest, *, email: str | None, token: str) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    if user is None and email is None:
        email = confirmed_address(request)
    if user is None and email is None:
        return render(request, "notifications/mine.html", {"anonymous": True})
    context = {
        "subscriptions": list(subscriptions_for_reader(user=user, email=email)),
        "token": token,
        "email": email,
        "account": user,
        "mentions_on": mentions_enabled(user) if user else False,
    }
    return render(request, "notifications/mine.html", context)


@require_POST
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Cancel from "My subscriptions" (back there) or from "Notify of" under the
    discussion (back to it; htmx swaps the control in place). Guests act by a manage link's
    token or by the address this browser confirmed."""
    token = request.POST.get("token", "")
    email = email_from_manage_token(token) if token else confirmed_address(request)
    user = request.user if request.user.is_authenticated else None
    sub = access_subscription(user=user, email=email, subscription_id=subscription_id)
    actions.do_cancel_subscription(subscription=sub)
    if not request.POST.get("next") or sub.thread is None:
        return redirect(_mine_url(token))
    back = safe_next(request, request.POST["next"], sub.thread.host_url)
    if is_htmx(request):
        message = f"Cancelled: no more e-mails about {sub.get_kind_display().lower()} here."
        context = {"thread": sub.thread, "next_url": back, "open": True, "message": message}
        return render(request, "notifications/notify_control.html", context)
    return redirect(f"{back}#discussion")


@require_POST
def mentions(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        raise Http404("Sign in first")
    actions.do_set_mention_preference(user=request.user, enabled=request.POST.get("enabled") == "1")
    return redirect(_mine_url(""))


def _mine_url(token: str) -> str:
    if token:
        return reverse("notifications:mine-token", args=[token])
    return reverse("notifications:mine")


def _bad_link(request: HttpRequest) -> HttpResponse:
    response = render(request, "notifications/bad_link.html", status=400)
    response["X-Robots-Tag"] = "noindex"
    return response
