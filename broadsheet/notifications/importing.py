"""The write path that brings subscriptions in from an export (import_site).

A subscription comes back in the state it had: confirmed, pending or cancelled, with
its dates; no confirmation e-mail is sent (the address was confirmed, or not, where the
reader subscribed). Idempotent by the same keys as the table's own constraints (address,
thread, kind; an account's one mentions subscription): a subscription that is here
already, perhaps cancelled by its reader since, is left as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from broadsheet.core.errors import ActionError
from broadsheet.notifications.models import Subscription
from broadsheet.notifications.selectors import normalise_email


@dataclass(frozen=True)
class ImportedSubscription:
    email: str
    kind: str
    status: str
    created_at: datetime
    updated_at: datetime
    thread_id: int | None = None
    user_id: int | None = None
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    next_send_at: datetime | None = None


def check_import_subscription(*, subscription: ImportedSubscription) -> None:
    if subscription.kind not in Subscription.Kind.values:
        raise ActionError(f"Unknown subscription kind {subscription.kind!r}.")
    if subscription.status not in Subscription.Status.values:
        raise ActionError(f"Unknown subscription status {subscription.status!r}.")
    mentions = subscription.kind == Subscription.Kind.MENTIONS
    if mentions and (subscription.user_id is None or subscription.thread_id is not None):
        raise ActionError("A mentions subscription belongs to an account, not a thread.")
    if not mentions and subscription.thread_id is None:
        raise ActionError("A subscription to a discussion needs its thread.")


def do_import_subscription(*, subscription: ImportedSubscription) -> Subscription | None:
    """The subscription as it was; None when one with the same keys is here already."""
    check_import_subscription(subscription=subscription)
    email = normalise_email(subscription.email)
    with transaction.atomic():
        # The checks above made these ids set: mentions have an account, others a thread.
        if subscription.kind == Subscription.Kind.MENTIONS:
            same = Subscription.objects.filter(kind="mentions", user_id=subscription.user_id or 0)
        else:
            same = Subscription.objects.filter(
                email=email, thread_id=subscription.thread_id or 0, kind=subscription.kind
            )
        if same.exists():
            return None
        row = Subscription.objects.create(
            email=email,
            user_id=subscription.user_id,
            thread_id=subscription.thread_id,
            kind=subscription.kind,
            status=subscription.status,
            confirmed_at=subscription.confirmed_at,
            cancelled_at=subscription.cancelled_at,
            next_send_at=subscription.next_send_at,
        )
        # The row's own times are the model's auto_now ones; the export's replace them.
        Subscription.objects.filter(pk=row.pk).update(
            created_at=subscription.created_at, updated_at=subscription.updated_at
        )
        row.created_at, row.updated_at = subscription.created_at, subscription.updated_at
    return row
