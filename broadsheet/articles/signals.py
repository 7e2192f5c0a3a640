"""Side concerns only: forget cached navigation, related lists and cached pages when what
they show changes (pages, settings, authors, images), and the routes, Sites and settings
each process remembers for serving pages (articles/serving.py) when where a page lives
or who may see it changes (moves, renames, deletions, Sites, view restrictions)."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

from broadsheet.articles.context_processors import NAV_CACHE_KEY
from broadsheet.articles.models import Author, PublicationSettings
from broadsheet.core.pagecache import bump


def forget_navigation(sender: Any, **kwargs: Any) -> None:
    cache.delete(NAV_CACHE_KEY)


def _bump_site_now_and_after_commit() -> None:
    # Now, and again once the change is committed: whatever a render read and kept between
    # the first bump and the commit (the old data, under the new version) is keyed on a
    # version that is gone by then. Outside a transaction the second runs at once.
    bump("site")
    transaction.on_commit(lambda: bump("site"))


def forget_cached_pages(sender: Any, **kwargs: Any) -> None:
    # A published or withdrawn page can appear on any listing, rail or related list.
    _bump_site_now_and_after_commit()


def forget_routes(sender: Any, **kwargs: Any) -> None:
    # A moved, renamed or deleted page changes what a path is, and a page's address is on
    # every listing, rail and related list that shows it. Saving or deleting a Site
    # changes which pages a host serves; a view restriction who may see them (an
    # anonymous reader's stored copy of a page that has just become private must go).
    forget_navigation(sender)
    _bump_site_now_and_after_commit()


def forget_pages_after_settings_change(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # The first page ever rendered creates the settings row with its defaults: nothing
    # that any page showed has changed (and bumping then would keep that very render
    # out of the cache).
    if not created:
        # The discussion policy (broadsheet.articles.discussion_policy) and pages keep
        # what they read under the "site" version.
        _bump_site_now_and_after_commit()


def forget_pages_after_settings_delete(sender: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: bump("site"))


def forget_pages_after_author_change(sender: Any, **kwargs: Any) -> None:
    # A byline shows the author's name, link and avatar on every page of theirs, and an
    # Author snippet is edited without publishing any page.
    _bump_site_now_and_after_commit()


# What Wagtail saves on its own when asked for an image's size or hash (the admin does):
# nothing a page shows.
_IMAGE_BOOKKEEPING = frozenset({"file_size", "file_hash"})


def forget_pages_after_image_change(
    sender: Any,
    created: bool = False,
    update_fields: frozenset[str] | None = None,
    **kwargs: Any,
) -> None:
    # An editor replaces an image's file, or changes its title (the alt text) or focal
    # point, in the image library without publishing any page; the pages that show it
    # (lead images, figures, bylines, cards and rails of any listing) keep its renditions'
    # URLs. Which pages those are is not known cheaply, so every page goes, as when an
    # article is published.
    # A new upload is on no page yet (a page that takes it is saved and published, which
    # bumps): newsrooms upload all day, and each bump renders every cached page again.
    if created or (update_fields is not None and update_fields <= _IMAGE_BOOKKEEPING):
        return
    _bump_site_now_and_after_commit()


def forget_pages_after_image_delete(sender: Any, **kwargs: Any) -> None:
    # A deleted image, or a deleted rendition: Wagtail deletes the renditions of a replaced
    # file only after saving the image, and their files after the commit, so a page
    # rendered in between would keep a URL that is about to answer 404.
    _bump_site_now_and_after_commit()


def connect() -> None:
    page_published.connect(forget_navigation, dispatch_uid="bs-nav-published")
    page_unpublished.connect(forget_navigation, dispatch_uid="bs-nav-unpublished")
    page_published.connect(forget_cached_pages, dispatch_uid="bs-pages-published")
    page_unpublished.connect(forget_cached_pages, dispatch_uid="bs-pages-unpublished")
    post_page_move.connect(forget_routes, dispatch_uid="bs-routes-moved")
    page_slug_changed.connect(forget_routes, dispatch_uid="bs-routes-renamed")
    post_delete.connect(forget_routes, sender=Page, dispatch_uid="bs-routes-page-deleted")
    for model in (Site, PageViewRestriction):
        post_save.connect(forget_routes, sender=model, dispatch_uid=f"bs-routes-{model.__name__}")
        post_delete.connect(
            forget_routes, sender=model, dispatch_uid=f"bs-routes-{model.__name__}-deleted"
        )
    post_save.connect(
        forget_pages_after_settings_change,
        sender=PublicationSettings,
        dispatch_uid="bs-pages-settings",
    )
    post_delete.connect(
        forget_pages_after_settings_delete,
        sender=PublicationSettings,
        dispatch_uid="bs-pages-settings-deleted",
    )
    post_save.connect(
        forget_pages_after_author_change, sender=Author, dispatch_uid="bs-pages-author"
    )
    image = get_image_model()
    post_save.connect(forget_pages_after_image_change, sender=image, dispatch_uid="bs-pages-image")
    post_delete.connect(
        forget_pages_after_image_delete, sender=image, dispatch_uid="bs-pages-image-deleted"
    )
    post_delete.connect(
        forget_pages_after_image_delete,
        sender=image.get_rendition_model(),
        dispatch_uid="bs-pages-rendition-deleted",
    )
