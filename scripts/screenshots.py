"""Screenshots of the demo's busiest article and its discussion, in English and in Arabic
(right to left), 360 and 1280 pixels wide, into docs/screenshots/ (`make screenshots`).

It builds a demo site of its own in a temporary directory (migrate, collectstatic,
load_demo: the real database is never touched), serves it with granian on one port of
127.0.0.1, and drives Debian's Chromium with Playwright. The browser asks for each
language as a reader's would (its locale sends Accept-Language). For each language and
width: the top of the article, and the first screen of its discussion.

    .venv/bin/python scripts/screenshots.py [--port 9790] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# (language as the browser asks for it, file name part)
LANGUAGES = [("en-GB", "en"), ("ar", "ar")]
# (width, height): a small phone, a laptop.
SIZES = [(360, 780), (1280, 800)]

BUSIEST_ARTICLE = """
from django.db.models import Count
from broadsheet.articles.models import ArticlePage
from broadsheet.discussion.models import Thread
threads = Thread.objects.filter(key__startswith="article-").order_by("-comment_count")
for thread in threads:
    page = ArticlePage.objects.live().filter(pk=int(thread.key.split("-", 1)[1])).first()
    if page is not None:
        print(page.url)
        break
"""


def run(environment: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own loopback server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def demo_environment(var_dir: str, port: int) -> dict[str, str]:
    """This process's environment for a demo site of its own in `var_dir` on `port`:
    SQLite and the in-process cache whatever the caller's shell points at."""
    return {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    } | {
        "BROADSHEET_VAR_DIR": var_dir,
        "BROADSHEET_DEMO": "true",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "PORT": str(port),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=9790)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    options = parser.parse_args()
    if not free(options.port):
        print(f"Port {options.port} is taken; choose another with --port.", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="broadsheet-screenshots-") as var_dir:
        site = f"http://127.0.0.1:{options.port}"
        environment = demo_environment(var_dir, options.port) | {
            "BROADSHEET_LIVE": "false",  # still pages: no live bubble in a screenshot
        }
        # The front-end libraries `make assets` fetched (htmx) are static files too.
        assets = ROOT / "var" / "assets"
        if not assets.is_dir():
            print("No var/assets: run `make setup` first.", file=sys.stderr)
            return 1
        shutil.copytree(assets, Path(var_dir) / "assets")
        print("Building a demo site (migrate, static files, demo content)…")
        run(environment, "migrate", "--noinput", "-v0")
        run(environment, "collectstatic", "--noinput", "-v0")
        run(environment, "load_demo")
        # The last line: Django's shell may first say what it imported.
        printed = run(environment, "shell", "-c", BUSIEST_ARTICLE).strip().splitlines()
        article = printed[-1].strip() if printed else ""
        if not article:
            print("The demo has no article with a discussion.", file=sys.stderr)
            return 1
        server = subprocess.Popen(  # noqa: S603 - granian from our own virtualenv
            [
                str(Path(PYTHON).parent / "granian"),
                "--interface",
                "wsgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(options.port),
                "--workers",
                "1",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=open(Path(var_dir) / "server.log", "wb"),  # noqa: SIM115 - closed with the directory
        )
        try:
            wait_for(f"{site}/healthz")
            options.out.mkdir(parents=True, exist_ok=True)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                for locale, name in LANGUAGES:
                    for width, height in SIZES:
                        context = browser.new_context(
                            locale=locale,
                            viewport={"width": width, "height": height},
                            reduced_motion="reduce",
                        )
                        page = context.new_page()
                        answer = page.goto(f"{site}{article}", wait_until="networkidle")
                        if answer is None or answer.status != 200:
                            log = (Path(var_dir) / "server.log").read_text(errors="replace")
                            print(log[-3000:], file=sys.stderr)
                            return 1
                        shot = options.out / f"article-{name}-{width}.png"
                        page.screenshot(path=shot)
                        page.locator("#discussion").scroll_into_view_if_needed()
                        page.evaluate(
                            "() => window.scrollTo(0, document.getElementById('discussion')"
                            ".getBoundingClientRect().top + window.scrollY)"
                        )
                        page.screenshot(path=options.out / f"discussion-{name}-{width}.png")
                        print(f"  {shot.name} and discussion-{name}-{width}.png")
                        context.close()
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"Screenshots in {options.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
