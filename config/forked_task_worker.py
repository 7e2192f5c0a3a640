"""The task worker of `scripts/serve.sh`, forked from granian's main process once that has
loaded the application (config/granian_server.py `--task-worker`), so that it shares the
loaded Django, Wagtail and our apps with the web workers instead of loading a copy of its
own (figures in docs/performance.md, "Memory per process").

It is `manage.py db_worker` all the same: the same command and arguments run in the
child, which shows them as its command line (`ps`, the supervision test and the bench find
it by `db_worker`). The main process supervises it as serve.sh supervises its programs: a
task worker that exits is started again at once, and if it keeps exiting after 1, 2, 4 …
up to 30 s (back to at once after a run of a minute or more). When the main process
stops, the task worker is asked to stop (SIGTERM: it finishes the task in progress) and
waited for; a second SIGTERM makes it give up its task (db_worker's own rule).

The task worker runs in a process group of its own, so that a signal to the web server's
group (serve.sh stops a server that way) reaches it only through the main process, which
knows then not to start it again. It is sent SIGTERM when the main process dies
(`PR_SET_PDEATHSIG`): a killed main process leaves it to finish its task and stop, while
the new server forks its own (tasks are claimed under row locks, schedule slots in the
cache: two workers for a moment run nothing twice); a main process killed while it waits
for its task worker to stop makes that the second SIGTERM.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import NoReturn

# A run at least this long resets the back-off (as scripts/serve.sh's supervisors do).
STEADY_RUN = 60.0
LONGEST_DELAY = 30
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def set_command_line(words: list[str]) -> None:
    """Show `words` as this process's command line (/proc/self/cmdline, what `ps` shows).

    A forked child shows its parent's command line: the task worker would look like a
    second web server. The kernel reads the command line from the process's own memory,
    between the addresses /proc/self/stat gives; written there (within that length: the
    child's command is shorter than granian's), it is what `ps` shows, as setproctitle
    does it."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 48 and 49 of proc(5), counted from the state (field 3).
    start, end = int(fields[48 - 3]), int(fields[49 - 3])
    title = "\0".join(words).encode()[: end - start - 1]
    with open("/proc/self/mem", "r+b", buffering=0) as memory:
        memory.seek(start)
        memory.write(title.ljust(end - start, b"\0"))


def _drop_listening_sockets() -> None:
    """A child forked after granian started holds a copy of its listening socket: were
    the web workers gone, connections would queue on it for a task worker that never
    accepts. Each is replaced by /dev/null, so that its number is not reused by a file
    the task worker opens while an object inherited from the parent still names it."""
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd <= 2 or fd == null:
                continue
            with contextlib.suppress(OSError):
                if not os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                    continue
                probe = socket.socket(fileno=os.dup(fd))
                try:
                    listening = probe.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                finally:
                    probe.close()
                if listening:
                    os.dup2(null, fd)
    finally:
        os.close(null)


def _stop_with_parent(parent: int) -> None:
    """SIGTERM when the parent dies (or the parent's thread that forked this process)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")
    if os.getppid() != parent:  # it died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def _run_in_child(arguments: list[str], parent: int) -> NoReturn:
    """In the forked child: become `manage.py db_worker ARGUMENTS`; never return into the
    parent's code (granian's server), whatever happens."""
    code = 1
    try:
        # A child forked after granian started inherits its signal handlers; db_worker
        # sets its own for SIGINT and SIGTERM once it runs.
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
            signal.signal(number, signal.SIG_DFL)
        os.setpgid(0, 0)
        # Linux's; elsewhere the worker runs all the same, only less tidily named and
        # left running by a killed parent.
        with contextlib.suppress(OSError, AttributeError):
            _stop_with_parent(parent)
        with contextlib.suppress(OSError):
            set_command_line([sys.orig_argv[0], "manage.py", "db_worker", *arguments])
        with contextlib.suppress(OSError):
            _drop_listening_sockets()
        from django.core.management import call_command

        call_command("db_worker", *arguments)
        code = 0
    except SystemExit as exit_:
        code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _say(message: str) -> None:
    # os.write, not print: no lock of sys.stderr's that a fork by granian could copy held.
    os.write(2, f"Broadsheet: {message}\n".encode())


class ForkedTaskWorker:
    """Forks `manage.py db_worker ARGUMENTS` from this (loaded) process and starts it
    again whenever it exits, until `stop`."""

    def __init__(self, arguments: list[str]) -> None:
        self.arguments = arguments
        self.pid = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="task worker watcher")
        self._watcher.daemon = True

    def start(self) -> None:
        """Fork the first task worker and watch it. Called before granian forks its
        workers: the watcher thread only waits for the child (holding no lock a fork
        could copy), as granian's own threads wait for its workers."""
        with self._lock:
            self.pid = self._fork()
        self._watcher.start()

    def _fork(self) -> int:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            _run_in_child(self.arguments, parent)
        return pid

    def _watch(self) -> None:
        delay = 0
        while True:
            started = time.monotonic()
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:  # reaped by `stop`
                return
            if self._stopping.is_set():
                return
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started >= STEADY_RUN:
                delay = 0
            # Stated as the shell states it (128 + the signal), like serve.sh's supervisors.
            status_text = 128 - code if code < 0 else code
            _say(f"the task worker exited (status {status_text}); restarting it in {delay} s.")
            if self._stopping.wait(delay):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.pid = self._fork()
            delay = min(LONGEST_DELAY, 1 if delay == 0 else delay * 2)

    def stop(self, timeout: float) -> None:
        """Ask the task worker to stop (it finishes its task) and wait up to `timeout`
        seconds; then kill it."""
        with self._lock:
            self._stopping.set()
            pid = self.pid
        if not pid:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0] == 0:
                    time.sleep(0.1)
                    continue
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
