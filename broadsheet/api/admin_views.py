"""API tokens in the Wagtail admin (menu "API tokens", staff): make one (shown once),
see when each was last used, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from broadsheet.api import tokens
from broadsheet.api.forms import ApiTokenForm
from broadsheet.core.errors import ActionError
from broadsheet.discussion.identity import Actor, actor_from_request


def _staff(request: HttpRequest) -> Actor:
    actor = actor_from_request(request)
    if not (actor.is_authenticated and actor.user.is_staff):
        raise Http404("Not found")
    return actor


@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """My API tokens (all of them for administrators): make one, shown once; revoke."""
    actor = _staff(request)
    form = ApiTokenForm(request.POST or None, allow_sites=actor.user.is_superuser)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            _, made = tokens.do_create_api_token(
                actor=actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                site=form.cleaned_data.get("site"),
            )
            form = ApiTokenForm(allow_sites=actor.user.is_superuser)
        except ActionError as error:
            form.add_error(None, error.message)
    context = {"form": form, "made": made, "tokens": tokens.api_tokens_for(actor.user)}
    return render(request, "api/admin/tokens.html", context)


@require_POST
def revoke_api_token(request: HttpRequest, token_id: int) -> HttpResponse:
    actor = _staff(request)
    token = tokens.access_api_token(actor.user, token_id)
    try:
        tokens.do_revoke_api_token(token=token, actor=actor)
        messages.success(request, _("Revoked %(token)s.") % {"token": token})
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("api_admin:tokens")
