from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "broadsheet.core"
    label = "core"
    verbose_name = "Broadsheet core"

    def ready(self) -> None:
        # The `id` path converter, registered before any URLconf is read.
        from broadsheet.core import ids  # noqa: F401
