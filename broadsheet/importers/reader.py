"""The reader process of an import: an export read in a second process, as rows.

    python -m broadsheet.importers.reader disqus EXPORT

Started by ``importers/reading.py``, never by hand. It parses the export as the
importer does in one process (``disqus.read_export``, its HTML made Markdown) and
writes each batch of rows to its standard output as the scratch file stores them
(``staging.stored_thread`` / ``stored_comment``: strings, numbers, None), while the
importing process stages and renders the batch before. It loads nothing of Django
(a Python and the parser, a few tens of MB), opens no database, writes no file.

The stream is a series of frames, each a 4-byte little-endian length and a
``marshal``-ed message: ``("rows", threads, comments)`` any number of times, then one
of ``("done", counts, notes, notes_left_out)`` (its report),
``("malformed", message)`` or ``("oserror", errno, strerror, filename)``. The pipe
between the processes holds a few frames at most: when the importing process falls
behind, this one waits, so neither holds more than a batch.
"""

from __future__ import annotations

import io
import marshal
import signal
import struct
import sys
from typing import IO, Any

from broadsheet.importers import disqus
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import SourceComment, SourceThread, stored_comment, stored_thread
from broadsheet.importers.xmlstream import MalformedExport

FRAME = struct.Struct("<I")
# Comments a frame carries: large enough that framing costs nothing per comment, small
# enough that a frame is a fraction of a megabyte.
ROWS_PER_FRAME = 1_000
READERS = {disqus.SOURCE: disqus.read_export}


def send(out: IO[bytes], message: tuple[Any, ...]) -> None:
    data = marshal.dumps(message)
    out.write(FRAME.pack(len(data)))
    out.write(data)


def receive(stream: IO[bytes]) -> tuple[Any, ...]:
    """The next message; EOFError when the stream ends before one is whole."""
    head = stream.read(FRAME.size)
    if len(head) < FRAME.size:
        raise EOFError
    (size,) = FRAME.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    # Frames come from the reader process this import started, never from elsewhere.
    message = marshal.loads(data)  # noqa: S302  # nosec B302
    return tuple(message)


class _Sender:
    """What read_export writes to in this process, in place of a Staging: rows sent
    on in frames."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.threads: list[tuple[object, ...]] = []
        self.comments: list[tuple[object, ...]] = []
        self.comment_total = 0

    def add_thread(self, thread: SourceThread) -> None:
        self.threads.append(stored_thread(thread))

    def add_comment(self, comment: SourceComment) -> None:
        self.comments.append(stored_comment(comment))
        self.comment_total += 1
        if len(self.comments) >= ROWS_PER_FRAME:
            self.flush()

    def flush(self) -> None:
        if self.threads or self.comments:
            send(self.out, ("rows", self.threads, self.comments))
            self.threads, self.comments = [], []

    def finish(self) -> None:
        self.flush()


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in READERS:
        names = ",".join(READERS)
        sys.stderr.write(f"usage: python -m broadsheet.importers.reader {{{names}}} EXPORT\n")
        return 2
    source, path = argv
    # Ctrl-C on a terminal reaches both processes: the import stops this one itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = sys.stdout.buffer
    report = ImportReport(source=source)
    sender = _Sender(out)
    try:
        READERS[source](path, sender, report, Progress(io.StringIO()))  # type: ignore[arg-type]
    except MalformedExport as error:
        send(out, ("malformed", str(error)))
    except OSError as error:
        send(out, ("oserror", error.errno, error.strerror, error.filename))
    else:
        send(out, ("done", dict(report.counts), report.notes, dict(report.notes_left_out)))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
