"""The delivery log of one webhook endpoint (Wagtail admin; administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from broadsheet.core.errors import ActionError
from broadsheet.discussion.identity import Actor, actor_from_request
from broadsheet.embed import selectors
from broadsheet.embed.models import WebhookDelivery, WebhookEndpoint
from broadsheet.embed.webhooks import actions


def _admin(request: HttpRequest) -> Actor:
    actor = actor_from_request(request)
    if not (actor.is_authenticated and actor.user.is_superuser):
        raise Http404("Not found")
    return actor


def access_endpoint(actor: Actor, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.select_related("site").filter(pk=endpoint_id).first()
    if endpoint is None or not actor.user.is_superuser:
        raise Http404("No such endpoint")
    return endpoint


@require_GET
def deliveries(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    endpoint = access_endpoint(_admin(request), endpoint_id)
    context = {"endpoint": endpoint, "deliveries": selectors.deliveries_of(endpoint)}
    return render(request, "embed/admin/deliveries.html", context)


@require_POST
def endpoint_action(request: HttpRequest, endpoint_id: int, verb: str) -> HttpResponse:
    actor = _admin(request)
    endpoint = access_endpoint(actor, endpoint_id)
    if verb == "enable":
        actions.do_enable_webhook_endpoint(endpoint=endpoint, actor=actor)
        messages.success(request, _("Endpoint enabled again."))
    elif verb == "rotate":
        actions.do_rotate_webhook_secret(endpoint=endpoint, actor=actor)
        messages.success(request, _("New secret; the previous one still signs for a while."))
    else:
        raise Http404("No such action")
    return redirect("embed_admin:deliveries", endpoint_id=endpoint.pk)


@require_POST
def redeliver(request: HttpRequest, delivery_id: int) -> HttpResponse:
    actor = _admin(request)
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery")
    try:
        actions.do_redeliver_webhook(delivery=delivery, actor=actor)
        messages.success(request, _("Queued again."))
    except ActionError as error:
        messages.error(request, error.message)
    return redirect("embed_admin:deliveries", endpoint_id=delivery.endpoint_id)
