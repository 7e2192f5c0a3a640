"""Settings of the task workers that tests start (`manage.py db_worker`): the suite's,
with the production task queue (the database) instead of running tasks inline."""

from config.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
