from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_article_discussion_controls"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicationsettings",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en-gb", "English"), ("ar", "العربية"), ("es", "Español")],
                default="",
                help_text="Blank: the server's BROADSHEET_LANGUAGE",
                max_length=10,
                verbose_name="Interface language",
            ),
        ),
        migrations.AddField(
            model_name="publicationsettings",
            name="readers_choose_language",
            field=models.BooleanField(
                default=True,
                help_text="From their browser's preferences or the language links in the footer",
                verbose_name="Readers may choose their language",
            ),
        ),
    ]
