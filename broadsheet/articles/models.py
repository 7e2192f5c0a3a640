"""Wagtail pages and snippets of a publication: home, sections, articles, authors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from broadsheet.articles.blocks import ArticleBodyBlock
from broadsheet.core.pagecache import mark_cacheable
from broadsheet.discussion.cache import thread_scope

# Set by articles/serving.py on the pages it serves from a remembered route.
REMEMBERED_VIEW_RESTRICTIONS = "_remembered_view_restrictions"


@register_snippet
class Author(index.Indexed, models.Model):  # type: ignore[django-manager-missing]
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(
        _("biography"), blank=True, help_text=_("One or two sentences, shown under the article")
    )
    avatar = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("picture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="byline_author",
        help_text=_("Their comments under their own articles show the Author badge"),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("bio"),
        FieldPanel("avatar"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


class PublicationPage(Page):
    """A page of the publication, addressed on SITE_URL.

    Wagtail builds full URLs (canonical, og:url, sitemaps, "View live") from its Site
    record, which a fresh install leaves at http://localhost; e-mails, feeds and JSON-LD
    use SITE_URL. One host for everything: the Site decides which page a path is, SITE_URL
    where it lives."""

    class Meta:
        abstract = True

    def get_view_restrictions(self) -> Any:
        """Wagtail's (two queries: the ancestors, then their restrictions), or the list
        remembered with this page's route when articles/serving.py handed it out."""
        remembered = self.__dict__.get(REMEMBERED_VIEW_RESTRICTIONS)
        if remembered is not None:
            return remembered
        return super().get_view_restrictions()

    def get_url_parts(self, request: HttpRequest | None = None) -> Any:
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        site_id, _root_url, page_path = parts
        return site_id, settings.SITE_URL, page_path


class HomePage(PublicationPage):
    """The front page: lead story, latest articles, one rail per section."""

    lead_article = models.ForeignKey(
        "articles.ArticlePage",
        verbose_name=_("lead article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Pinned lead story; the newest article leads when empty."),
    )

    content_panels = [*Page.content_panels, FieldPanel("lead_article")]
    subpage_types = ["articles.SectionPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from broadsheet.articles import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.front_page(home=self, page_number=request.GET.get("page")))
        mark_cacheable(request, ["listings"])
        return context


class SectionPage(PublicationPage):
    intro = models.CharField(_("introduction"), max_length=250, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["articles.ArticlePage"]
    parent_page_types = ["articles.HomePage"]

    class Meta:
        verbose_name = _("section page")
        verbose_name_plural = _("section pages")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from broadsheet.articles import selectors

        context = super().get_context(request, *args, **kwargs)
        articles = selectors.articles_in_section(self)
        context["articles"] = selectors.paginated_cards(articles, request.GET.get("page"))
        mark_cacheable(request, ["listings"])
        return context


class ArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "articles.ArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ArticlePage(PublicationPage):
    dek = models.TextField(
        _("Standfirst"), max_length=400, help_text=_("One or two sentences under the headline")
    )
    revised_at = models.DateTimeField(
        _("Updated"),
        null=True,
        blank=True,
        help_text=_("Set when the story was substantially updated"),
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_image_caption = models.CharField(_("lead image caption"), max_length=250, blank=True)
    lead_image_credit = models.CharField(_("lead image credit"), max_length=120, blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"))
    tags = ClusterTaggableManager(through=ArticleTag, blank=True, verbose_name=_("tags"))
    is_opinion = models.BooleanField(
        _("Opinion column"), default=False, help_text=_("Shows the opinion disclaimer at the end")
    )

    class CommentModeration(models.TextChoices):
        PUBLICATION = "", _("As for the whole publication")
        NONE = "none", _("Publish at once (the rules still hold what they catch)")
        NEW_COMMENTERS = "new_commenters", _("Hold comments of new commenters for review")
        ALL = "all", _("Hold every comment for review")

    comments_moderation = models.CharField(
        _("Pre-moderation"),
        max_length=16,
        blank=True,
        default="",
        choices=CommentModeration.choices,
        help_text=_("For the discussion of this article only"),
    )
    comments_close_at = models.DateTimeField(
        _("Close the discussion at"),
        null=True,
        blank=True,
        help_text=_("From then on no new comments (leave empty to keep it open)"),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("dek"),
        InlinePanel("byline", label=_("Author"), min_num=1),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading=_("Lead image"),
        ),
        FieldPanel("body"),
        FieldPanel("tags"),
        FieldPanel("is_opinion"),
        MultiFieldPanel(
            [
                # Wagtail's own first_published_at: set when the article goes live (at its
                # scheduled time when scheduled); an editor fills it only to backdate.
                FieldPanel(
                    "first_published_at",
                    heading=_("First published"),
                    help_text=_("Leave empty: set to the moment the article goes live."),
                ),
                FieldPanel("revised_at"),
            ],
            heading=_("Dates"),
        ),
        InlinePanel("related_links", label=_("Hand-picked related article")),
        MultiFieldPanel(
            [FieldPanel("comments_moderation"), FieldPanel("comments_close_at")],
            heading=_("Discussion"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("dek"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    parent_page_types = ["articles.SectionPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(comments_moderation__in=["", "none", "new_commenters", "all"]),
                name="articles_article_comments_moderation_valid",
            ),
        ]

    def cache_scopes(self) -> list[str]:
        """What this page shows that can change without a new revision."""
        return [f"article:{self.pk}", thread_scope(self.thread_key)]

    @property
    def thread_key(self) -> str:
        """The key of this article's discussion thread."""
        return f"article-{self.pk}"

    @property
    def section(self) -> SectionPage:
        return self.get_parent().specific  # type: ignore[return-value]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from broadsheet.articles import selectors

        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.article_page_context(self, request))
        mark_cacheable(request, self.cache_scopes())
        return context


class ArticleByline(Orderable):
    page = ParentalKey(ArticlePage, related_name="byline", on_delete=models.CASCADE)
    author = models.ForeignKey(
        "articles.Author",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="bylines",
    )

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")


class RelatedArticleLink(Orderable):
    """An editor's hand-picked related article; these win over computed ones."""

    page = ParentalKey(ArticlePage, related_name="related_links", on_delete=models.CASCADE)
    related = models.ForeignKey(
        ArticlePage, verbose_name=_("related article"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("related")]

    class Meta(Orderable.Meta):
        verbose_name = _("related article link")
        verbose_name_plural = _("related article links")


class ArticleReaction(models.Model):
    """One reader's "What do you think?" vote on one article."""

    class Value(models.IntegerChoices):
        DOWN = -1, _("Downvote")
        UP = 1, _("Upvote")

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="reactions")
    voter_key = models.CharField(max_length=64, help_text="u:<user id> or r:<reader cookie id>")
    value = models.SmallIntegerField(choices=Value.choices)
    ip_hash = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "voter_key"], name="one_reaction_per_voter"),
            models.CheckConstraint(
                condition=models.Q(value__in=[-1, 1]), name="reaction_value_is_up_or_down"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_key} {self.value:+d} on {self.article_id}"


class ArticleReactionTally(models.Model):
    """The counters of an article's reactions.

    Kept apart from ArticlePage because publishing a revision rewrites every page
    column from the revision's copy, which would put stale counts back.
    """

    article = models.OneToOneField(
        ArticlePage, on_delete=models.CASCADE, primary_key=True, related_name="reaction_tally"
    )
    up = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.article_id}: +{self.up} -{self.down}"

    @property
    def points(self) -> int:
        return self.up - self.down


@register_setting(icon="cog")
class PublicationSettings(BaseGenericSetting):
    # Neutral until the newsroom names it (README, "Going to production"); the demo
    # loader calls its publication "The Meridian Ledger".
    name = models.CharField(_("name"), max_length=120, default="Broadsheet")
    tagline = models.CharField(
        _("tagline"), max_length=200, blank=True, default="Independent news, read closely"
    )
    opinion_disclaimer = models.TextField(
        _("opinion disclaimer"),
        default=(
            "The views expressed in this column are solely those of the author and do not "
            "necessarily reflect the views of the publication."
        ),
        help_text=_("Shown at the end of every opinion column"),
    )
    support_heading = models.CharField(_("support heading"), max_length=120, default="Help us grow")
    support_text = models.TextField(
        _("support text"),
        blank=True,
        default=(
            "Independent journalism depends on its readers. If this reporting mattered to you, "
            "please support our work."
        ),
    )
    support_button_label = models.CharField(
        _("support button label"), max_length=60, default="Support us on Patreon"
    )
    support_url = models.URLField(
        _("support address"), blank=True, default="https://www.patreon.com/"
    )
    comments_enabled = models.BooleanField(_("Discussion under articles"), default=True)
    comments_allow_guests = models.BooleanField(
        _("Guests may comment"),
        default=True,
        help_text=_("Without an account, with name and e-mail"),
    )
    comments_default_sort = models.CharField(
        _("default order of comments"),
        max_length=10,
        default="newest",
        choices=[("newest", _("Newest")), ("oldest", _("Oldest")), ("top", _("Most voted"))],
    )
    # The interface language (menus, buttons, dates, e-mails): blank keeps the
    # deployment's BROADSHEET_LANGUAGE. The articles themselves are in whatever language
    # the newsroom writes. broadsheet.articles.languages applies both fields.
    language = models.CharField(
        _("Interface language"),
        max_length=10,
        blank=True,
        default="",
        choices=settings.LANGUAGES,
        help_text=_("Blank: the server's BROADSHEET_LANGUAGE"),
    )
    readers_choose_language = models.BooleanField(
        _("Readers may choose their language"),
        default=True,
        help_text=_("From their browser's preferences or the language links in the footer"),
    )

    panels = [
        MultiFieldPanel([FieldPanel("name"), FieldPanel("tagline")], heading=_("Publication")),
        FieldPanel("opinion_disclaimer"),
        MultiFieldPanel(
            [
                FieldPanel("support_heading"),
                FieldPanel("support_text"),
                FieldPanel("support_button_label"),
                FieldPanel("support_url"),
            ],
            heading=_("Reader-support call to action"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("comments_enabled"),
                FieldPanel("comments_allow_guests"),
                FieldPanel("comments_default_sort"),
            ],
            heading=_("Discussion defaults"),
        ),
        MultiFieldPanel(
            [FieldPanel("language"), FieldPanel("readers_choose_language")],
            heading=_("Language"),
        ),
    ]

    class Meta:
        verbose_name = _("publication settings")
        verbose_name_plural = _("publication settings")
