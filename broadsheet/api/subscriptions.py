"""/subscriptions and /threads/{key}/subscriptions: "Notify of" for integrations — the
same double opt-in as the form (an address that is not the account's verified one gets
a confirmation e-mail first), listing and cancelling one's own. Never an address in an
answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status

from broadsheet.api.schemas import ErrorOut, GuestEmail
from broadsheet.api.security import WRITE_AUTH, api_token, check_token, writer
from broadsheet.api.tokens import check_token_allows, site_key_prefix
from broadsheet.core.errors import NotAllowed
from broadsheet.discussion.access import access_thread_by_key
from broadsheet.discussion.identity import actor_from_request
from broadsheet.notifications import actions
from broadsheet.notifications.access import access_subscription
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.selectors import subscriptions_for_reader

router = Router(tags=["subscriptions"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class SubscriptionOut(Schema):
    id: int
    thread_key: str | None
    thread_title: str | None
    kind: Literal["thread", "replies", "mentions"]
    status: Literal["pending", "active", "cancelled"]
    created_at: datetime


class SubscriptionIn(Schema):
    kind: Literal["thread", "replies"]
    email: GuestEmail = ""


class SubscribedOut(Schema):
    subscription: SubscriptionOut
    message: str


def _out(sub: Subscription) -> dict[str, Any]:
    thread = sub.thread
    return {
        "id": sub.pk,
        "thread_key": thread.key if thread is not None else None,
        "thread_title": thread.title if thread is not None else None,
        "kind": sub.kind,
        "status": sub.status,
        "created_at": sub.created_at,
    }


def _account(request: HttpRequest, *, scope: str) -> Any:
    """The signed-in account (session or API token) whose subscriptions these are."""
    token = api_token(request)
    if token is not None:
        check_token_allows(token, scope=scope)
        return token.user
    actor = actor_from_request(request)
    if not actor.is_authenticated:
        raise NotAllowed("Sign in (or use an API token) to manage subscriptions.")
    return actor.user


@router.get(
    "/subscriptions", response={200: list[SubscriptionOut], **ERRORS}, summary="My subscriptions"
)
def list_subscriptions(request: HttpRequest) -> list[dict[str, Any]]:
    """The live (pending or active) subscriptions of the account; a site token's, on its
    site's discussions only."""
    rows = subscriptions_for_reader(user=_account(request, scope="read"))
    token = api_token(request)
    if token is not None and token.site_id is not None:
        rows = rows.filter(thread__key__startswith=site_key_prefix(token.site_id))
    return [_out(sub) for sub in rows]


@router.post(
    "/threads/{path:key}/subscriptions",
    response={201: SubscribedOut, 429: ErrorOut, **ERRORS},
    summary="Subscribe to a discussion",
    auth=WRITE_AUTH,
)
def subscribe(request: HttpRequest, key: str, payload: SubscriptionIn) -> Any:
    """`kind`: `thread` (new follow-up comments) or `replies` (replies to my comments).
    Signed in, the account's verified address is used unless `email` names another;
    guests give `email`. An address not yet confirmed gets a confirmation e-mail and
    the subscription stays `pending` until it is confirmed."""
    actor = writer(request)
    thread = access_thread_by_key(key)
    check_token(request, scope="write", of=thread)
    result = actions.do_subscribe(
        thread=thread,
        kind=payload.kind,
        email=payload.email,
        user=actor.user,
        ip_hash=actor.ip_hash,
    )
    return Status(201, {"subscription": _out(result.subscription), "message": result.message})


@router.delete(
    "/subscriptions/{id:subscription_id}",
    response={200: SubscriptionOut, **ERRORS},
    summary="Cancel a subscription",
    auth=WRITE_AUTH,
)
def cancel(request: HttpRequest, subscription_id: int) -> dict[str, Any]:
    """Guests cancel by the link in any of our e-mails (no account to list them by)."""
    actor = writer(request)
    if not actor.is_authenticated:
        raise NotAllowed("Sign in (or use an API token) to manage subscriptions.")
    sub = access_subscription(user=actor.user, email=None, subscription_id=subscription_id)
    check_token(request, scope="write", of=sub.thread)
    return _out(actions.do_cancel_subscription(subscription=sub))
