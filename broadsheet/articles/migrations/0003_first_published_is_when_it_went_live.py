"""ArticlePage.published_at (defaulting to when the draft was opened) gives way to
Wagtail's first_published_at (set when a page goes live). Published articles keep the
date they showed, which may have been backdated by an editor or the demo loader."""

from typing import Any

from django.db import migrations


def keep_shown_dates(apps: Any, schema_editor: Any) -> None:
    ArticlePage = apps.get_model("articles", "ArticlePage")
    for article in ArticlePage.objects.filter(first_published_at__isnull=False).only(
        "pk", "published_at"
    ):
        ArticlePage.objects.filter(pk=article.pk).update(first_published_at=article.published_at)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_site_structure_and_editors"),
    ]

    operations = [
        migrations.RunPython(keep_shown_dates, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="articlepage",
            name="published_at",
        ),
    ]
