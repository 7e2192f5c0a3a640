"""Admin: the "API tokens" menu item and its URLs."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class StaffMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return bool(request.user.is_staff)


@hooks.register("register_admin_menu_item")
def register_tokens_menu_item() -> MenuItem:
    return StaffMenuItem(
        gettext_lazy("API tokens"), reverse("api_admin:tokens"), icon_name="key", order=900
    )


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    return [path("api/", include("broadsheet.api.admin_urls"))]
