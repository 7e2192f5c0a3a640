"""The "Comments" menu item and the moderation queue's admin URLs."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from broadsheet.discussion.identity import MODERATE_PERMISSION
from broadsheet.moderation.models import ModerationWord


class ModeratorMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        user = request.user
        return bool(user.is_superuser or user.has_perm(MODERATE_PERMISSION))


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    return [path("moderation/", include("broadsheet.moderation.admin_urls"))]


@hooks.register("register_admin_menu_item")
def register_comments_menu_item() -> MenuItem:
    return ModeratorMenuItem(
        gettext_lazy("Comments"), reverse("moderation_admin:queue"), icon_name="comment", order=250
    )


class ModerationWordViewSet(SnippetViewSet):
    """Banned and suspect words, edited by moderators (Snippets → Moderation words)."""

    model = ModerationWord
    icon = "warning"
    menu_label = gettext_lazy("Moderation words")
    list_display = ["word", "kind"]
    list_filter = ["kind"]
    search_fields = ["word"]


register_snippet(ModerationWordViewSet)
