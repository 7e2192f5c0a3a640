"""The bounded history of the "database" and "postgres" back-ends.

One row per channel holds its last sequence number (taken with a row lock, so numbers
follow commit order within a channel); events keep the last BROADSHEET_LIVE_HISTORY of
each channel, so a reader who reconnects gets what they missed.
"""

from __future__ import annotations

from django.db import models


class LiveChannel(models.Model):
    name = models.CharField(max_length=120, primary_key=True)
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seq}"


class LiveEvent(models.Model):
    channel = models.CharField(max_length=120)
    seq = models.BigIntegerField()
    at = models.FloatField(help_text="Unix time when published")
    payload = models.TextField(help_text="The wire event's JSON")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "seq"], name="realtime_event_channel_seq")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.seq}"
