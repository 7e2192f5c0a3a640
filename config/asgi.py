"""ASGI entry point: one server for pages and live streams (docs/decisions/0001-live-delivery.md).

Live streams (/live/…) are held by Django's async path, thousands per process for the
price of a queue each; every other request goes to the WSGI application (the same one
granian's WSGI interface serves, page-cache fast path included) on a small thread pool,
so pages keep their synchronous stack unchanged.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

streams = get_asgi_application()

from django.conf import settings  # noqa: E402

from config.wsgi import application as wsgi_application  # noqa: E402 - needs settings

pages = WSGIMiddleware(wsgi_application, workers=settings.BROADSHEET_PAGE_THREADS)  # type: ignore[arg-type]

LIVE_PREFIX = "/live/"


async def application(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "http" and scope["path"].startswith(LIVE_PREFIX):
        await streams(scope, receive, send)
    elif scope["type"] == "http":
        # a2wsgi hands `receive()` to run_coroutine_threadsafe, which takes coroutines
        # only; granian's receive returns another awaitable.
        async def receive_coroutine():  # type: ignore[no-untyped-def]
            return await receive()

        await pages(scope, receive_coroutine, send)
    elif scope["type"] == "lifespan":
        # Nothing to start or stop; answering keeps servers that send lifespan happy.
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
