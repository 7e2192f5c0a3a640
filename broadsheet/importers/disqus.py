"""The Disqus XML export (Admin → Community → Export), read as a stream.

The file is a ``<disqus>`` element with ``<category>``, then ``<thread dsq:id>``, then
``<post dsq:id>`` children. A thread names its page by ``<id>`` (the
``disqus_identifier`` the site set, often empty) and ``<link>``; a post names its
thread and, for a reply, its parent by ``dsq:id`` attributes, and carries its HTML
``<message>``, ``<createdAt>`` (UTC, ISO 8601), ``<isDeleted>``, ``<isSpam>``, an
``<author>`` (name, e-mail, sometimes none; ``isAnonymous``) and ``<ipAddress>``.
Posts come in Disqus's order, not the tree's: replies can precede their parents.

This module imports nothing of Django (statuses are the values of ``Comment.Status``,
named below; a test holds them equal), so the import's reader process
(``importers/reader.py``) runs it without loading the site.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from broadsheet.importers.markup import html_to_markdown
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import SourceComment, SourceThread, Staging
from broadsheet.importers.xmlstream import local_name, records

DSQ_ID = "{http://disqus.com/disqus-internals}id"
SOURCE = "disqus"
# Comment.Status values (discussion/models.py), without importing the model.
APPROVED, SPAM, DELETED = "approved", "spam", "deleted"


class BadValue(ValueError):
    pass


Children = dict[str, ET.Element]


def _children(element: ET.Element | None) -> Children:
    """An element's children by local name (the first of each name), found once: a
    post's dozen fields are then looked up, not searched for one by one."""
    found: Children = {}
    if element is not None:
        for child in element:
            tag = child.tag
            name = tag[tag.find("}") + 1 :]  # local_name(), inline: a dozen per post
            if name not in found:
                found[name] = child
    return found


def _text(children: Children, name: str) -> str:
    child = children.get(name)
    return (child.text or "").strip() if child is not None else ""


def _flag(children: Children, name: str) -> bool:
    value = _text(children, name).lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise BadValue(f"<{name}> is {value!r}, not true or false")


def parse_date(value: str) -> datetime:
    """Disqus writes ``2013-10-10T19:20:29Z``; any ISO 8601 date with a zone is taken,
    one without is UTC (as Disqus's are)."""
    if not value:
        raise BadValue("no <createdAt>")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"<createdAt> {value!r} is not a date") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _ref(children: Children, name: str) -> str:
    child = children.get(name)
    return (child.get(DSQ_ID) or "").strip() if child is not None else ""


def read_export(
    path: str | Path, staging: Staging, report: ImportReport, progress: Progress | None = None
) -> None:
    """Stream the export into `staging`; raises MalformedExport before anything else
    happens when the file is not well-formed. Bad values skip their record."""
    progress = progress or Progress()
    for element in records(path, {"thread", "post", "category"}, depth=1):
        kind = local_name(element.tag)
        source_id = (element.get(DSQ_ID) or "").strip()
        if kind == "category":
            continue
        if not source_id:
            report.note("records skipped for a bad value", f"a <{kind}> without dsq:id")
            continue
        try:
            if kind == "thread":
                staging.add_thread(_thread(element, source_id))
                report.count("threads read")
            else:
                staging.add_comment(_post(element, source_id))
                report.count("comments read")
                progress.show(f"disqus: reading, {staging.comment_total:,} comments")
        except BadValue as error:
            report.note("records skipped for a bad value", f"{kind} {source_id}: {error}")
    staging.finish()


def _thread(element: ET.Element, source_id: str) -> SourceThread:
    fields = _children(element)
    created = _text(fields, "createdAt")
    return SourceThread(
        source_id=source_id,
        identifier=_text(fields, "id"),
        link=_text(fields, "link"),
        title=_text(fields, "title"),
        created_at=parse_date(created) if created else None,
        is_closed=_flag(fields, "isClosed"),
        is_deleted=_flag(fields, "isDeleted"),
    )


def _post(element: ET.Element, source_id: str) -> SourceComment:
    fields = _children(element)
    thread_id = _ref(fields, "thread")
    if not thread_id:
        raise BadValue("no <thread dsq:id>")
    created = parse_date(_text(fields, "createdAt"))
    deleted = _flag(fields, "isDeleted")
    spam = _flag(fields, "isSpam")
    status = DELETED if deleted else SPAM if spam else APPROVED
    message = fields.get("message")
    author = _children(fields.get("author"))
    name = _text(author, "name") or _text(author, "username")
    return SourceComment(
        source_id=source_id,
        thread_id=thread_id,
        parent_id=_ref(fields, "parent"),
        created_at=created,
        body=html_to_markdown((message.text or "") if message is not None else ""),
        status=status,
        name=name,
        email=_text(author, "email"),
        ip=_text(fields, "ipAddress"),
    )
