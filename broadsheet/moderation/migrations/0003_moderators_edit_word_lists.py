"""Wagtail's "Moderators" group may edit the banned/suspect word lists (snippets)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Permissions are normally made after all migrations; make ours now to grant them.
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group = group_model.objects.filter(name="Moderators").first()
    if group is None:  # not ours to create: Wagtail's migrations make it
        return
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="moderation",
            codename__in=["add_moderationword", "change_moderationword", "delete_moderationword", "view_moderationword"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_default_words"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
