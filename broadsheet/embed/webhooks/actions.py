"""The write paths of webhooks: attempting a delivery (the task's body), redelivering,
enabling an endpoint again after it was disabled, rotating its secret.

Locks: endpoint row → delivery row. No transaction is held while a receiver answers.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

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
        if not endpoint.is_enabled:
            return "skipped"
        headers = _request_headers(delivery, endpoint)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=F("attempts") + 1, last_attempt_at=timezone.now(), request_headers=headers
        )
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
    backend). One that cannot (the test suite's immediate backend) leaves it to
    ``manage.py send_due_webhooks``, which sends every delivery that is due."""
    from broadsheet.embed.tasks import deliver_webhook_task

    backend = deliver_webhook_task.get_backend()
    if backend.supports_defer:
        deliver_webhook_task.using(run_after=when).enqueue(delivery_id=delivery_id)


def due_deliveries() -> list[int]:
    return list(
        WebhookDelivery.objects.filter(
            status=Status.RETRYING,
            next_attempt_at__lte=timezone.now(),
            endpoint__is_enabled=True,
        ).values_list("pk", flat=True)
    )


def check_manage_webhooks(*, actor: Actor) -> None:
    if not (actor.is_authenticated and actor.user.is_active and actor.user.is_superuser):
        raise NotAllowed("Only administrators can manage webhooks.")


def do_redeliver_webhook(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Send an event again as a new delivery (same event id and body, so receivers can
    dedupe), whatever became of the original."""
    check_manage_webhooks(actor=actor)
    if not delivery.endpoint.is_enabled:
        raise ActionError("Enable the endpoint first.")
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
