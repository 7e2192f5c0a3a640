"""The Disqus XML export (Admin → Community → Export), read as a stream.

The file is a ``<disqus>`` element with ``<category>``, then ``<thread dsq:id>``, then
``<post dsq:id>`` children. A thread names its page by ``<id>`` (the
``disqus_identifier`` the site set, often empty) and ``<link>``; a post names its
thread and, for a reply, its parent by ``dsq:id`` attributes, and carries its HTML
``<message>``, ``<createdAt>`` (UTC, ISO 8601), ``<isDeleted>``, ``<isSpam>``, an
``<author>`` (name, e-mail, sometimes none; ``isAnonymous``) and ``<ipAddress>``.
Posts come in Disqus's order, not the tree's: replies can precede their parents.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

from broadsheet.discussion.models import Comment
from broadsheet.importers.markup import html_to_markdown
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import SourceComment, SourceThread, Staging
from broadsheet.importers.xmlstream import local_name, records

DSQ_ID = "{http://disqus.com/disqus-internals}id"
SOURCE = "disqus"


class BadValue(ValueError):
    pass


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if local_name(child.tag) == name:
            return child
    return None


def _text(element: ET.Element | None, name: str) -> str:
    if element is None:
        return ""
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


def _flag(element: ET.Element, name: str) -> bool:
    value = _text(element, name).lower()
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


def _ref(element: ET.Element, name: str) -> str:
    child = _child(element, name)
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
    created = _text(element, "createdAt")
    return SourceThread(
        source_id=source_id,
        identifier=_text(element, "id"),
        link=_text(element, "link"),
        title=_text(element, "title"),
        created_at=parse_date(created) if created else None,
        is_closed=_flag(element, "isClosed"),
        is_deleted=_flag(element, "isDeleted"),
    )


def _post(element: ET.Element, source_id: str) -> SourceComment:
    thread_id = _ref(element, "thread")
    if not thread_id:
        raise BadValue("no <thread dsq:id>")
    created = parse_date(_text(element, "createdAt"))
    deleted = _flag(element, "isDeleted")
    spam = _flag(element, "isSpam")
    if deleted:
        status = Comment.Status.DELETED
    elif spam:
        status = Comment.Status.SPAM
    else:
        status = Comment.Status.APPROVED
    message = _child(element, "message")
    author = _child(element, "author")
    name = _text(author, "name") or _text(author, "username")
    return SourceComment(
        source_id=source_id,
        thread_id=thread_id,
        parent_id=_ref(element, "parent"),
        created_at=created,
        body=html_to_markdown((message.text or "") if message is not None else ""),
        status=status.value,
        name=name,
        email=_text(author, "email"),
        ip=_text(element, "ipAddress"),
    )
