"""granian, with the application loaded once in its main process before it forks its
workers: `python -m config.granian_server` takes granian's own command line.

`granian config.wsgi:application` loads Django, Wagtail and our apps in every worker,
each a copy of its own. Loaded here first, in the main process (config.wsgi: set-up,
warm-up request, `gc.freeze()`), the workers granian forks find the application already
imported and share those pages with the main process copy-on-write; the frozen objects
are never touched by the collector, so the pages stay shared (figures in
docs/performance.md, "Memory per process").

What a forked worker must not inherit is closed or never made here: the database
connections and the disk cache's SQLite connections of the warm-up request, and no
thread may run (a thread's locks would be held for ever in the child): `main` refuses
to start granian if one does.

A reload by SIGHUP to granian's main process forks new workers from the code it loaded:
new code needs a new main process (scripts/serve.sh starts one beside the old one;
deploy/systemd restarts one instance at a time, docs/deployment.md).
"""

from __future__ import annotations

import os
import sys
import threading


def prepare_fork() -> None:
    """Close what the loading opened and a forked worker must not share."""
    from django.core.cache import caches
    from django.db import connections

    from broadsheet.core.caching import SharedDiskCache

    connections.close_all()
    for cache in caches.all(initialized_only=True):
        if isinstance(cache, SharedDiskCache):
            cache.close_connections()
        else:
            cache.close()
    running = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if running:
        raise RuntimeError(f"threads running before the fork: {', '.join(running)}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import config.wsgi  # noqa: F401 - the application, loaded before the fork

    prepare_fork()
    from granian.cli import entrypoint

    sys.argv[0] = "granian"
    entrypoint()


if __name__ == "__main__":
    main()
