from django.db import migrations, models

ACTIONS = [
    ("hold", "Held by a rule"),
    ("approve", "Approved"),
    ("reject", "Rejected"),
    ("spam", "Marked spam"),
    ("feature", "Featured"),
    ("unfeature", "Unfeatured"),
    ("report", "Reported"),
    ("dismiss", "Reports dismissed"),
    ("auto_hold", "Held after reports"),
    ("ban", "Banned"),
    ("suspend", "Suspended"),
    ("shadow_ban", "Shadow-banned"),
    ("lift", "Sanction lifted"),
    ("close", "Discussion closed"),
    ("reopen", "Discussion reopened"),
    ("note", "Note added"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_moderators_edit_word_lists"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="auditentry",
            name="moderation_audit_action_valid",
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(choices=ACTIONS, max_length=12),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.CheckConstraint(
                condition=models.Q(action__in=[value for value, _ in ACTIONS]),
                name="moderation_audit_action_valid",
            ),
        ),
    ]
