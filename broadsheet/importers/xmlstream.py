"""Streaming XML reading shared by the Disqus and WordPress importers.

``iterparse`` with every finished top-level record cleared and dropped from the tree,
so memory stays flat whatever the file's size. A file that is not well-formed raises
``MalformedExport`` naming the line, the column and the element that was open there.

Safety: an export is a stranger's file. The dangers of XML are in its DTD (entities
that expand a billion times, external entities that read local files or fetch URLs),
and no export of WordPress, Disqus or Isso has one, so a file with a ``<!DOCTYPE`` is
refused before parsing. What is left is parsed by the standard library's C parser
(expat 2.4.1 and later also bound entity amplification themselves); with an older
expat, defusedxml's parser is used, which is twice as slow (its handlers are Python:
half the time of reading an export).
"""

from __future__ import annotations

import codecs
import pyexpat
import re
import xml.etree.ElementTree as ET  # nosec B405 - DTDs refused first, see the docstring
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from defusedxml.ElementTree import iterparse as defused_iterparse

_EXPAT_BOUNDS_ENTITIES = pyexpat.version_info >= (2, 4, 1)
# What may come before the document element: a BOM, the XML declaration, comments,
# processing instructions, white space.
_PROLOG_ITEM = re.compile(rb"\s+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_PROLOG_BYTES = 64 * 1024


class MalformedExport(Exception):
    """The export is not well-formed XML (nothing was written)."""


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _refuse_doctype(path: str | Path) -> None:
    with open(path, "rb") as handle:
        head = handle.read(_PROLOG_BYTES)
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, errors="ignore").encode("utf-8")
            break
    head = head.removeprefix(codecs.BOM_UTF8)
    position = 0
    while match := _PROLOG_ITEM.match(head, position):
        position = match.end()
    if head.startswith(b"<!DOCTYPE", position) or head.startswith(b"<!doctype", position):
        raise MalformedExport(
            f"{Path(path).name} declares a DTD (<!DOCTYPE …>), which exports from "
            "WordPress, Disqus and Isso never do; it is refused for safety. "
            "Nothing was imported."
        )


_Event = Literal["start", "end", "start-ns"]


def _events(
    path: str | Path, events: tuple[_Event, ...] = ("start", "end")
) -> Iterator[tuple[str, Any]]:
    if not _EXPAT_BOUNDS_ENTITIES:
        return defused_iterparse(str(path), events=events)  # type: ignore[no-any-return]
    _refuse_doctype(path)
    # No DTD reaches the parser (refused above): nothing for defusedxml to defuse.
    return ET.iterparse(str(path), events=events)  # noqa: S314  # nosec B314


def document_namespaces(path: str | Path) -> dict[str, str]:
    """The namespaces the document element declares, by prefix (read up to its start)."""
    found: dict[str, str] = {}
    try:
        for event, value in _events(path, ("start-ns", "start")):
            if event == "start":
                break
            prefix, uri = value
            found.setdefault(prefix, uri)
    except ET.ParseError:
        pass  # records() names the fault when the file is read
    return found


def records(path: str | Path, wanted: set[str], *, depth: int) -> Iterator[ET.Element]:
    """Each element named in `wanted` (local names) found at `depth` (the document
    element is depth 0), complete, then cleared once the caller moves on."""
    open_elements: list[ET.Element] = []
    try:
        for event, element in _events(path):
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
