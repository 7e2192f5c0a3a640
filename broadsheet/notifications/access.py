"""The only way request code gets a subscription it will act on (404 otherwise)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from broadsheet.notifications.models import Subscription
from broadsheet.notifications.selectors import subscriptions_for_reader
from broadsheet.notifications.tokens import read_unsubscribe_token


def access_subscription(*, user: Any, email: str | None, subscription_id: int) -> Subscription:
    """A live subscription of the signed-in account, or of the address a manage link
    vouches for."""
    sub = subscriptions_for_reader(user=user, email=email).filter(pk=subscription_id).first()
    if sub is None:
        raise Http404("No such subscription")
    return sub


def access_subscription_by_token(token: str) -> Subscription:
    """The subscription an unsubscribe token was made for: the id *and* the address must
    match, so a token is no use for any other subscription."""
    found = read_unsubscribe_token(token)
    if found is None:
        raise Http404("This link is not valid")
    sid, email = found
    sub = Subscription.objects.select_related("thread").filter(pk=sid, email=email).first()
    if sub is None:
        raise Http404("This link is not valid")
    return sub
