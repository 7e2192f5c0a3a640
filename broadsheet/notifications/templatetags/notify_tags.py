"""``{% notify_state thread as state %}``: what "Notify of" shows a reader who already
subscribed to this discussion (notifications/notify_control.html)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from broadsheet.notifications.models import Subscription
from broadsheet.notifications.selectors import subscriptions_to_thread
from broadsheet.notifications.subscriber import confirmed_address

register = template.Library()


@dataclass(frozen=True)
class NotifyState:
    subscriptions: list[Subscription] = field(default_factory=list)
    # A guest's address confirmed on this device (fills the form's e-mail field in).
    address: str = ""

    @property
    def subscribed(self) -> bool:
        return bool(self.subscriptions)

    @property
    def kinds(self) -> set[str]:
        return {sub.kind for sub in self.subscriptions}


@register.simple_tag(takes_context=True)
def notify_state(context: template.Context, thread: Any) -> NotifyState:
    """The reader's live subscriptions to `thread`: by account when signed in, by the
    address this browser confirmed for guests (subscriber cookie); nothing, and no query,
    for anyone else."""
    request = context.get("request")
    if request is None:
        return NotifyState()
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    address = None if signed_in else confirmed_address(request)
    if not signed_in and not address:
        return NotifyState()
    subs = subscriptions_to_thread(thread=thread, user=user if signed_in else None, email=address)
    return NotifyState(subscriptions=subs, address=address or "")
