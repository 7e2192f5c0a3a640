"""A small starting list of banned and suspect words; moderators edit it in the admin."""

from django.db import migrations

BANNED = ["idiot", "moron", "scumbag", "retard"]
SUSPECT = ["stupid", "liar", "shut up", "crypto", "casino"]


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    word = apps.get_model("moderation", "ModerationWord")
    for kind, words in (("banned", BANNED), ("suspect", SUSPECT)):
        for text in words:
            word.objects.get_or_create(word=text, kind=kind)


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
