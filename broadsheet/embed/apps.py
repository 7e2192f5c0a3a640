from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "broadsheet.embed"
    label = "embed"
    verbose_name = "Embedding"

    def ready(self) -> None:
        from broadsheet.discussion import events
        from broadsheet.embed.webhooks.listeners import on_discussion_event

        events.subscribe(on_discussion_event)
