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

`--task-worker ARGUMENTS`, first on the command line (scripts/serve.sh), also forks
`manage.py db_worker ARGUMENTS` from the loaded process, before granian's workers, and
supervises it (config/forked_task_worker.py): the task worker shares the application
too. The option's value is split as a shell would split it.
"""

from __future__ import annotations

import os
import shlex
import sys
import threading

# How long the main process, stopping, waits for its task worker to finish its task
# (the supervisor kills what is left after its own STOP_TIMEOUT in any case).
TASK_WORKER_STOP_TIMEOUT = 30.0


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


def task_worker_arguments(argv: list[str]) -> tuple[list[str] | None, list[str]]:
    """(db_worker's arguments or None, granian's command line) from this module's."""
    if len(argv) >= 2 and argv[0] == "--task-worker":
        return shlex.split(argv[1]), argv[2:]
    if argv and argv[0].startswith("--task-worker="):
        return shlex.split(argv[0].split("=", 1)[1]), argv[1:]
    return None, argv


def main() -> None:
    task_worker, granian_argv = task_worker_arguments(sys.argv[1:])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import config.wsgi  # noqa: F401 - the application, loaded before the fork

    prepare_fork()
    from granian.cli import entrypoint

    from config.forked_task_worker import ForkedTaskWorker

    forked = ForkedTaskWorker(task_worker) if task_worker is not None else None
    if forked is not None:
        forked.start()
    sys.argv = ["granian", *granian_argv]
    try:
        entrypoint()
    finally:
        if forked is not None:
            forked.stop(TASK_WORKER_STOP_TIMEOUT)


if __name__ == "__main__":
    main()
