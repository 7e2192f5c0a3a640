"""The write paths of the embed: registering sites, changing their settings, and the pages
that show a discussion.

Webhook endpoints and deliveries have theirs in ``embed/webhooks/actions.py``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.log_actions import log

from broadsheet.core.errors import ActionError, NotAllowed
from broadsheet.discussion.actions import do_register_thread
from broadsheet.discussion.identity import Actor
from broadsheet.discussion.models import Thread
from broadsheet.embed import origins
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.webhooks.dispatch import queue_event, thread_data

MAX_IDENTIFIER = 200


def check_register_site(*, name: str, origin_lines: list[str]) -> None:
    if not name.strip():
        raise ActionError("Give the site a name.", field="name")
    try:
        rules = origins.parse_rules("\n".join(origin_lines))
    except ValueError as error:
        raise ActionError(str(error), field="origins") from None
    if not rules:
        raise ActionError("Give at least one allowed origin.", field="origins")


def do_register_site(*, name: str, origin_lines: list[str], **settings: object) -> EmbeddingSite:
    """A new embedding site with a fresh public key (settings: any of the model's
    per-site fields, e.g. allow_guests=False)."""
    check_register_site(name=name, origin_lines=origin_lines)
    return EmbeddingSite.objects.create(
        name=name.strip(), origins="\n".join(line.strip() for line in origin_lines), **settings
    )


SITE_SETTINGS = ("name", "is_active", "comments_enabled", "allow_guests", "default_sort")


def check_update_site(*, site: EmbeddingSite, actor: Actor, changes: dict[str, Any]) -> None:
    """Administrators only; every value checked as the admin's form checks it."""
    if not (actor.is_authenticated and actor.user.is_active and actor.user.is_superuser):
        raise NotAllowed("Only administrators can change an embedding site.")
    unknown = set(changes) - {*SITE_SETTINGS, "origins", "moderation_mode"}
    if unknown:
        raise ActionError(f"Not a site setting: {', '.join(sorted(unknown))}.")
    if "name" in changes and not str(changes["name"]).strip():
        raise ActionError("Give the site a name.", field="name")
    if "origins" in changes:
        check_register_site(name=site.name, origin_lines=list(changes["origins"]))
    if changes.get("default_sort", "newest") not in EmbeddingSite.Sort.values:
        raise ActionError("Choose newest, oldest or top.", field="default_sort")
    if changes.get("moderation_mode", "") not in EmbeddingSite.ModerationMode.values:
        raise ActionError("Choose none, new_commenters or all.", field="moderation_mode")


def do_update_site(*, site: EmbeddingSite, actor: Actor, changes: dict[str, Any]) -> EmbeddingSite:
    """Change some of a site's settings (the API's way; the admin edits the same fields in
    its form), recorded in the site's history in the admin (Wagtail's log, as the
    admin's own edits are). Takes the site's row lock."""
    check_update_site(site=site, actor=actor, changes=changes)
    values = {
        name: changes[name] for name in (*SITE_SETTINGS, "moderation_mode") if name in changes
    }
    if "name" in values:
        values["name"] = str(values["name"]).strip()
    if "origins" in changes:
        values["origins"] = "\n".join(line.strip() for line in changes["origins"])
    with transaction.atomic():
        EmbeddingSite.objects.select_for_update().filter(pk=site.pk).first()
        EmbeddingSite.objects.filter(pk=site.pk).update(**values)
        site.refresh_from_db()
        log(instance=site, action="wagtail.edit", user=actor.user)
    return site


def check_register_page(
    *, site: EmbeddingSite, url: str, identifier: str = "", origin: str | None = None
) -> None:
    """A page may get a discussion when the site is on, its URL is under an allowed
    origin, and the browser asking (when it says) is on an allowed origin too."""
    if not site.is_active:
        raise NotAllowed("This site's discussions are switched off.")
    if not url:
        raise ActionError("Give the page's address.", field="url")
    if len(url) > Thread._meta.get_field("url").max_length:  # type: ignore[operator]
        raise ActionError("The page's address is too long.", field="url")
    if len(identifier) > MAX_IDENTIFIER:
        raise ActionError("The page identifier is too long.", field="id")
    if not origins.url_allowed(site.rules, url):
        raise NotAllowed("This page is not on an address the site allows.")
    if origin is not None and not origins.origin_allowed(site.rules, origin):
        raise NotAllowed("This origin may not embed the site's discussions.")


def do_register_page(
    *,
    site: EmbeddingSite,
    url: str,
    title: str = "",
    identifier: str = "",
    origin: str | None = None,
) -> Thread:
    """The thread of a page of `site`, created on its first view (one SELECT when it
    exists and nothing changed). A new thread is announced to the site's webhooks
    (thread.created) after commit."""
    check_register_page(site=site, url=url, identifier=identifier, origin=origin)
    key = origins.page_key(site.pk, url=url, identifier=identifier)
    title, url = title.strip()[:300], origins.clean_url(url)
    thread = Thread.objects.filter(key=key).first()
    if thread is not None:
        if (thread.title, thread.url) == (title, url):
            return thread
        return do_register_thread(key=key, title=title, url=url)
    with transaction.atomic():
        thread = do_register_thread(key=key, title=title, url=url)
        # A race of two first views creates one row; both announce it, and receivers
        # dedupe on the thread id (docs/webhooks.md).
        queue_event(site.pk, "thread.created", thread_data(thread))
    return thread
