"""The stream endpoint: GET /live/t/<thread id>/ (text/event-stream).

The URL names only the thread, so it can sit in a page from the anonymous cache; the
reader's private channels come from their own cookies on this request.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.views.decorators.http import require_GET

from broadsheet.realtime import conf
from broadsheet.realtime.hub import Busy, current_hub
from broadsheet.realtime.stream import (
    Cursor,
    backlog,
    channels_for_request,
    event_stream,
    grip_headers,
    is_live,
    missed_events,
    nchan_location,
    parse_cursor,
)
from broadsheet.realtime.wire import hello_frame, refetch_frame

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@require_GET
def stream(request: HttpRequest, thread_id: int) -> HttpResponseBase:
    cursor = parse_cursor(request.GET, request.headers.get("Last-Event-ID", ""))
    if not is_live(thread_id):
        # Idle, switched off or unknown: 204 tells EventSource never to reconnect.
        return HttpResponse(status=204, headers=STREAM_HEADERS)
    names = channels_for_request(request, thread_id)
    if conf.engine() == "nchan":
        return nchan_handover(thread_id, names, cursor)
    if conf.engine() == "pushpin":
        hello = hello_frame(thread_id, conf.keepalive())
        body = hello + backlog(thread_id, missed_events(names, cursor))
        headers = {**STREAM_HEADERS, **grip_headers(thread_id, names)}
        return HttpResponse(body, content_type="text/event-stream", headers=headers)
    try:
        subscription = current_hub().subscribe(names)
    except Busy:
        # live.js backs off and tries again; pages keep this process's other threads.
        return HttpResponse(status=503, headers={**STREAM_HEADERS, "Retry-After": "30"})
    return StreamingHttpResponse(
        event_stream(thread_id, names, cursor, subscription),
        content_type="text/event-stream",
        headers=STREAM_HEADERS,
    )


def nchan_handover(thread_id: int, names: list[str], cursor: Cursor) -> HttpResponse:
    """nginx hands the connection to Nchan, subscribed to the channels chosen here."""
    location = nchan_location(thread_id, names, cursor)
    if location is None:
        # Nchan could not take the refetch event: say it here and end; the reader
        # reconnects (with back-off) and is told again.
        body = hello_frame(thread_id, conf.keepalive()) + refetch_frame(thread_id)
        return HttpResponse(body, content_type="text/event-stream", headers=STREAM_HEADERS)
    # Nchan answers; the CORS decision of this response (embed sites) goes with it
    # (nginx's nchan_access_control_allow_origin reads it).
    return HttpResponse(headers={**STREAM_HEADERS, "X-Accel-Redirect": location})
