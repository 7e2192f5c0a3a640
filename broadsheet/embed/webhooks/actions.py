"""The write paths of webhooks: attempting a delivery (the task's body), the sweep that
queues deliveries whose attempt is due or was lost, redelivering, enabling an endpoint
again after it was disabled, rotating its secret.

Locks: endpoint row → delivery row. No transaction is held while a receiver answers.

An attempt claims its delivery under the row lock before it sends: it counts the attempt
and, for a retry, moves ``next_attempt_at`` on by BROADSHEET_EMBED_WEBHOOK_LOST_AFTER (a
lease: the attempt's own outcome replaces it). So a second task for the same delivery (the
deferred retry and the sweep, or a task queued twice) finds it not due and sends nothing,
and an attempt whose worker died is due again once the lease runs out.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.core.signatures import SIGNATURE_HEADER, signature_header
from broadsheet.discussion.identity import Actor
from broadsheet.embed import conf
from broadsheet.embed.models import WebhookDelivery, WebhookEndpoint, new_webhook_secret
from broadsheet.embed.webhooks import guard

Status = WebhookDelivery.Status
USER_AGENT = "Broadsheet-Webhooks/1"
KEPT_RESPONSE_BYTES = 1024


def _request_headers(delivery: WebhookDelivery, endpoint: WebhookEndpoint) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Broadsheet-Webhook-Id": delivery.event_id,
        "Broadsheet-Webhook-Type": delivery.event_type,
        "Broadsheet-Webhook-Timestamp": str(timestamp),
        SIGNATURE_HEADER: signature_header(
            endpoint.signing_secrets(), timestamp, delivery.payload.encode()
        ),
    }


def do_attempt_delivery(*, delivery_id: int) -> str:
    """Send one delivery once: "succeeded", "retry" (a later attempt is scheduled with
    exponential back-off), "failed" (attempts used up), or "skipped" (already settled,
    or its endpoint is disabled). The endpoint is disabled after
    BROADSHEET_EMBED_WEBHOOK_DISABLE_AFTER consecutive failed attempts."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint", "endpoint__site")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (Status.SUCCEEDED, Status.FAILED):
            return "skipped"
        endpoint = delivery.endpoint
        now = timezone.now()
        if not endpoint.is_enabled or _in_flight_or_not_due(delivery, now):
            return "skipped"
        headers = _request_headers(delivery, endpoint)
        claim: dict[str, object] = {"last_attempt_at": now, "request_headers": headers}
        if delivery.status == Status.RETRYING:
            claim["next_attempt_at"] = now + timedelta(seconds=conf.webhook_lost_after())
        WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1, **claim)
    status, body, error = None, b"", ""
    try:
        answer = guard.post(
            endpoint.url,
            delivery.payload.encode(),
            headers,
            allow_private=endpoint.site.allow_private_webhooks,
            timeout=conf.webhook_timeout(),
            max_response_bytes=conf.webhook_max_response_bytes(),
        )
        status, body = answer.status, answer.body
        if not 200 <= status < 300:
            error = f"the receiver answered {status}"
    except guard.OutboundRefused as refused:
        error = f"refused: {refused}"
    except OSError as failure:
        error = f"{type(failure).__name__}: {failure}"
    return _record_attempt(delivery, status, body, error)


def _in_flight_or_not_due(delivery: WebhookDelivery, now: datetime) -> bool:
    """A retry before its time (or while another attempt holds its lease), or a first
    attempt that another task began less than BROADSHEET_EMBED_WEBHOOK_LOST_AFTER ago."""
    if delivery.status == Status.RETRYING:
        return delivery.next_attempt_at is not None and delivery.next_attempt_at > now
    lost_after = timedelta(seconds=conf.webhook_lost_after())
    return delivery.last_attempt_at is not None and delivery.last_attempt_at > now - lost_after


def _record_attempt(delivery: WebhookDelivery, status: int | None, body: bytes, error: str) -> str:
    kept = body[:KEPT_RESPONSE_BYTES].decode("utf-8", "replace")
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        attempts = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery.pk)
        fields = {"response_status": status, "response_body": kept, "error": error[:300]}
        if not error:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Status.SUCCEEDED, next_attempt_at=None, **fields
            )
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
            return "succeeded"
        failures = endpoint.consecutive_failures + 1
        update: dict[str, object] = {"consecutive_failures": failures}
        if failures >= conf.webhook_disable_after():
            update.update(
                is_enabled=False,
                disabled_at=timezone.now(),
                disabled_reason=f"{failures} failed attempts in a row; last: {error}"[:200],
            )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(**update)
        if attempts >= conf.webhook_max_attempts():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(
                status=Status.FAILED, next_attempt_at=None, **fields
            )
            return "failed"
        when = timezone.now() + timedelta(seconds=conf.webhook_backoff() * 2 ** (attempts - 1))
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.RETRYING, next_attempt_at=when, **fields
        )
        transaction.on_commit(lambda: schedule_attempt(delivery.pk, when))
    return "retry"


def schedule_attempt(delivery_id: int, when: datetime) -> None:
    """Queue the next attempt for `when` on backends that can defer (the database
    backend). One that cannot (the test suite's immediate backend) leaves it to the
    sweep (``send_due_webhooks``), which queues every delivery that is due."""
    from broadsheet.embed.tasks import deliver_webhook_task

    backend = deliver_webhook_task.get_backend()
    if backend.supports_defer:
        deliver_webhook_task.using(run_after=when).enqueue(delivery_id=delivery_id)


def due_deliveries(*, limit: int = 500) -> list[int]:
    """Deliveries of enabled endpoints that should be attempted now, oldest first: retries
    that are due (their deferred task lost, or never queued) and first attempts that no
    task took, or whose attempt never reported back, within
    BROADSHEET_EMBED_WEBHOOK_LOST_AFTER (a worker stopped or crashed)."""
    now = timezone.now()
    lost = now - timedelta(seconds=conf.webhook_lost_after())
    retry_due = Q(status=Status.RETRYING, next_attempt_at__lte=now)
    first_lost = Q(status=Status.PENDING) & (
        Q(last_attempt_at__lte=lost) | Q(last_attempt_at__isnull=True, created_at__lte=lost)
    )
    rows = WebhookDelivery.objects.filter(retry_due | first_lost, endpoint__is_enabled=True)
    return list(rows.order_by("created_at", "pk").values_list("pk", flat=True)[:limit])


def do_send_due_webhooks() -> int:
    """The sweep (every minute on BROADSHEET_SCHEDULE, or ``manage.py send_due_webhooks``):
    queue an attempt of every due delivery. Returns how many were queued. An attempt that
    finds its delivery taken meanwhile sends nothing (the claim above)."""
    due = due_deliveries()
    for delivery_id in due:
        _enqueue(delivery_id)
    return len(due)


def check_manage_webhooks(*, actor: Actor) -> None:
    if not (actor.is_authenticated and actor.user.is_active and actor.user.is_superuser):
        raise NotAllowed(_("Only administrators can manage webhooks."))


def do_redeliver_webhook(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Send an event again as a new delivery (same event id and body, so receivers can
    dedupe), whatever became of the original."""
    check_manage_webhooks(actor=actor)
    if not delivery.endpoint.is_enabled:
        raise ActionError(_("Enable the endpoint first."))
    with transaction.atomic():
        again = WebhookDelivery.objects.create(
            endpoint=delivery.endpoint,
            event_id=delivery.event_id,
            event_type=delivery.event_type,
            payload=delivery.payload,
        )
        transaction.on_commit(lambda: _enqueue(again.pk))
    return again


def _enqueue(delivery_id: int) -> None:
    from broadsheet.embed.tasks import deliver_webhook_task

    deliver_webhook_task.enqueue(delivery_id=delivery_id)


def do_enable_webhook_endpoint(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """Switch a disabled endpoint on again, with a clean failure count."""
    check_manage_webhooks(actor=actor)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=True, consecutive_failures=0, disabled_at=None, disabled_reason=""
    )
    endpoint.refresh_from_db()
    return endpoint


def do_rotate_webhook_secret(*, endpoint: WebhookEndpoint, actor: Actor) -> WebhookEndpoint:
    """A new secret; the old one keeps signing too for BROADSHEET_EMBED_WEBHOOK_ROTATION_HOURS."""
    check_manage_webhooks(actor=actor)
    until = timezone.now() + timedelta(hours=conf.webhook_rotation_hours())
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            secret=new_webhook_secret(), previous_secret=locked.secret, previous_secret_until=until
        )
    endpoint.refresh_from_db()
    return endpoint
