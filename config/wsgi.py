"""WSGI entry point: granian serves ordinary pages through it (see docs/architecture.md).

Anonymous readers' page-cache hits are answered before Django runs
(broadsheet.core.pagecache.serve_cached_pages); everything else is Django's.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

django_application = get_wsgi_application()

from broadsheet.core.pagecache import serve_cached_pages  # noqa: E402 - needs settings

application = serve_cached_pages(django_application)

# Everything loaded so far (Django, Wagtail, our apps) lives as long as the process.
# Frozen, the collector's full passes no longer walk it: a full pass over it was a
# pause in whichever answer it fell on (figures in docs/performance.md, p99).
gc.freeze()
