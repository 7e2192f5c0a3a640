"""The moderators' digest: new reports and held comments since the last one, by e-mail."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from broadsheet.core.languages import publication_language
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
    with translation.override(publication_language()):
        subject = _("Moderation: %(waiting)d waiting, %(reports)d new report(s)") % {
            "waiting": len(digest.pending),
            "reports": len(digest.reports),
        }
        body = render_to_string("moderation/email/digest.txt", context)
    send_mail(subject, body, None, recipients)
    return len(recipients)
