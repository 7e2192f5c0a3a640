"""The reader's own pages under /me/: overview, profile, my comments, data export,
account deletion. Thin: parse → action or selector → render."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from broadsheet.accounts import actions, conf, selectors
from broadsheet.accounts.forms import DeleteAccountForm, ProfileForm
from broadsheet.core.errors import ActionError


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/overview.html",
        {"verified": selectors.has_verified_email(request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    current = selectors.profile_for_editing(request.user)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data.get("avatar")
            try:
                actions.do_update_profile(
                    user=request.user,
                    display_name=form.cleaned_data["display_name"],
                    bio=form.cleaned_data["bio"],
                    # Never more than the limit in memory; one byte over is refused.
                    avatar=upload.read(conf.avatar_max_bytes() + 1) if upload else None,
                    remove_avatar=form.cleaned_data["remove_avatar"],
                )
            except ActionError as error:
                form.add_error(error.field, error.message)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("accounts:profile")
        status = 400
    else:
        form = ProfileForm(initial={"display_name": current.display_name, "bio": current.bio})
    return render(
        request, "accounts/profile.html", {"form": form, "profile": current}, status=status
    )


@require_GET
@login_required
def my_comments(request: HttpRequest) -> HttpResponse:
    page = selectors.my_comments(request.user, page=request.GET.get("page") or 1)  # type: ignore[arg-type]
    return render(request, "accounts/my_comments.html", {"page": page})


@require_GET
@login_required
@never_cache
def export(request: HttpRequest) -> HttpResponse:
    """Everything we keep about the account, as a JSON download."""
    data = selectors.account_export(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="broadsheet-{request.user.get_username()}-{stamp}.json"'
    )
    return response


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def delete_account(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.do_delete_account(user=request.user, password=form.cleaned_data["password"])
            except ActionError as error:
                form.add_error(error.field, error.message)
                status = error.status
            else:
                logout(request)
                return render(request, "accounts/deleted.html")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "mode": conf.delete_comments()},
        status=status,
    )
