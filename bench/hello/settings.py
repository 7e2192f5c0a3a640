"""Settings of the minimal 'hello' project (bench only)."""

from __future__ import annotations

DEBUG = False
SECRET_KEY = "bench-hello-not-secret"  # noqa: S105 - serves one constant page on loopback
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.hello.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
