"""A WordPress export (WXR 1.2, Tools → Export → All content), brought in whole.

Read in two streaming passes. The first checks that the file is well-formed (nothing
is written before it ends) and collects what posts refer to: authors, categories,
tags and attachments. The second imports, one item at a time: attachments become
Wagtail images (from ``--media-dir``, the site's copy of ``wp-content/uploads``),
posts become ArticlePages under the section of their first category (created when
missing), with their body converted (wpcontent.py), and their comments go through the
same discussion import as Disqus's, as the article's thread. Each old address answers
a permanent redirect: ``/?p=ID``, the post's permalink, category and tag archives and
their feeds.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.core.files.images import ImageFile
from django.db import transaction
from django.urls import reverse
from django.utils.text import slugify
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page

from broadsheet.articles.models import ArticleByline, ArticlePage, Author, HomePage, SectionPage
from broadsheet.discussion.models import Comment
from broadsheet.importers.comments import import_discussions
from broadsheet.importers.fetching import ImageUnavailable, fetch_image
from broadsheet.importers.markup import html_to_markdown
from broadsheet.importers.matching import ThreadMatcher
from broadsheet.importers.models import ImportedRecord, ImportRun
from broadsheet.importers.report import ImportReport, Progress
from broadsheet.importers.staging import SourceComment, SourceThread, Staging
from broadsheet.importers.wpcontent import convert
from broadsheet.importers.xmlstream import document_namespaces, local_name, records

SOURCE = "wordpress"
# WordPress writes its elements in these namespaces; exports by other versions and by
# WordPress.com bind the same prefixes to other addresses (WXR 1.0 and 1.1, and
# "https://wordpress.org/export/1.2/"). WordPress's own importer goes by the prefix, and
# so does this one (wxr_records): each record's tags are read under these names.
WP_NAMESPACE = "http://wordpress.org/export/1.2/"
EXCERPT_NAMESPACE = "http://wordpress.org/export/1.2/excerpt/"
WP = "{" + WP_NAMESPACE + "}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
EXCERPT = "{" + EXCERPT_NAMESPACE + "}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.DELETED,
}
IMAGE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


@dataclass
class Site:
    """What the first pass collects."""

    base_url: str = ""
    authors: dict[str, str] = field(default_factory=dict)  # login -> display name
    user_emails: dict[str, str] = field(default_factory=dict)  # WordPress user id -> e-mail
    categories: dict[str, str] = field(default_factory=dict)  # nicename -> name
    attachments: dict[str, tuple[str, str, str]] = field(
        default_factory=dict
    )  # id -> url, file, title
    tags: dict[str, str] = field(default_factory=dict)  # slug -> name
    posts: int = 0


def _text(element: ET.Element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _meta(element: ET.Element, container: str) -> dict[str, str]:
    found = {}
    for meta in element.findall(f"{WP}{container}"):
        found[_text(meta, f"{WP}meta_key")] = _text(meta, f"{WP}meta_value")
    return found


def _gmt(value: str, fallback: str = "") -> datetime | None:
    for candidate in (value, fallback):
        if candidate and not candidate.startswith("0000"):
            try:
                return datetime.strptime(candidate, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                continue
    return None


def wxr_records(path: str | Path, wanted: set[str]) -> Iterator[ET.Element]:
    """The channel's records named in `wanted`, with the tags of whatever addresses the
    file binds to the `wp` and `excerpt` prefixes read as WP and EXCERPT."""
    declared = document_namespaces(path)
    renames = [
        ("{" + declared[prefix] + "}", "{" + canonical + "}")
        for prefix, canonical in (("wp", WP_NAMESPACE), ("excerpt", EXCERPT_NAMESPACE))
        if declared.get(prefix, canonical) != canonical
    ]
    for element in records(path, wanted, depth=2):
        if renames:
            for node in element.iter():
                for alias, canonical in renames:
                    if node.tag.startswith(alias):
                        node.tag = canonical + node.tag[len(alias) :]
        yield element


def first_pass(path: str | Path, report: ImportReport) -> Site:
    """Checks the whole file (MalformedExport) and collects authors, terms, attachments."""
    site = Site()
    for element in wxr_records(
        path, {"author", "category", "tag", "item", "base_site_url", "link"}
    ):
        name = local_name(element.tag)
        if name == "base_site_url" or (name == "link" and not site.base_url):
            site.base_url = (element.text or "").strip() or site.base_url
        elif name == "author":
            login = _text(element, f"{WP}author_login")
            site.authors[login] = _text(element, f"{WP}author_display_name") or login
            user_id, email = _text(element, f"{WP}author_id"), _text(element, f"{WP}author_email")
            if user_id and email:
                site.user_emails[user_id] = email
        elif name == "category":
            nicename = _text(element, f"{WP}category_nicename")
            site.categories[nicename] = _text(element, f"{WP}cat_name") or nicename
        elif name == "tag":
            tag_slug = _text(element, f"{WP}tag_slug")
            site.tags[tag_slug] = _text(element, f"{WP}tag_name") or tag_slug
        elif name == "item":
            kind = _text(element, f"{WP}post_type")
            if kind == "attachment":
                site.attachments[_text(element, f"{WP}post_id")] = (
                    _text(element, f"{WP}attachment_url"),
                    _meta(element, "postmeta").get("_wp_attached_file", ""),
                    _text(element, "title"),
                )
            elif kind == "post":
                site.posts += 1
    report.count("posts read", site.posts)
    return site


def items(path: str | Path) -> Iterator[ET.Element]:
    yield from wxr_records(path, {"item"})


class WordPressImport:
    def __init__(
        self,
        *,
        path: str | Path,
        site: Site,
        report: ImportReport,
        run: ImportRun | None,
        media_dir: str | Path | None,
        matcher: ThreadMatcher,
        progress: Progress,
        fetch_images: bool = False,
        fetch_private: bool = False,
    ) -> None:
        self.path = path
        self.site = site
        self.report = report
        self.run = run
        self.media_dir = Path(media_dir) if media_dir else None
        # Pictures not in media_dir, asked of the old site (fetch_private: also from
        # private and loopback addresses, which the guard refuses otherwise).
        self.fetch_images = fetch_images
        self.fetch_private = fetch_private
        self.matcher = matcher
        self.progress = progress
        self.images: dict[str, int] = {}
        self.image_by_url: dict[str, int] = {}
        self.sticky: list[ArticlePage] = []
        self.staging = Staging()
        self.accounts: dict[str, int | None] = {}  # WordPress user id -> account here
        # A rehearsal writes nothing, so what it would create is remembered here instead:
        # an author or section met again is counted once, as the real run creates it once.
        self.planned: set[tuple[str, str]] = set()

    # --- records ------------------------------------------------------------------

    def _record(self, kind: str, source_id: str) -> int | None:
        return (
            ImportedRecord.objects.filter(source=SOURCE, kind=kind, source_id=source_id)
            .values_list("target_id", flat=True)
            .first()
        )

    def _planned_before(self, kind: str, key: str) -> bool:
        """On a dry run, whether this thing to create was met already (the real run
        creates it once)."""
        seen = (kind, key) in self.planned
        self.planned.add((kind, key))
        return seen

    def _remember(self, kind: str, source_id: str, target_id: int) -> None:
        if not self.report.dry_run:
            ImportedRecord.objects.get_or_create(
                source=SOURCE,
                kind=kind,
                source_id=source_id,
                defaults={"target_id": target_id, "run": self.run},
            )

    # --- the second pass ----------------------------------------------------------

    def run_import(self) -> None:
        try:
            done = 0
            for element in items(self.path):
                kind = _text(element, f"{WP}post_type")
                if kind == "attachment":
                    self._attachment(element)
                done += 1
                self.progress.show(f"wordpress: {done:,} items (attachments)")
            for element in items(self.path):
                kind = _text(element, f"{WP}post_type")
                if kind == "post":
                    self._post(element)
                elif kind != "attachment":
                    self.report.count(f"{kind or 'untyped'} items skipped (not posts)")
                done += 1
                self.progress.show(f"wordpress: {done:,} items")
            self._lead_story()
            self._archive_redirects()
            self.staging.finish()
            import_discussions(
                self.staging,
                source=SOURCE,
                matcher=self.matcher,
                report=self.report,
                run=self.run,
                progress=self.progress,
            )
        finally:
            self.staging.close()

    def _attachment(self, element: ET.Element) -> None:
        wp_id = _text(element, f"{WP}post_id")
        url, relative, title = self.site.attachments.get(wp_id, ("", "", ""))
        known = self._record(ImportedRecord.Kind.IMAGE, wp_id)
        if known is not None:
            self.images[wp_id] = known
            self.image_by_url[url] = known
            self.report.count("images imported before")
            return
        if not (relative or url).lower().endswith(IMAGE_TYPES):
            self.report.note("attachments skipped (not images)", url or wp_id)
            return
        file = self.media_dir / relative if self.media_dir and relative else None
        if file is None or not file.is_file():
            if self.fetch_images and url:
                self._fetched_attachment(wp_id, url, title)
            else:
                self.report.note("images missing (no file in --media-dir)", url or relative)
            return
        if self.report.dry_run:
            self.report.count("images created")
            return
        with file.open("rb") as handle:
            self._save_image(wp_id, url, title or file.stem, ImageFile(handle, name=file.name))

    def _fetched_attachment(self, wp_id: str, url: str, title: str) -> None:
        if self.report.dry_run:
            # A rehearsal asks nothing of the old site: the real run says what answered.
            self.report.count("images to fetch from the old site (on the real run)")
            return
        try:
            content = fetch_image(url, allow_private=self.fetch_private)
        except ImageUnavailable as error:
            self.report.note("images missing (not in --media-dir, not fetched)", f"{url}: {error}")
            return
        name = Path(urlsplit(url).path).name or f"attachment-{wp_id}"
        self._save_image(wp_id, url, title or Path(name).stem, ImageFile(content, name=name))
        self.report.count("images fetched from the old site")

    def _save_image(self, wp_id: str, url: str, title: str, file: ImageFile) -> None:
        image = get_image_model()(title=title[:255], file=file)
        image.save()
        self.images[wp_id] = image.pk
        self.image_by_url[url] = image.pk
        self._remember(ImportedRecord.Kind.IMAGE, wp_id, image.pk)
        self.report.count("images created")

    def _image(self, wp_id: str, src: str) -> int | None:
        if wp_id and wp_id in self.images:
            return self.images[wp_id]
        if src in self.image_by_url:
            return self.image_by_url[src]
        # Sized copies (photo-300x200.jpg) name the original.
        original = re.sub(r"-\d+x\d+(\.\w+)$", r"\1", src)
        return self.image_by_url.get(original)

    def _author(self, login: str) -> Author | None:
        if not login:
            return None
        known = self._record(ImportedRecord.Kind.AUTHOR, login)
        author = Author.objects.filter(pk=known).first() if known else None
        if author is None:
            name = self.site.authors.get(login, login)
            slug = slugify(name)[:100] or slugify(login)[:100] or "author"
            author = Author.objects.filter(slug=slug).first()
            if author is None:
                if self.report.dry_run:
                    if not self._planned_before("author", slug):
                        self.report.count("authors created")
                    return None
                self.report.count("authors created")
                author = Author.objects.create(name=name[:120], slug=slug)
            else:
                self.report.count("authors matched by name")
            self._remember(ImportedRecord.Kind.AUTHOR, login, author.pk)
        return author

    def _section(self, nicename: str) -> SectionPage | None:
        home = HomePage.objects.first()
        if home is None:
            return None
        slug = slugify(nicename)[:50] or "news"
        section = SectionPage.objects.child_of(home).filter(slug=slug).first()
        if section is None:
            if self.report.dry_run:
                if not self._planned_before("section", slug):
                    self.report.count("sections created")
                return None
            self.report.count("sections created")
            section = SectionPage(
                title=self.site.categories.get(nicename, nicename)[:255], slug=slug
            )
            home.add_child(instance=section)
            section.save_revision().publish()
        return section  # type: ignore[return-value]

    def _post(self, element: ET.Element) -> None:
        wp_id = _text(element, f"{WP}post_id")
        title = _text(element, "title") or f"Untitled ({wp_id})"
        status = _text(element, f"{WP}status")
        if status not in ("publish", "draft", "future", "private", "pending"):
            self.report.note("posts skipped for a bad value", f"post {wp_id}: status {status!r}")
            return
        date = _gmt(_text(element, f"{WP}post_date_gmt"), _text(element, f"{WP}post_date"))
        if date is None and status in ("publish", "future"):
            self.report.note("posts skipped for a bad value", f"post {wp_id}: no date")
            return
        known = self._record(ImportedRecord.Kind.ARTICLE, wp_id)
        article = ArticlePage.objects.filter(pk=known).first() if known else None
        if known and article is None:
            self.report.note("posts removed here since an earlier import (left alone)", title)
            return
        if article is None:
            article = self._create_article(element, wp_id, title, status, date)
        else:
            self.report.count("posts imported before (left as they are)")
        if article is None:
            return
        self._redirects(element, wp_id, article)
        self._stage_comments(element, wp_id, article)

    def _create_article(
        self, element: ET.Element, wp_id: str, title: str, status: str, date: datetime | None
    ) -> ArticlePage | None:
        terms = element.findall("category")
        categories = [t.get("nicename", "") for t in terms if t.get("domain") == "category"]
        tags = [(t.text or "").strip() for t in terms if t.get("domain") == "post_tag"]
        tags += [self.site.categories.get(c, c) for c in categories[1:]]
        converted = convert(_text(element, CONTENT), self._image)
        for name in sorted(converted.unknown_shortcodes):
            self.report.note("unknown shortcodes kept as text", f"[{name}] in post {wp_id}")
        for missing in converted.missing_images:
            self.report.note(
                "images in posts not available (left out)", f"{missing} in post {wp_id}"
            )
        if _text(element, f"{WP}post_password"):
            self.report.note("password-protected posts (imported as drafts)", title)
            status = "draft"
        if status == "private":
            self.report.note("private posts (imported as drafts)", title)
        if status == "pending":
            status = "draft"
        self.report.count(f"posts created ({status})")
        author = self._author(_text(element, DC_CREATOR))
        section = self._section(categories[0] if categories else "uncategorized")
        if self.report.dry_run or section is None:
            return None
        excerpt = _text(element, EXCERPT)
        dek = html_to_markdown(excerpt) if excerpt else ""
        if not dek:
            first = next((b["value"] for b in converted.blocks if b["type"] == "paragraph"), "")
            dek = re.sub(r"<[^>]+>", "", first)
        slug = (
            slugify(_text(element, f"{WP}post_name"))[:200]
            or slugify(title)[:200]
            or f"post-{wp_id}"
        )
        if Page.objects.child_of(section).filter(slug=slug).exists():
            self.report.note("slugs taken in their section (renamed)", f"{slug} -> {slug}-{wp_id}")
            slug = f"{slug}-{wp_id}"
        thumbnail = _meta(element, "postmeta").get("_thumbnail_id", "")
        with transaction.atomic():
            article = ArticlePage(
                title=title[:255],
                slug=slug,
                dek=(dek or title)[:400],
                first_published_at=date or datetime.now(tz=UTC),
                body=converted.blocks,
                lead_image_id=self.images.get(thumbnail),
                live=False,
            )
            if author is not None:
                article.byline = [ArticleByline(author=author, sort_order=0)]
            if tags:
                article.tags.add(*[t[:100] for t in tags if t])
            section.add_child(instance=article)
            if status == "publish":
                article.save_revision().publish()
            elif status == "future" and date is not None:
                article.go_live_at = date
                article.save_revision(approved_go_live_at=date)
            else:
                article.save_revision()
            article.refresh_from_db()
            self._remember(ImportedRecord.Kind.ARTICLE, wp_id, article.pk)
        if _text(element, f"{WP}is_sticky") == "1":
            self.sticky.append(article)
        return article

    def _lead_story(self) -> None:
        """WordPress's sticky posts lead its front page: the newest one leads ours."""
        if not self.sticky or self.report.dry_run:
            return
        newest = max(self.sticky, key=lambda a: a.first_published_at)
        home = HomePage.objects.first()
        if home is not None and home.lead_article_id is None:
            home.lead_article = newest
            home.save_revision().publish()
            self.report.count("sticky post made the lead story")

    def _redirects(self, element: ET.Element, wp_id: str, article: ArticlePage) -> None:
        """Old addresses answer 301 to the article (a path already redirected is left)."""
        paths = {f"/?p={wp_id}"}
        link = _text(element, "link")
        if link:
            parts = urlsplit(link)
            paths.add(parts.path + (f"?{parts.query}" if parts.query else ""))
        for path in sorted(paths):
            normal = Redirect.normalise_path(path)
            if not normal or normal == "/":
                continue
            if Redirect.objects.filter(old_path=normal, site__isnull=True).exists():
                continue
            self.report.count("redirects created")
            if not self.report.dry_run:
                Redirect.objects.create(old_path=normal, redirect_page=article, is_permanent=True)

    def _archive_redirects(self) -> None:
        """Category and tag archives (and their feeds), and the site feed."""
        home = HomePage.objects.first()
        links: list[tuple[str, Page | None, str]] = [
            ("/feed/", None, reverse("articles:feed-rss")),
            ("/comments/feed/", None, reverse("articles:feed-rss")),
        ]
        for nicename in self.site.categories:
            section = (
                SectionPage.objects.child_of(home).filter(slug=slugify(nicename)[:50]).first()
                if home
                else None
            )
            if section is not None:
                links.append((f"/category/{nicename}/", section, ""))
                feed = reverse("articles:section-feed-rss", kwargs={"section": section.slug})
                links.append((f"/category/{nicename}/feed/", None, feed))
        for tag_slug in self.site.tags:
            target = reverse("articles:tag", kwargs={"slug": slugify(tag_slug) or "tag"})
            links.append((f"/tag/{tag_slug}/", None, target))
        for old, page, link in links:
            normal = Redirect.normalise_path(old)
            if Redirect.objects.filter(old_path=normal, site__isnull=True).exists():
                continue
            self.report.count("redirects created")
            if not self.report.dry_run:
                Redirect.objects.create(
                    old_path=normal, redirect_page=page, redirect_link=link, is_permanent=True
                )

    def _stage_comments(self, element: ET.Element, wp_id: str, article: ArticlePage) -> None:
        # Drafts and new articles are not in the matcher's index of live pages.
        self.matcher.articles[article.thread_key] = (article.title, article.get_url() or "")
        self.staging.add_thread(
            SourceThread(
                source_id=wp_id,
                identifier=article.thread_key,
                link=article.get_url() or "",
                title=article.title,
            )
        )
        for comment in element.findall(f"{WP}comment"):
            cid = _text(comment, f"{WP}comment_id")
            kind = _text(comment, f"{WP}comment_type")
            if kind in ("pingback", "trackback"):
                self.report.count(
                    "pingbacks skipped" if kind == "pingback" else "trackbacks skipped"
                )
                continue
            approved = _text(comment, f"{WP}comment_approved")
            status = COMMENT_STATUSES.get(approved)
            date = _gmt(
                _text(comment, f"{WP}comment_date_gmt"), _text(comment, f"{WP}comment_date")
            )
            if status is None or date is None:
                problem = f"status {approved!r}" if status is None else "no date"
                self.report.note("records skipped for a bad value", f"comment {cid}: {problem}")
                continue
            meta = _meta(comment, "commentmeta")
            up, down = _wpdiscuz_votes(meta)
            parent = _text(comment, f"{WP}comment_parent")
            account_id = self._account(_text(comment, f"{WP}comment_user_id"))
            self.staging.add_comment(
                SourceComment(
                    source_id=cid,
                    thread_id=wp_id,
                    parent_id="" if parent in ("", "0") else parent,
                    created_at=date,
                    body=html_to_markdown(_text(comment, f"{WP}comment_content")),
                    status=status.value,
                    name=_text(comment, f"{WP}comment_author"),
                    email=_text(comment, f"{WP}comment_author_email"),
                    website=_text(comment, f"{WP}comment_author_url"),
                    ip=_text(comment, f"{WP}comment_author_IP"),
                    upvotes=up,
                    downvotes=down,
                    account_id=account_id,
                )
            )
            self.report.count("comments read")
            if account_id is not None:
                self.report.count(
                    "comments linked to accounts here (by the WordPress user's e-mail)"
                )

    def _account(self, wp_user_id: str) -> int | None:
        """The account here of a comment's signed-in WordPress user: the one whose
        verified e-mail address is the address that user had in WordPress.

        Only signed-in commenters (``comment_user_id``): WordPress checked who they
        were. A guest's e-mail was never checked (anyone could type an editor's), so
        guest comments stay guest comments. No account is created for anyone."""
        if wp_user_id in ("", "0"):
            return None
        if wp_user_id not in self.accounts:
            email = self.site.user_emails.get(wp_user_id, "")
            account = (
                EmailAddress.objects.filter(email__iexact=email, verified=True)
                .values_list("user_id", flat=True)
                .first()
                if email
                else None
            )
            self.accounts[wp_user_id] = account
            if account is None:
                self.report.note(
                    "WordPress users whose comments stay guest comments (no account here "
                    "with a verified address of theirs)",
                    f"user {wp_user_id} {email}".strip(),
                )
        return self.accounts[wp_user_id]


def _wpdiscuz_votes(meta: dict[str, str]) -> tuple[int, int]:
    """wpDiscuz keeps a comment's net votes in ``wpdiscuz_votes`` (and, in newer
    versions, ``wpdiscuz_votes_up`` / ``wpdiscuz_votes_down``)."""
    try:
        if "wpdiscuz_votes_up" in meta or "wpdiscuz_votes_down" in meta:
            return (
                max(int(meta.get("wpdiscuz_votes_up") or 0), 0),
                abs(int(meta.get("wpdiscuz_votes_down") or 0)),
            )
        net = int(meta.get("wpdiscuz_votes") or 0)
    except ValueError:
        return 0, 0
    return (net, 0) if net >= 0 else (0, -net)
