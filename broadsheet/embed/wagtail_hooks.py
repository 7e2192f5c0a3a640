"""Admin: Snippets → Embedding sites and Webhook endpoints, and each endpoint's delivery
log with "Redeliver" and "Enable again" (admin_urls.py)."""

from __future__ import annotations

from typing import Any

from django.urls import include, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from broadsheet.embed.models import EmbeddingSite, WebhookEndpoint
from broadsheet.embed.origins import key_prefix


class QueueLinkColumn(Column):
    def get_value(self, instance: Any) -> Any:
        url = reverse("moderation_admin:queue") + f"?key={key_prefix(instance.pk)}"
        return format_html('<a href="{}">{}</a>', url, _("Comments"))


class DeliveryLogColumn(Column):
    def get_value(self, instance: Any) -> Any:
        url = reverse("embed_admin:deliveries", args=[instance.pk])
        return format_html('<a href="{}">{}</a>', url, _("Delivery log"))


class EmbeddingSiteViewSet(SnippetViewSet):
    """Sites that embed our discussions: origins, public key, moderation and settings."""

    model = EmbeddingSite
    icon = "globe"
    menu_label = gettext_lazy("Embedding sites")
    list_display = [
        "name",
        "key",
        "is_active",
        QueueLinkColumn("queue", label=gettext_lazy("Moderation")),
    ]
    search_fields = ["name", "origins"]


class WebhookEndpointViewSet(SnippetViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = gettext_lazy("Webhook endpoints")
    list_display = [
        "url",
        "site",
        "is_enabled",
        "consecutive_failures",
        DeliveryLogColumn("log", label=gettext_lazy("Deliveries")),
    ]
    list_filter = ["site", "is_enabled"]


register_snippet(EmbeddingSiteViewSet)
register_snippet(WebhookEndpointViewSet)


@hooks.register("register_admin_urls")
def register_admin_urls() -> list[Any]:
    return [path("embed/", include("broadsheet.embed.admin_urls"))]
