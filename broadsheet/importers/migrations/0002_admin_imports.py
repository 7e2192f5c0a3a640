"""Imports from the admin: queued runs with their upload, progress and starter, and the
permission to run them, given to the Editors group."""

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models


def grant_editors(apps, schema_editor):  # type: ignore[no-untyped-def]
    # Permissions are normally made after all migrations; make ours now to grant them.
    app_config = apps.get_app_config("importers")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group = group_model.objects.filter(name="Editors").first()
    if group is None:  # not ours to create: Wagtail's migrations make it
        return
    group.permissions.add(
        *permission_model.objects.filter(
            content_type__app_label="importers", codename="run_import"
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("importers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="importrun",
            options={
                "permissions": [
                    ("run_import", "Can import exports from other systems in the admin")
                ]
            },
        ),
        migrations.RemoveConstraint(model_name="importrun", name="importers_run_status_valid"),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Waiting for the task worker"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                ],
                default="running",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="importrun",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["queued", "running", "done", "failed"])),
                name="importers_run_status_valid",
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="started_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="upload",
            field=models.CharField(
                blank=True, help_text="The uploaded file, under the uploads folder", max_length=300
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="follows",
            field=models.ForeignKey(
                blank=True,
                help_text="The dry run whose file this run imports",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="followed_by",
                to="importers.importrun",
            ),
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress_done",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importrun",
            name="progress_total",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="importrun",
            name="error",
            field=models.TextField(blank=True, help_text="Why the run failed, in words"),
        ),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
    ]
