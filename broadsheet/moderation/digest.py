"""The moderators' digest: new reports and held comments since the last one, by e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from broadsheet.moderation import conf
from broadsheet.moderation.selectors import digest_since, moderator_addresses

LAST_SENT_KEY = "moderation:digest:last-sent"


def send_moderation_digest(*, since: datetime | None = None) -> int:
    """Send the digest of what arrived since `since` (default: the last digest, or a
    day ago); returns the number of recipients (0 when there was nothing to say)."""
    now = timezone.now()
    since = since or cache.get(LAST_SENT_KEY) or now - timedelta(days=1)
    digest = digest_since(since)
    recipients = conf.digest_recipients() or moderator_addresses()
    cache.set(LAST_SENT_KEY, now, timeout=None)
    if digest.is_empty or not recipients:
        return 0
    context = {
        "digest": digest,
        "since": since,
        "site": getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
    }
    subject = f"Moderation: {len(digest.pending)} waiting, {len(digest.reports)} new report(s)"
    send_mail(
        subject,
        render_to_string("moderation/email/digest.txt", context),
        None,
        recipients,
    )
    return len(recipients)
