from django.apps import AppConfig


class DiscussionConfig(AppConfig):
    name = "broadsheet.discussion"
    label = "discussion"
    verbose_name = "Discussion"

    def ready(self) -> None:
        from broadsheet.discussion import cache, events

        events.subscribe(cache.forget_pages_showing)
