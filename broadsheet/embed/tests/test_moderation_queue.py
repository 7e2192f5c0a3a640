"""Embedded discussions are moderated in the publication's one queue, filterable by
site: the admin's list of embedding sites links each site to its own comments there."""

from __future__ import annotations

import html
import re
from typing import Any

from django.contrib.auth.models import Group
from django.test import Client

from broadsheet.discussion.models import Comment
from broadsheet.discussion.testing import guest, make_user, member, post
from broadsheet.embed.actions import do_register_page, do_register_site
from broadsheet.embed.models import EmbeddingSite
from broadsheet.embed.tests.conftest import PAGE
from broadsheet.moderation.actions import do_approve_comment


def _held(site: EmbeddingSite, url: str, body: str) -> Comment:
    EmbeddingSite.objects.filter(pk=site.pk).update(moderation_mode="all")
    site.refresh_from_db()
    thread = do_register_page(site=site, url=url, title=body)
    comment = post(thread, guest(), body, name="Gabriel")
    assert comment.status == Comment.Status.PENDING  # the site holds every comment
    return comment


def test_each_sites_comments_in_the_one_queue_by_its_link(blog: EmbeddingSite) -> None:
    shop = do_register_site(name="Corner shop", origin_lines=["https://shop.example"])
    on_blog = _held(blog, PAGE, "Held on the blog")
    _held(shop, "https://shop.example/kettle", "Held at the shop")

    admin = make_user("ada", staff=True)
    admin.is_superuser = True
    admin.save(update_fields=["is_superuser"])
    client = Client()
    client.force_login(admin)
    listing = client.get("/admin/snippets/embed/embeddingsite/").content.decode()
    links = [html.unescape(href) for href in re.findall(r'href="([^"]*)">Comments<', listing)]
    assert len(links) == 2

    moderator = make_user("max", moderator=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    queue = Client()
    queue.force_login(moderator)
    everything = queue.get("/admin/moderation/").content.decode()
    assert "Held on the blog" in everything and "Held at the shop" in everything
    blog_link = next(link for link in links if f"site:{blog.pk}:" in link)
    only_blog = queue.get(blog_link).content.decode()
    assert "Held on the blog" in only_blog and "Held at the shop" not in only_blog

    # Decided there like any other comment, and then shown on the blog's page.
    do_approve_comment(comment=on_blog, actor=member(moderator))
    fragment = Client().get("/embed/thread", {"site": blog.key, "url": PAGE}).content.decode()
    assert "Held on the blog" in fragment
    assert "Held on the blog" not in queue.get(blog_link).content.decode()


def test_the_queue_names_the_page_each_comment_was_made_on(blog: EmbeddingSite) -> None:
    _held(blog, PAGE, "Which page?")
    moderator = make_user("max", moderator=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client = Client()
    client.force_login(moderator)
    page: Any = client.get("/admin/moderation/").content.decode()
    # The thread's title, linked to the comment's permalink, which leads to the host's
    # page (where the reader saw it).
    link = re.search(r'href="([^"]+)" class="mod-item__context"', page)
    assert link is not None
    answer = client.get(html.unescape(link.group(1)))
    assert answer.status_code == 302 and answer["Location"].startswith(PAGE)
    assert "#comment-" in answer["Location"]
