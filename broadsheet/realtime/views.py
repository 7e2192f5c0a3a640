"""The stream endpoint: GET /live/t/<thread id>/ (text/event-stream).

The URL names only the thread, so it can sit in a page from the anonymous cache; the
reader's private channels come from their own cookies on this request.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from broadsheet.realtime import conf
from broadsheet.realtime.stream import (
    backlog,
    channels_for_request,
    event_stream,
    grip_headers,
    is_live,
    missed_events,
    parse_cursor,
)
from broadsheet.realtime.wire import hello_frame

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def _plan(request: HttpRequest, thread_id: int) -> list[str] | None:
    return channels_for_request(request, thread_id) if is_live(thread_id) else None


@require_GET
async def stream(request: HttpRequest, thread_id: int) -> HttpResponse | StreamingHttpResponse:
    cursor = parse_cursor(request.GET, request.headers.get("Last-Event-ID", ""))
    names = await sync_to_async(_plan)(request, thread_id)
    if names is None:
        # Idle, switched off or unknown: 204 tells EventSource never to reconnect.
        return HttpResponse(status=204, headers=STREAM_HEADERS)
    if conf.engine() == "pushpin":
        missed = await sync_to_async(missed_events)(names, cursor)
        return HttpResponse(
            hello_frame(thread_id) + backlog(thread_id, missed),
            content_type="text/event-stream",
            headers={**STREAM_HEADERS, **grip_headers(names)},
        )
    return StreamingHttpResponse(
        event_stream(thread_id, names, cursor),
        content_type="text/event-stream",
        headers=STREAM_HEADERS,
    )
