"""What an import did (or, with --dry-run, would do), counted and listed.

Counts are by outcome and kind ("created comment", "matched thread by identifier");
notes list what a person should look at (orphans, skipped values, unknown shortcodes),
each list capped so a report of a million-comment export stays readable, with the
number left out said.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

NOTES_KEPT = 200


@dataclass
class ImportReport:
    source: str
    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    notes: dict[str, list[str]] = field(default_factory=dict)
    notes_left_out: Counter[str] = field(default_factory=Counter)

    def count(self, what: str, amount: int = 1) -> None:
        self.counts[what] += amount

    def note(self, category: str, message: str) -> None:
        """One line under `category` (also counted under it)."""
        self.counts[category] += 1
        kept = self.notes.setdefault(category, [])
        if len(kept) < NOTES_KEPT:
            kept.append(message)
        else:
            self.notes_left_out[category] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "dry_run": self.dry_run,
            "counts": dict(sorted(self.counts.items())),
            "notes": self.notes,
            "notes_left_out": dict(self.notes_left_out),
        }

    def render(self) -> str:
        verb = "would be" if self.dry_run else "were"
        lines = [f"{self.source} import{' (dry run: nothing written)' if self.dry_run else ''}"]
        for what, number in sorted(self.counts.items()):
            lines.append(f"  {number:>9,}  {what}")
        for category, messages in sorted(self.notes.items()):
            lines.append(f"{category} ({self.counts[category]:,}; these {verb} reported):")
            lines.extend(f"  - {message}" for message in messages)
            if self.notes_left_out[category]:
                lines.append(f"  … and {self.notes_left_out[category]:,} more")
        return "\n".join(lines)


class Progress:
    """A one-line counter on a terminal (nothing when output is a file or a pipe)."""

    def __init__(self, stream: TextIO | None = None, *, every: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every
        self._last = 0.0

    def show(
        self, message: str, *, force: bool = False, done: int | None = None, total: int = 0
    ) -> None:
        """`message` says where the import is; `done` of `total` comments, when known."""
        if not self.enabled:
            return
        now = time.monotonic()
        if force or now - self._last >= self.every:
            self._last = now
            self.write(message, done, total)

    def write(self, message: str, done: int | None, total: int) -> None:
        self.stream.write(f"\r\x1b[K{message}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
