from django.db import models


class TimeStampedModel(models.Model):
    """Creation and last-change times, in UTC, for every row that readers or editors write."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TaskWorker(models.Model):
    """A running task worker (`manage.py db_worker`) and when it last said it is alive.

    django-tasks-db marks a task RUNNING with the id of the worker that claimed it and has
    no lease: a worker killed mid-task would leave it RUNNING forever. Each worker records
    its heartbeat here, so the sweep (broadsheet.core.workers) can tell a running task of
    a live worker from one of a worker that is gone, and queue the latter again.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
