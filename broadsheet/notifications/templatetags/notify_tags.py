"""``{% notify_state thread as state %}``: what "Notify of" shows a reader who already
subscribed to this discussion (notifications/notify_control.html); ``{% notify_control
thread next_url signed_in %}``: that control in a discussion's section, kept per look."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString

from broadsheet.core.kept_markup import HoledMarkup, keepable_token, kept_by_look
from broadsheet.core.lru import BoundedLRU, setting_bytes
from broadsheet.discussion.rendering import ThreadLook
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
    user, address = _subscriber(context)
    if user is None and not address:
        return NotifyState()
    subs = subscriptions_to_thread(thread=thread, user=user, email=address)
    return NotifyState(subscriptions=subs, address=address or "")


def _subscriber(context: template.Context) -> tuple[Any, str | None]:
    """(the signed-in user, or None; the address this browser confirmed, for a guest)."""
    request = context.get("request")
    if request is None:
        return None, None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, None
    return None, confirmed_address(request)


CONTROL_TEMPLATE = "notifications/notify_control.html"
# What a notify view puts in the control's context after a form was sent back: a reader's
# own state, never kept.
SENT_BACK = ("open", "message", "error", "values")


class ControlLook(NamedTuple):
    """Everything notify_control.html and its includes read of their context when the
    reader is not signed in, has confirmed no address here and sent nothing back: the
    whole key of a kept control (test_kept_notify_control parses the templates and holds
    them to it)."""

    thread: ThreadLook
    next_url: str


# (ControlLook, language, time zone, script prefix) -> the control's markup cut at its holes
kept_controls: BoundedLRU[Any, HoledMarkup] = BoundedLRU(
    setting_bytes("BROADSHEET_KEPT_FORMS_BYTES", 512 * 1024)
)


@register.simple_tag(takes_context=True)
def notify_control(
    context: template.Context, thread: Any, next_url: str, signed_in: bool
) -> SafeString:
    """notifications/notify_control.html for a discussion's section. For a reader who can
    have no subscription (not signed in, no address confirmed on this browser) and sent
    nothing back, the markup is the same for everyone with the same ControlLook but for
    the CSRF token: kept per process with the token as a hole (core.kept_markup). Anyone
    else's is rendered afresh with the whole context (their subscriptions read once,
    by the template's notify_state)."""
    token = keepable_token(context.get("csrf_token"))
    user, address = _subscriber(context)
    if (
        signed_in
        or user is not None
        or address
        or token is None
        or any(context.get(name) for name in SENT_BACK)
    ):
        flat: dict[str, Any] = {str(name): value for name, value in context.flatten().items()}
        flat.update(thread=thread, next_url=next_url, signed_in=signed_in)
        return SafeString(get_template(CONTROL_TEMPLATE).render(flat))
    look = ControlLook(ThreadLook(thread.pk), next_url)
    render = get_template(CONTROL_TEMPLATE).render
    return kept_by_look(kept_controls, look, render, look._asdict(), token)
