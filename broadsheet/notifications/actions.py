"""The write paths of the notifications app.

- ``do_subscribe`` / ``do_confirm_address`` / ``do_cancel_subscription`` /
  ``do_set_mention_preference``: what readers do.
- ``do_queue_comment_notices``: a new approved comment becomes pending items of the
  subscriptions it concerns (the fan-out), each in the subscription's one open delivery.
- ``do_send_delivery``: one delivery becomes one e-mail (a digest of its items), at most
  once, retried with back-off when the mail server fails.

Locks: subscription row → its open delivery row. Mail leaves only after commit (tasks are
enqueued with ``transaction.on_commit``), and no transaction is held while talking SMTP.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from broadsheet.core.errors import ActionError
from broadsheet.core.ratelimit import enforce
from broadsheet.discussion.formatting import plain_text
from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import author_joins
from broadsheet.notifications import conf
from broadsheet.notifications.models import (
    Delivery,
    MentionPreference,
    PendingItem,
    Subscription,
)
from broadsheet.notifications.selectors import (
    mentioned_usernames,
    mentions_enabled,
    normalise_email,
    verified_email,
)

READER_KINDS = (Subscription.Kind.THREAD, Subscription.Kind.REPLIES)
CONFIRMATION_MESSAGE = gettext_lazy(
    "Thank you. If {email} can receive mail, a message with a confirmation link is on its "
    "way; nothing else is sent until you confirm. We send at most one such message per "
    "address every {minutes} minutes."
)


def _confirmation_key(email: str) -> str:
    digest = hashlib.blake2b(email.encode(), digest_size=16, person=b"bs-confirm").hexdigest()
    return f"notify-confirm:{digest}"


# --- subscribing -------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscribeResult:
    subscription: Subscription
    message: str


def check_subscribe(
    *,
    thread: Thread,
    kind: str,
    email: str = "",
    user: Any = None,
    ip_hash: str = "",
    confirmed_email: str | None = None,
) -> tuple[str, bool]:
    """(the address to write to, whether it is already verified); raises ActionError.

    A signed-in reader with a verified address uses it (or names another one, which then
    needs confirming); guests confirm, unless they give the address their browser
    confirmed before (`confirmed_email`, notifications.subscriber). The per-IP limit is
    counted last."""
    if kind not in READER_KINDS:
        raise ActionError(_("Choose what to be notified of."), field="kind")
    given = normalise_email(email)
    verified = verified_email(user)
    if verified and given in ("", verified):
        address, is_verified = verified, True
    elif confirmed_email and given in ("", normalise_email(confirmed_email)):
        address, is_verified = normalise_email(confirmed_email), True
    else:
        if not given:
            raise ActionError(
                _("Please give your e-mail address (it is never shown)."), field="email"
            )
        try:
            EmailValidator()(given)
        except ValidationError:
            raise ActionError(_("Please check your e-mail address."), field="email") from None
        address, is_verified = given, False
    if ip_hash:
        limit, window = conf.subscribe_rate_limit()
        enforce(
            "notify-subscribe",
            ip_hash,
            limit=limit,
            window=window,
            message="Too many subscription requests from your network. Please try later.",
        )
    return address, is_verified


def do_subscribe(
    *,
    thread: Thread,
    kind: str,
    email: str = "",
    user: Any = None,
    ip_hash: str = "",
    confirmed_email: str | None = None,
) -> SubscribeResult:
    """Subscribe an address to `thread` for `kind` news. A verified address is active at
    once; any other is pending, and one confirmation e-mail is queued (at most one per
    address per CONFIRMATION_INTERVAL, whatever the number of requests)."""
    address, is_verified = check_subscribe(
        thread=thread,
        kind=kind,
        email=email,
        user=user,
        ip_hash=ip_hash,
        confirmed_email=confirmed_email,
    )
    account = user if user is not None and user.is_authenticated else None
    status = Subscription.Status.ACTIVE if is_verified else Subscription.Status.PENDING
    now = timezone.now()
    with transaction.atomic():
        sub = (
            Subscription.objects.select_for_update()
            .filter(email=address, thread=thread, kind=kind)
            .first()
        )
        if sub is None:
            sub = Subscription.objects.create(
                email=address,
                user=account,
                thread=thread,
                kind=kind,
                status=status,
                confirmed_at=now if is_verified else None,
            )
        elif sub.status != Subscription.Status.ACTIVE:
            sub.status = status
            sub.confirmed_at = now if is_verified else sub.confirmed_at
            sub.cancelled_at = None
            sub.user = sub.user or account
            sub.save(update_fields=["status", "confirmed_at", "cancelled_at", "user", "updated_at"])
        if sub.status == Subscription.Status.PENDING:
            transaction.on_commit(lambda: request_confirmation(address))
            minutes = max(1, conf.confirmation_interval() // 60)
            message = CONFIRMATION_MESSAGE.format(email=address, minutes=minutes)
        else:
            message = _("Subscribed: we will write to %(email)s.") % {"email": address}
    return SubscribeResult(subscription=sub, message=message)


def request_confirmation(email: str) -> bool:
    """Queue the confirmation e-mail unless one went to this address within the interval
    (the cache key is shared by every app process). True when one was queued."""
    if not cache.add(_confirmation_key(email), 1, timeout=conf.confirmation_interval()):
        return False
    from broadsheet.notifications.tasks import send_confirmation_task

    send_confirmation_task.enqueue(email=email)
    return True


def forget_confirmation_request(email: str) -> None:
    """Allow a new confirmation e-mail at once (the last one failed or was used)."""
    cache.delete(_confirmation_key(email))


def do_confirm_address(*, email: str) -> list[Subscription]:
    """Activate every pending subscription of `email` (it proved it reads its mail).
    Returns the subscriptions activated (with their threads); confirming twice is
    harmless and returns none the second time."""
    address = normalise_email(email)
    with transaction.atomic():
        pending = list(
            # Only the subscriptions are locked: PostgreSQL cannot lock the nullable side
            # of the outer join to their threads.
            Subscription.objects.select_for_update(of=("self",))
            .filter(email=address, status=Subscription.Status.PENDING)
            .select_related("thread")
            .order_by("created_at", "pk")
        )
        now = timezone.now()
        Subscription.objects.filter(pk__in=[sub.pk for sub in pending]).update(
            status=Subscription.Status.ACTIVE, confirmed_at=now
        )
        for sub in pending:
            sub.status, sub.confirmed_at = Subscription.Status.ACTIVE, now
    forget_confirmation_request(address)
    return pending


def do_cancel_subscription(*, subscription: Subscription) -> Subscription:
    """Stop a subscription and drop what it had waiting. Cancelling mentions also switches
    the account's mention e-mails off. Cancelling twice is harmless."""
    with transaction.atomic():
        sub = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if sub.status != Subscription.Status.CANCELLED:
            sub.status = Subscription.Status.CANCELLED
            sub.cancelled_at = timezone.now()
            sub.save(update_fields=["status", "cancelled_at", "updated_at"])
        Delivery.objects.filter(subscription=sub, status=Delivery.Status.SCHEDULED).delete()
        if sub.kind == Subscription.Kind.MENTIONS and sub.user_id is not None:
            MentionPreference.objects.update_or_create(
                user_id=sub.user_id, defaults={"enabled": False}
            )
    return sub


def do_set_mention_preference(*, user: Any, enabled: bool) -> MentionPreference:
    """Whether `user` is e-mailed when @mentioned."""
    with transaction.atomic():
        pref, _ = MentionPreference.objects.update_or_create(
            user=user, defaults={"enabled": enabled}
        )
        if not enabled:
            for sub in Subscription.objects.filter(
                user=user, kind=Subscription.Kind.MENTIONS
            ).exclude(status=Subscription.Status.CANCELLED):
                Delivery.objects.filter(subscription=sub, status=Delivery.Status.SCHEDULED).delete()
                sub.status = Subscription.Status.CANCELLED
                sub.cancelled_at = timezone.now()
                sub.save(update_fields=["status", "cancelled_at", "updated_at"])
    return pref


# --- fan-out -------------------------------------------------------------------------------

# When one address is concerned several ways, the most personal reason wins (one e-mail).
_PRIORITY = {
    PendingItem.Reason.REPLY: 0,
    PendingItem.Reason.MENTION: 1,
    PendingItem.Reason.COMMENT: 2,
}


def _addresses_of(comment: Comment | None) -> set[str]:
    if comment is None:
        return set()
    found = {normalise_email(comment.guest_email)} if comment.guest_email else set()
    if comment.author is not None and comment.author.email:
        found.add(normalise_email(comment.author.email))
    return found


def _mention_subscriptions(comment: Comment) -> list[Subscription]:
    names = mentioned_usernames(plain_text(comment.body_html))
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    subs = []
    for user in get_user_model().objects.filter(query, is_active=True):
        if user.pk == comment.author_id or not mentions_enabled(user):
            continue
        address = verified_email(user)
        if not address:
            continue  # nobody to write to without a verified address
        sub, _ = Subscription.objects.get_or_create(
            user=user,
            kind=Subscription.Kind.MENTIONS,
            defaults={"email": address, "status": Subscription.Status.ACTIVE},
        )
        if sub.status != Subscription.Status.ACTIVE or sub.email != address:
            sub.status, sub.email, sub.cancelled_at = Subscription.Status.ACTIVE, address, None
            sub.save(update_fields=["status", "email", "cancelled_at", "updated_at"])
        subs.append(sub)
    return subs


def recipients_of(comment: Comment) -> list[tuple[Subscription, str]]:
    """(subscription, reason) for everyone a new comment concerns: one per address, never
    its own author (by account or by address)."""
    active = Subscription.objects.filter(
        thread_id=comment.thread_id, status=Subscription.Status.ACTIVE
    )
    candidates: list[tuple[Subscription, str]] = [
        (sub, PendingItem.Reason.COMMENT) for sub in active.filter(kind=Subscription.Kind.THREAD)
    ]
    parent = comment.parent
    if parent is not None and parent.status == Comment.Status.APPROVED:
        mine = Q(email__in=_addresses_of(parent))
        if parent.author_id is not None:
            mine |= Q(user_id=parent.author_id)
        candidates += [
            (sub, PendingItem.Reason.REPLY)
            for sub in active.filter(kind=Subscription.Kind.REPLIES).filter(mine)
        ]
    candidates += [(sub, PendingItem.Reason.MENTION) for sub in _mention_subscriptions(comment)]

    author_addresses = _addresses_of(comment)
    chosen: dict[str, tuple[Subscription, str]] = {}
    for sub, reason in candidates:
        if comment.author_id is not None and sub.user_id == comment.author_id:
            continue
        if sub.email in author_addresses:
            continue
        held = chosen.get(sub.email)
        if held is None or _PRIORITY[reason] < _PRIORITY[held[1]]:  # type: ignore[index]
            chosen[sub.email] = (sub, reason)
    return list(chosen.values())


def do_queue_comment_notices(*, comment_id: int) -> list[int]:
    """Add a new approved comment to the open delivery of every subscription it concerns
    (creating the delivery, due at the end of the subscription's digest window, when there
    is none). Returns the ids of the deliveries queued for sending. Running it twice for
    one comment adds nothing (one item per subscription and comment)."""
    comment = (
        Comment.objects.select_related("author", "parent", "parent__author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.status != Comment.Status.APPROVED:
        return []
    queued: list[tuple[int, datetime]] = []
    with transaction.atomic():
        for sub, reason in recipients_of(comment):
            delivery, is_new = _open_delivery(sub)
            try:
                with transaction.atomic():
                    PendingItem.objects.create(
                        subscription=sub, delivery=delivery, comment=comment, reason=reason
                    )
            except IntegrityError:
                continue  # already queued for this subscription
            if is_new or delivery.scheduled_for <= timezone.now():
                queued.append((delivery.pk, delivery.scheduled_for))
        transaction.on_commit(lambda: _schedule_all(queued))
    return [pk for pk, _ in queued]


def _schedule_all(queued: list[tuple[int, datetime]]) -> None:
    for pk, when in queued:
        schedule_send(pk, when)


def _open_delivery(sub: Subscription) -> tuple[Delivery, bool]:
    locked = Subscription.objects.select_for_update().get(pk=sub.pk)
    open_one = Delivery.objects.filter(
        subscription=locked, status=Delivery.Status.SCHEDULED
    ).first()
    if open_one is not None:
        return open_one, False
    now = timezone.now()
    when = max(now, locked.next_send_at) if locked.next_send_at else now
    return Delivery.objects.create(subscription=locked, scheduled_for=when), True


def schedule_send(delivery_id: int, when: datetime) -> None:
    """Queue the sending task for `when`: deferred on backends that can (the database
    backend); at once when it is due. A backend that cannot defer leaves a future delivery
    to the next run that finds it due (see docs/notifications.md)."""
    from broadsheet.notifications.tasks import send_digest_task

    backend = send_digest_task.get_backend()
    if when <= timezone.now():
        send_digest_task.enqueue(delivery_id=delivery_id)
    elif backend.supports_defer:
        send_digest_task.using(run_after=when).enqueue(delivery_id=delivery_id)


# --- sending -------------------------------------------------------------------------------


def do_send_delivery(*, delivery_id: int) -> str:
    """Send one delivery as one e-mail, at most once: the row is claimed (status sending)
    in a transaction before the mail server is contacted, so a second run of the task does
    nothing. On failure the delivery is scheduled again after RETRY_DELAY × 2^(attempt-1)
    until MAX_ATTEMPTS, then recorded as failed. Returns what happened."""
    from broadsheet.notifications.mail import digest_message

    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != Delivery.Status.SCHEDULED:
            return "skipped"
        if delivery.scheduled_for > now + timedelta(seconds=1):
            return "not due"
        sub = delivery.subscription
        items = [
            item
            for item in delivery.items.select_related(
                "comment", "comment__thread", *author_joins("comment__author")
            ).order_by("comment__created_at", "comment_id")
            if item.comment.status == Comment.Status.APPROVED
        ]
        if sub.status != Subscription.Status.ACTIVE or not items:
            delivery.delete()
            return "nothing to send"
        delivery.status = Delivery.Status.SENDING
        delivery.attempts += 1
        delivery.save(update_fields=["status", "attempts"])
        Subscription.objects.filter(pk=sub.pk).update(
            next_send_at=now + timedelta(seconds=conf.digest_interval())
        )
        message = digest_message(sub, items)
    try:
        message.send()
    except Exception as error:
        return _send_failed(delivery, error)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    return "sent"


def _send_failed(delivery: Delivery, error: Exception) -> str:
    reason = f"{type(error).__name__}: {error}"[:500]
    with transaction.atomic():
        Subscription.objects.select_for_update().get(pk=delivery.subscription_id)
        newer = Delivery.objects.filter(
            subscription_id=delivery.subscription_id, status=Delivery.Status.SCHEDULED
        ).first()
        if newer is not None:
            # Comments arrived meanwhile: the failed ones go out with them.
            PendingItem.objects.filter(delivery=delivery).update(delivery=newer)
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, last_error=f"{reason} (carried over to {newer.pk})"
            )
            return "carried over"
        if delivery.attempts >= conf.max_attempts():
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.FAILED, last_error=reason
            )
            return "failed"
        when = timezone.now() + timedelta(seconds=conf.retry_delay() * 2 ** (delivery.attempts - 1))
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.SCHEDULED, scheduled_for=when, last_error=reason
        )
        transaction.on_commit(lambda: schedule_send(delivery.pk, when))
    return "retry"
