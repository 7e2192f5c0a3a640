"""The "Imports" menu item (editors and administrators) and its admin URLs."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from broadsheet.importers.actions import can_import


class ImportsMenuItem(MenuItem):
    def is_shown(self, request: Any) -> bool:
        return can_import(request.user)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    return [path("imports/", include("broadsheet.importers.admin_urls"))]


@hooks.register("register_settings_menu_item")
def register_imports_menu_item() -> MenuItem:
    return ImportsMenuItem(
        gettext_lazy("Imports"), reverse("importers_admin:imports"), icon_name="upload", order=900
    )
