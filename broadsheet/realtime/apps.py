from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "broadsheet.realtime"
    label = "realtime"
    verbose_name = "Live updates"

    def ready(self) -> None:
        from broadsheet.discussion import events
        from broadsheet.realtime.publishing import on_discussion_event, record_discussion_event

        events.subscribe_in_transaction(record_discussion_event)
        events.subscribe(on_discussion_event)
