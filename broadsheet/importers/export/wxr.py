"""The site as a WordPress WXR 1.2 file (``export_site --format wxr``), comments inside.

WordPress's exporter writes an RSS channel with the site's authors, categories and tags,
then one ``<item>`` per post with its comments as ``<wp:comment>`` elements; this writes
the same. Every discussion becomes an item: an article's carries the article (with
``--articles``: its body as HTML, dek as excerpt, section as category, tags, byline as
``dc:creator``, status and dates; without, only its title, address and date, which is
what comment importers match on), any other discussion (an embedding site's page) a
post naming that page. Comment statuses map as WordPress has them: approved ``1``, held
``0``, ``spam``, rejected and deleted ``trash``; votes go in wpDiscuz's
``wpdiscuz_votes_up`` / ``wpdiscuz_votes_down`` comment meta. Broadsheet keeps no IP
addresses, so ``comment_author_IP`` is empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.html import escape as html_escape
from wagtail.rich_text import expand_db_html

from broadsheet.accounts.models import Profile
from broadsheet.articles.models import ArticlePage, Author, SectionPage
from broadsheet.discussion.models import Comment, Thread
from broadsheet.importers.export.xml import absolute, cdata, el, escape, quoteattr, utc

HEAD = (
    '<?xml version="1.0" encoding="UTF-8" ?>\n'
    '<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
)
WP_DATE = "%Y-%m-%d %H:%M:%S"
STATUS = {
    Comment.Status.APPROVED: "1",
    Comment.Status.PENDING: "0",
    Comment.Status.SPAM: "spam",
    Comment.Status.REJECTED: "trash",
    Comment.Status.DELETED: "trash",
}


def body_html(article: ArticlePage) -> str:
    """The body as the plain HTML WordPress keeps in post_content (no theme markup):
    paragraphs, headings, quotes, figures, and embeds as a URL on its own line (which
    WordPress turns into an embed)."""
    parts = []
    for block in article.body:
        kind, value = block.block_type, block.value
        if kind in ("paragraph",):
            parts.append(expand_db_html(value.source))
        elif kind == "feedback":
            parts.append(expand_db_html(value["text"].source))
        elif kind == "heading":
            parts.append(f"<h2>{html_escape(value)}</h2>")
        elif kind in ("quote", "pull_quote"):
            cite = value.get("attribution") or ""
            parts.append(
                f"<blockquote><p>{html_escape(value['text'])}</p>"
                + (f"<cite>{html_escape(cite)}</cite>" if cite else "")
                + "</blockquote>"
            )
        elif kind == "image" and value.get("image") is not None:
            image = value["image"]
            caption = value.get("caption") or ""
            parts.append(
                f'<figure><img src="{html_escape(absolute(image.file.url))}" '
                f'alt="{html_escape(image.title)}"/>'
                + (f"<figcaption>{html_escape(caption)}</figcaption>" if caption else "")
                + "</figure>"
            )
        elif kind == "embed" and value is not None:
            parts.append(f"\n{value.url}\n")
    return "\n\n".join(parts)


def _commenters() -> dict[int, tuple[str, str]]:
    authors = Comment.objects.filter(author__isnull=False).values("author_id").distinct()
    users = get_user_model().objects.filter(pk__in=authors)
    shown = dict(
        Profile.objects.filter(user__in=users)
        .exclude(display_name="")
        .values_list("user_id", "display_name")
    )
    return {u.pk: (shown.get(u.pk) or u.get_username(), u.email) for u in users.iterator()}


def _comment(comment: Comment, names: dict[int, tuple[str, str]]) -> str:
    if comment.author_id is not None and comment.author_id in names:
        name, email = names[comment.author_id]
        website = ""
    else:
        name, email, website = comment.guest_name, comment.guest_email, comment.guest_website
    body = "" if comment.status == Comment.Status.DELETED else comment.body_html
    meta = ""
    if comment.upvotes or comment.downvotes:
        meta = "".join(
            "<wp:commentmeta>"
            + el("wp:meta_key", cdata(key), raw=True)
            + el("wp:meta_value", cdata(str(value)), raw=True)
            + "</wp:commentmeta>"
            for key, value in (
                ("wpdiscuz_votes_up", comment.upvotes),
                ("wpdiscuz_votes_down", -comment.downvotes),
                ("wpdiscuz_votes", comment.score),
            )
        )
    return (
        "<wp:comment>"
        + el("wp:comment_id", str(comment.pk))
        + el("wp:comment_author", cdata(name or "Anonymous"), raw=True)
        + el("wp:comment_author_email", cdata(email), raw=True)
        + el("wp:comment_author_url", escape(website), raw=True)
        + "<wp:comment_author_IP></wp:comment_author_IP>"
        + el("wp:comment_date", utc(comment.created_at, WP_DATE))
        + el("wp:comment_date_gmt", utc(comment.created_at, WP_DATE))
        + el("wp:comment_content", cdata(body), raw=True)
        + el("wp:comment_approved", cdata(STATUS[Comment.Status(comment.status)]), raw=True)
        + el("wp:comment_type", cdata("comment"), raw=True)
        + el("wp:comment_parent", str(comment.parent_id or 0))
        + el("wp:comment_user_id", str(comment.author_id or 0))
        + meta
        + "</wp:comment>\n"
    )


def _channel(articles: bool) -> Iterator[str]:
    site = settings.SITE_URL.rstrip("/")
    yield (
        el("title", "Broadsheet")
        + "\n"
        + el("link", site)
        + "\n<description></description>\n"
        + el("language", "en")
        + "\n<wp:wxr_version>1.2</wp:wxr_version>\n"
        + el("wp:base_site_url", site)
        + "\n"
        + el("wp:base_blog_url", site)
        + "\n"
    )
    if not articles:
        return
    for number, author in enumerate(Author.objects.order_by("pk"), start=1):
        yield (
            "<wp:author>"
            + el("wp:author_id", str(number))
            + el("wp:author_login", cdata(author.slug), raw=True)
            + el("wp:author_email", cdata(""), raw=True)
            + el("wp:author_display_name", cdata(author.name), raw=True)
            + "</wp:author>\n"
        )
    for section in SectionPage.objects.order_by("path"):
        yield (
            "<wp:category>"
            + el("wp:term_id", str(section.pk))
            + el("wp:category_nicename", cdata(section.slug), raw=True)
            + el("wp:category_parent", cdata(""), raw=True)
            + el("wp:cat_name", cdata(section.title), raw=True)
            + "</wp:category>\n"
        )


def _item(thread: Thread, article: ArticlePage | None, articles: bool) -> str:
    date = (article.first_published_at if article else None) or thread.created_at
    link = absolute(article.get_url() or thread.host_url if article else thread.host_url)
    status = "publish"
    terms = ""
    content = ""
    excerpt = ""
    creator = ""
    slug = ""
    if article is not None:
        slug = article.slug
        if not article.live:
            status = "future" if article.go_live_at else "draft"
        if articles:
            content = body_html(article)
            excerpt = article.dek
            section: Any = article.get_parent().specific
            if isinstance(section, SectionPage):
                terms += (
                    f'<category domain="category" nicename={quoteattr(section.slug)}>'
                    f"{cdata(section.title)}</category>"
                )
            for tag in article.tags.all():
                terms += (
                    f'<category domain="post_tag" nicename={quoteattr(tag.slug)}>'
                    f"{cdata(tag.name)}</category>"
                )
            byline = article.byline.order_by("sort_order").select_related("author").first()
            creator = byline.author.slug if byline else ""
    post_id = article.pk if article else thread.pk
    return (
        "<item>"
        + el("title", thread.title or (article.title if article else thread.key))
        + el("link", link)
        + el("pubDate", format_datetime(date, usegmt=True))
        + el("dc:creator", cdata(creator), raw=True)
        + f'<guid isPermaLink="false">{escape(link)}</guid>'
        + "<description></description>"
        + el("content:encoded", cdata(content), raw=True)
        + el("excerpt:encoded", cdata(excerpt), raw=True)
        + el("wp:post_id", str(post_id))
        + el("wp:post_date", cdata(utc(date, WP_DATE)), raw=True)
        + el("wp:post_date_gmt", cdata(utc(date, WP_DATE)), raw=True)
        + el("wp:comment_status", cdata("closed" if thread.is_closed else "open"), raw=True)
        + el("wp:ping_status", cdata("closed"), raw=True)
        + el("wp:post_name", cdata(slug), raw=True)
        + el("wp:status", cdata(status), raw=True)
        + "<wp:post_parent>0</wp:post_parent><wp:menu_order>0</wp:menu_order>"
        + el("wp:post_type", cdata("post"), raw=True)
        + "<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>"
        + terms
        + "\n"
    )


def write_wxr(out: TextIO, *, articles: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    out.write(HEAD)
    for part in _channel(articles):
        out.write(part)
    names = _commenters()
    by_key = {f"article-{pk}": pk for pk in ArticlePage.objects.values_list("pk", flat=True)}
    done: set[int] = set()
    for thread in Thread.objects.order_by("created_at", "pk").iterator(chunk_size=500):
        article_id = by_key.get(thread.key)
        article = ArticlePage.objects.filter(pk=article_id).first() if article_id else None
        out.write(_item(thread, article, articles))
        comments = Comment.objects.filter(thread=thread).order_by("pk")
        for comment in comments.iterator(chunk_size=2000):
            out.write(_comment(comment, names))
            counts["comments"] += 1
        out.write("</item>\n")
        counts["items"] += 1
        if article is not None:
            done.add(article.pk)
    if articles:
        # Articles nobody has discussed yet are posts too.
        for article in ArticlePage.objects.exclude(pk__in=done).order_by("path").iterator():
            # An unsaved Thread only carries the item's title and date (now, by default).
            thread = Thread(key=article.thread_key, title=article.title, url="")
            thread.created_at = article.first_published_at or thread.created_at
            out.write(_item(thread, article, articles) + "</item>\n")
            counts["items"] += 1
    out.write("</channel>\n</rss>\n")
    return counts
