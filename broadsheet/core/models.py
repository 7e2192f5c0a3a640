from django.db import models


class TimeStampedModel(models.Model):
    """Creation and last-change times, in UTC, for every row that readers or editors write."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
