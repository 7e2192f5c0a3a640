"""Reading the publication back from the JSON Lines export (``import_site``).

Images are found by their file name in this site's media storage (copy the media
folder first); a missing file is reported and its references left empty. Authors and
sections already here with the same slug are used rather than doubled. Articles are made
under their section and published through Wagtail's own revisions when they were live
(then given back their publication dates), scheduled when they were scheduled, left as
drafts otherwise; an unpublished draft over a live article comes back as the latest
revision. Block ids inside bodies are kept (inline feedback anchors name them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import transaction
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page

from broadsheet.articles.models import (
    ArticleByline,
    ArticlePage,
    Author,
    HomePage,
    RelatedArticleLink,
    SectionPage,
)
from broadsheet.importers.export.records import parse_when
from broadsheet.importers.models import ImportedRecord

if TYPE_CHECKING:
    from broadsheet.importers.export.restore import SiteRestore


def _date(record: dict[str, Any], field: str) -> Any:
    return parse_when(record.get(field), field)


class ArticleRestore:
    def __init__(self, restore: SiteRestore) -> None:
        self.restore = restore
        self.report = restore.report
        self.images: dict[int, int] = {}
        self.authors: dict[int, int] = {}
        self.sections: dict[int, int] = {}
        self.articles: dict[int, int] = {}

    def _known(self, kind: str, origin_id: Any) -> int | None:
        found = self.restore.known(kind, [origin_id])
        return next(iter(found.values()), None)

    def article_here(self, origin_id: Any) -> ArticlePage | None:
        """The article here that the file's article `origin_id` became, if any."""
        if origin_id is None:
            return None
        pk = self.articles.get(origin_id) or self._known(ImportedRecord.Kind.ARTICLE, origin_id)
        return ArticlePage.objects.filter(pk=pk).first() if pk else None

    def image(self, record: dict[str, Any]) -> None:
        self.report.count("images read")
        known = self._known(ImportedRecord.Kind.IMAGE, record["id"])
        if known is not None:
            self.images[record["id"]] = known
            self.report.count("images imported before")
            return
        if not default_storage.exists(record["file"]):
            self.report.note("images missing (no file in the media storage)", record["file"])
            return
        self.report.count("images created")
        if self.restore.dry_run:
            return
        focal = record.get("focal_point") or [None, None, None, None]
        with transaction.atomic():
            image = get_image_model()(
                title=record["title"][:255],
                file=record["file"],
                width=int(record["width"]),
                height=int(record["height"]),
                focal_point_x=focal[0],
                focal_point_y=focal[1],
                focal_point_width=focal[2],
                focal_point_height=focal[3],
            )
            image.save()
            get_image_model().objects.filter(pk=image.pk).update(
                created_at=_date(record, "created_at")
            )
            self.restore.remember(ImportedRecord.Kind.IMAGE, record["id"], image.pk)
        self.images[record["id"]] = image.pk

    def author(self, record: dict[str, Any]) -> None:
        self.report.count("authors read")
        known = self._known(ImportedRecord.Kind.AUTHOR, record["id"])
        author = Author.objects.filter(pk=known).first() if known else None
        if author is None:
            author = Author.objects.filter(slug=record["slug"]).first()
            if author is not None:
                self.report.count("authors matched by slug")
            else:
                self.report.count("authors created")
                if self.restore.dry_run:
                    return
                user = self.restore.accounts.get(record["user"]) if record["user"] else None
                author = Author.objects.create(
                    name=record["name"][:120],
                    slug=record["slug"][:120],
                    bio=record["bio"],
                    avatar_id=self.images.get(record["avatar"]) if record["avatar"] else None,
                    user_id=user,
                )
            if not self.restore.dry_run:
                self.restore.remember(ImportedRecord.Kind.AUTHOR, record["id"], author.pk)
        self.authors[record["id"]] = author.pk

    def _set_dates(self, page: Page, record: dict[str, Any]) -> None:
        Page.objects.filter(pk=page.pk).update(
            first_published_at=_date(record, "first_published_at"),
            last_published_at=_date(record, "last_published_at"),
        )

    def section(self, record: dict[str, Any]) -> None:
        self.report.count("sections read")
        home = HomePage.objects.first()
        known = self._known(ImportedRecord.Kind.SECTION, record["id"])
        section = SectionPage.objects.filter(pk=known).first() if known else None
        if section is None and home is not None:
            section = SectionPage.objects.child_of(home).filter(slug=record["slug"]).first()  # type: ignore[assignment]
            if section is not None:
                self.report.count("sections matched by slug")
        if section is None:
            self.report.count("sections created")
            if self.restore.dry_run or home is None:
                return
            with transaction.atomic():
                section = SectionPage(
                    title=record["title"][:255],
                    slug=record["slug"],
                    intro=record["intro"][:250],
                    seo_title=record["seo_title"],
                    search_description=record["search_description"],
                )
                home.add_child(instance=section)
                revision = section.save_revision()
                if record["live"]:
                    revision.publish()
                    self._set_dates(section, record)
        if not self.restore.dry_run:
            self.restore.remember(ImportedRecord.Kind.SECTION, record["id"], section.pk)
        self.sections[record["id"]] = section.pk

    def _body(self, body: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
        """Image ids of figure blocks become this site's (a missing image drops its
        figure, reported)."""
        kept = []
        for block in body:
            if block.get("type") == "image" and isinstance(block.get("value"), dict):
                image = self.images.get(block["value"].get("image"))
                if image is None:
                    self.report.note("figures whose image is missing (left out)", label)
                    continue
                block = {**block, "value": {**block["value"], "image": image}}
            kept.append(block)
        return kept

    def _fill(self, article: ArticlePage, content: dict[str, Any], label: str) -> None:
        article.title = content["title"][:255]
        article.seo_title = content["seo_title"]
        article.search_description = content["search_description"]
        article.dek = content["dek"]
        article.revised_at = _date(content, "revised_at")
        article.lead_image_id = self.images.get(content["lead_image"])  # type: ignore[attr-defined]
        article.lead_image_caption = content["lead_image_caption"]
        article.lead_image_credit = content["lead_image_credit"]
        article.body = self._body(content["body"], label)  # type: ignore[assignment]
        article.is_opinion = bool(content["is_opinion"])
        article.byline = [  # type: ignore[assignment]
            ArticleByline(author_id=self.authors[a], sort_order=n)
            for n, a in enumerate(content["authors"])
            if a in self.authors
        ]
        related: list[RelatedArticleLink] = []
        for origin_id in content["related"]:
            here = self.article_here(origin_id)
            if here is None:
                self.report.note("related-article links to articles not here yet (left out)", label)
                continue
            related.append(RelatedArticleLink(related=here, sort_order=len(related)))
        article.related_links = related  # type: ignore[assignment]
        article.tags.clear()
        article.tags.add(*content["tags"])

    def article(self, record: dict[str, Any]) -> None:
        self.report.count("articles read")
        if self.article_here(record["id"]) is not None:
            self.report.count("articles imported before (left as they are)")
            return
        section = SectionPage.objects.filter(pk=self.sections.get(record["section"])).first()
        label = f"{record['slug']} ({record['title']})"
        if section is None:
            self.report.note("articles whose section is not here (skipped)", label)
            return
        state = "live" if record["live"] else ("scheduled" if record["go_live_at"] else "draft")
        self.report.count(f"articles created ({state})")
        if self.restore.dry_run:
            return
        slug = record["slug"]
        if Page.objects.child_of(section).filter(slug=slug).exists():
            self.report.note("slugs taken in their section (renamed)", f"{slug} -> {slug}-2")
            slug = f"{slug}-2"
        with transaction.atomic():
            article = ArticlePage(slug=slug, live=False, dek="")
            self._fill(article, record, label)
            article.expire_at = _date(record, "expire_at")
            go_live = _date(record, "go_live_at")
            section.add_child(instance=article)
            if record["live"]:
                article.save_revision().publish()
                self._set_dates(article, record)
            elif go_live is not None:
                article.go_live_at = go_live
                article.save_revision(approved_go_live_at=go_live)
            else:
                article.save_revision()
            if record.get("draft"):
                draft = ArticlePage.objects.get(pk=article.pk)
                self._fill(draft, record["draft"], label)
                draft.save_revision()
            self.restore.remember(ImportedRecord.Kind.ARTICLE, record["id"], article.pk)
        self.articles[record["id"]] = article.pk

    def redirect(self, record: dict[str, Any]) -> None:
        """An old address, to the page it named (mapped) or its link; a path that
        already redirects here is left as it is."""
        self.report.count("redirects read")
        old_path = Redirect.normalise_path(record["old_path"])
        if Redirect.objects.filter(old_path=old_path, site__isnull=True).exists():
            self.report.count("redirects here already")
            return
        page_id = None
        if record["page"] is not None:
            page_id = self.articles.get(record["page"]) or self.sections.get(record["page"])
            if page_id is None:
                self.report.note("redirects to pages not imported (skipped)", old_path)
                return
        self.report.count("redirects created")
        if not self.restore.dry_run:
            Redirect.objects.create(
                old_path=old_path,
                is_permanent=bool(record["is_permanent"]),
                redirect_page_id=page_id,
                redirect_link=record["link"],
            )
