"""Settings of the task workers that tests/test_mail_under_worker_kill.py starts: the
suite's, with the production task queue (the database) instead of running tasks inline."""

from config.test_settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
