"""The write paths that bring reports and sanctions in from an export (import_site).

A restore puts back what was decided elsewhere: no rule runs, no comment is held again
and no audit row is written per report or sanction (they were audited where they were
made; the import run is the audit row of the restore). Each is idempotent by the row's
natural key, so running the same export twice adds nothing, and a row a moderator
changed here since is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from broadsheet.core.errors import ActionError
from broadsheet.moderation.models import Report, Sanction


@dataclass(frozen=True)
class ImportedReport:
    reporter_key: str
    reason: str
    created_at: datetime
    note: str = ""
    ip_hash: str = ""
    resolved_at: datetime | None = None


def check_import_reports(*, reports: Sequence[ImportedReport]) -> None:
    for report in reports:
        if report.reason not in Report.Reason.values:
            raise ActionError(f"Unknown report reason {report.reason!r}.")
        if not report.reporter_key:
            raise ActionError("A report needs its reporter.")


def do_import_reports(*, comment_id: int, reports: Sequence[ImportedReport]) -> int:
    """Readers' reports of one comment, one per reporter not already here; returns how
    many were added. The comment's ``report_count`` comes back with the comment itself
    (discussion's do_import_comments), so nothing is counted twice."""
    check_import_reports(reports=reports)
    with transaction.atomic():
        here = set(
            Report.objects.filter(comment_id=comment_id).values_list("reporter_key", flat=True)
        )
        rows = [
            Report(
                comment_id=comment_id,
                reporter_key=report.reporter_key[:64],
                reason=report.reason,
                note=report.note[:500],
                ip_hash=report.ip_hash[:32],
                created_at=report.created_at,
                resolved_at=report.resolved_at,
            )
            for report in reports
            if report.reporter_key not in here
        ]
        Report.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class ImportedSanction:
    kind: str
    created_at: datetime
    user_id: int | None = None
    email_hash: str = ""
    ip_hash: str = ""
    until: datetime | None = None
    reason: str = ""
    created_by_id: int | None = None
    lifted_at: datetime | None = None


def check_import_sanction(*, sanction: ImportedSanction) -> None:
    if sanction.kind not in Sanction.Kind.values:
        raise ActionError(f"Unknown sanction kind {sanction.kind!r}.")
    if sanction.user_id is None and not sanction.email_hash and not sanction.ip_hash:
        raise ActionError("A sanction needs an account, an e-mail hash or an IP hash.")
    if sanction.kind == Sanction.Kind.SUSPENSION and sanction.until is None:
        raise ActionError("A suspension needs its end.")


def do_import_sanction(*, sanction: ImportedSanction) -> Sanction | None:
    """The sanction as it was made (lifted or not); None when it is here already (the
    same kind, target and creation time)."""
    check_import_sanction(sanction=sanction)
    with transaction.atomic():
        account: dict[str, object] = (
            {"user__isnull": True} if sanction.user_id is None else {"user_id": sanction.user_id}
        )
        same = Sanction.objects.filter(
            **account,
            kind=sanction.kind,
            email_hash=sanction.email_hash,
            ip_hash=sanction.ip_hash,
            created_at=sanction.created_at,
        )
        if same.exists():
            return None
        return Sanction.objects.create(
            kind=sanction.kind,
            user_id=sanction.user_id,
            email_hash=sanction.email_hash[:32],
            ip_hash=sanction.ip_hash[:32],
            until=sanction.until,
            reason=sanction.reason[:300],
            created_by_id=sanction.created_by_id,
            created_at=sanction.created_at,
            lifted_at=sanction.lifted_at,
        )
