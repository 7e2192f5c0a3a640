"""WSGI entry point: granian serves ordinary pages through it (see docs/architecture.md).

Anonymous readers' page-cache hits are answered before Django runs
(broadsheet.core.pagecache.serve_cached_pages); everything else is Django's, a few
requests of the process at a time (broadsheet.core.admission).
"""

import gc
import io
import logging
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from broadsheet.core.admission import admit_requests  # noqa: E402 - needs settings
from broadsheet.core.pagecache import serve_cached_pages  # noqa: E402

# Page-cache hits first (no Django, no gate); then at most BROADSHEET_CONCURRENT_REQUESTS
# requests of this process in Django at once (broadsheet/core/admission.py).
application = serve_cached_pages(
    admit_requests(django_application, settings.BROADSHEET_CONCURRENT_REQUESTS)
)


def _warm_up() -> None:
    """Answer one health check inside the process before it serves anyone. granian's
    worker opens its socket once this module is loaded, and scripts/serve.sh hands the
    port to a new server once its workers listen; the first request through Django pays
    for the URLconf, lazy imports in the middleware and a database connection (measured
    seconds on a busy machine: docs/performance.md), which would otherwise be a reader's."""
    site = urlsplit(settings.SITE_URL)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/healthz",
        "SERVER_NAME": site.hostname or "localhost",
        "SERVER_PORT": str(site.port or (443 if site.scheme == "https" else 80)),
        "HTTP_HOST": site.netloc,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": site.scheme or "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    try:
        answer = application(environ, lambda status, headers, exc_info=None: None)
        b"".join(answer)
        getattr(answer, "close", lambda: None)()
    except Exception:  # a warm-up never stops a server from starting
        logging.getLogger(__name__).warning("Warm-up request failed", exc_info=True)
    # Requests run on granian's threads, each with its own connection: not this one.
    connections.close_all()
    _load_templates_and_routes()


def _load_templates_and_routes() -> None:
    """Parse our templates (the cached loader keeps them) and fill the URL resolver's
    reverse tables now: loaded before granian forks (config/granian_server.py), the
    workers share them instead of each building its own copy on its first pages."""
    reverse("healthz")
    if settings.DEBUG:  # templates are parsed again on every use: nothing to keep
        return
    root = Path(settings.BASE_DIR) / "broadsheet"
    for path in sorted(root.glob("**/templates/**/*.html")):
        try:
            get_template(path.as_posix().rsplit("/templates/", 1)[1])
        except (TemplateDoesNotExist, TemplateSyntaxError):  # not every file is a page's
            continue


_warm_up()

# Everything loaded so far (Django, Wagtail, our apps) lives as long as the process.
# Frozen, the collector's full passes no longer walk it: a full pass over it was a
# pause in whichever answer it fell on (figures in docs/performance.md, p99).
gc.freeze()
