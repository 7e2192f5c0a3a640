"""Reading an export with the machine's second core: a reader process and this one.

An import reads the whole export into its scratch file before it writes anything here
(a reply can come before its parent, a thread's comments are spread over the file),
and on one core reading was a third of its time. ``read_in_reader_process`` starts
``importers/reader.py`` as a second process (``python -m``, no Django: a few tens of
MB), which parses the XML and makes each post's HTML Markdown, while this process
takes its rows batch by batch, renders each comment's Markdown as the discussion will
store it (``render_markdown``, the same call the write path would make later) and
stages them. Reading then takes as long as the slower of the two halves instead of
their sum, and rendering is off the writing phase.

Nothing changes in what is read: the same function reads the same file, the rows are
the scratch file's own, the reader's report (records read, values skipped) is merged
into the import's, and a malformed or unreadable export is refused as in one process,
before anything is written. When no process can be started, the caller reads in its
own process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import broadsheet
from broadsheet.discussion.formatting import render_markdown
from broadsheet.importers import reader
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import SourceComment, Staging
from broadsheet.importers.xmlstream import MalformedExport

_COLUMNS = list(SourceComment.__dataclass_fields__)
_BODY = _COLUMNS.index("body")
_STATUS = _COLUMNS.index("status")
_HTML = _COLUMNS.index("body_html")
_DELETED = "deleted"  # a deleted comment is stored without its text: nothing to render


class ReaderFailed(RuntimeError):
    """The reader process ended without finishing (killed, or a fault of its own)."""


def read_in_reader_process(
    source: str, path: str | Path, staging: Staging, report: ImportReport, progress: Progress
) -> bool:
    """Read `path` into `staging` through a reader process; False when none could be
    started (nothing was read). Raises MalformedExport and OSError as reading in
    process does."""
    if not sys.executable:  # an embedded interpreter: no Python to start
        return False
    root = str(Path(broadsheet.__file__).resolve().parent.parent)
    paths = [root, os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}
    try:
        child = subprocess.Popen(  # noqa: S603  # nosec B603 - our own module, no shell
            # -P: the working directory is not put on the path, so a `broadsheet` there
            # (another checkout) cannot stand in for this one.
            [sys.executable, "-P", "-m", "broadsheet.importers.reader", source, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=env,
        )
    except OSError:
        return False
    assert child.stdout is not None
    finished = False
    try:
        while True:
            try:
                message = reader.receive(child.stdout)
            except EOFError:
                raise ReaderFailed(
                    f"The reader process ended early (exit code {child.wait()})."
                ) from None
            kind = message[0]
            if kind == "rows":
                staging.add_rows(message[1], [_rendered(row) for row in message[2]])
                progress.show(f"{source}: reading, {staging.comment_total:,} comments")
                continue
            finished = True
            if kind == "malformed":
                raise MalformedExport(message[1])
            if kind == "oserror":
                raise OSError(*message[1:])
            _merge(report, *message[1:])
            break
    finally:
        if not finished:
            child.kill()
        child.stdout.close()
        child.wait()
    staging.finish()
    return True


def _rendered(row: list[Any] | tuple[Any, ...]) -> tuple[Any, ...]:
    body = row[_BODY]
    if not body or row[_STATUS] == _DELETED:
        return tuple(row)
    values = list(row)
    values[_HTML] = render_markdown(body)
    return tuple(values)


def _merge(
    report: ImportReport,
    counts: dict[str, int],
    notes: dict[str, list[str]],
    left_out: dict[str, int],
) -> None:
    report.counts.update(counts)
    for category, messages in notes.items():
        report.notes.setdefault(category, []).extend(messages)
    report.notes_left_out.update(left_out)
