"""Streaming XML reading shared by the Disqus and WordPress importers.

``iterparse`` (defusedxml's: no entity expansion, no external resources) with every
finished top-level record cleared and dropped from the tree, so memory stays flat
whatever the file's size. A file that is not well-formed raises ``MalformedExport``
naming the line, the column and the element that was open there.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from defusedxml.ElementTree import iterparse


class MalformedExport(Exception):
    """The export is not well-formed XML (nothing was written)."""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def records(path: str | Path, wanted: set[str], *, depth: int) -> Iterator[ET.Element]:
    """Each element named in `wanted` (local names) found at `depth` (the document
    element is depth 0), complete, then cleared once the caller moves on."""
    open_elements: list[ET.Element] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                open_elements.append(element)
                continue
            open_elements.pop()
            if len(open_elements) == depth and local_name(element.tag) in wanted:
                yield element
                # Forget the finished record: cleared, and out of its parent's list.
                element.clear()
                if open_elements:
                    open_elements[-1].remove(element)
    except ET.ParseError as error:
        line, column = error.position
        inside = f" inside <{local_name(open_elements[-1].tag)}>" if open_elements else ""
        reason = str(error).split(":")[0]
        raise MalformedExport(
            f"{Path(path).name} is not well-formed XML: {reason} at line {line}, "
            f"column {column + 1}{inside}. Nothing was imported."
        ) from None
