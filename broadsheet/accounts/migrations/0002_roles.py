"""The reader-facing roles as groups (docs/accounts.md has the whole matrix).

- "Moderators" (Wagtail's own group, created by wagtail 0002): may moderate reader
  comments (discussion.moderate_comment) and open the admin (wagtailadmin.access_admin).
- "Trusted commenters": no admin access and no permission of their own; the moderation
  pipeline reads the membership to let their comments skip the checks for newcomers.

Idempotent and additive: it never removes what an administrator granted.
"""

from django.db import migrations

MODERATORS = "Moderators"
TRUSTED = "Trusted commenters"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    moderate = _permission(
        apps, "discussion", "comment", "moderate_comment", "Can moderate reader comments"
    )
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(moderate, access_admin)
    Group.objects.get_or_create(name=TRUSTED)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=TRUSTED).delete()
    Permission = apps.get_model("auth", "Permission")
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is not None:
        moderators.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="discussion", codename="moderate_comment"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("discussion", "0002_moderation_and_anchor_fields"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
