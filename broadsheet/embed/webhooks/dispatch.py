"""From "something happened on a site's discussion" to delivery rows and queued tasks.

``queue_event`` runs inside the caller's transaction (its rows commit or vanish with the
change they announce); the sending tasks are enqueued after commit.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from broadsheet.discussion.models import Comment, Thread
from broadsheet.discussion.people import public_name
from broadsheet.embed.models import WebhookDelivery, WebhookEndpoint


def thread_data(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.pk,
        "key": thread.key,
        "title": thread.title,
        "url": thread.url,
        "is_closed": thread.is_closed,
        "comment_count": thread.comment_count,
        "created_at": thread.created_at,
    }


def comment_data(comment: Comment) -> dict[str, Any]:
    """A comment as receivers see it: never the e-mail address or IP hash."""
    if comment.author is not None:
        author = {"name": public_name(comment.author), "is_guest": False}
    else:
        author = {"name": comment.guest_name, "is_guest": True}
    return {
        "id": comment.pk,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "author": author,
        "body_html": comment.body_html,
        "created_at": comment.created_at,
        "is_featured": comment.is_featured,
        "report_count": comment.report_count,
    }


def payload(event_type: str, data: dict[str, Any]) -> tuple[str, str]:
    """(event id, JSON body) of one event."""
    event_id = "evt_" + uuid.uuid4().hex
    body = {"id": event_id, "type": event_type, "created": timezone.now(), "data": data}
    return event_id, json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":"))


def queue_event(site_id: int, event_type: str, data: dict[str, Any]) -> list[int]:
    """One delivery per enabled endpoint of the site that wants `event_type`; each is
    sent by a task after commit. Returns the delivery ids."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(site_id=site_id, is_enabled=True)
        if endpoint.wants(event_type)
    ]
    if not endpoints:
        return []
    event_id, body = payload(event_type, data)
    ids = [
        WebhookDelivery.objects.create(
            endpoint=endpoint, event_id=event_id, event_type=event_type, payload=body
        ).pk
        for endpoint in endpoints
    ]
    transaction.on_commit(lambda: _enqueue_all(ids))
    return ids


def _enqueue_all(ids: list[int]) -> None:
    from broadsheet.embed.tasks import deliver_webhook_task

    for delivery_id in ids:
        deliver_webhook_task.enqueue(delivery_id=delivery_id)
