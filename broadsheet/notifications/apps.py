from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "broadsheet.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from broadsheet.discussion import events
        from broadsheet.notifications.listeners import (
            on_comment_posted,
            on_commenter_notice_requested,
        )

        events.subscribe(on_comment_posted)
        events.subscribe(on_commenter_notice_requested)
