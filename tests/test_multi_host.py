"""The site on several machines, as deploy/ sets it up: each its own network namespace.

- two app hosts, each with nginx and its Nchan module (deploy/nginx/broadsheet.conf and
  its snippets, TLS on a throw-away certificate) in front of granian with two worker
  processes (as broadsheet-web@.service starts it); each nginx holds the live streams of
  the readers attached to it, and the two share their channels through Redis;
- a worker host running the task worker (as broadsheet-worker.service starts it), which
  publishes to the first app host's Nchan;
- PostgreSQL and Redis: the machine's own (the test database and the suite's Redis),
  reached from the namespaces at the bridge's address through a relay in this process;
  mail goes to an SMTP server in this process, at the same address.

The test process is a reader's browser on the bridge. It needs root (namespaces),
nginx with Nchan (Debian: libnginx-mod-nchan) and openssl, and PostgreSQL + Redis: on
SQLite it is skipped (it runs in CI's second pass, on PostgreSQL + Redis).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection

from tests import servers
from tests.netns import Host, Network, Relay, Unavailable

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
SITE = "news.example.org"
ORIGIN = f"https://{SITE}"
APP_PORT = 8000  # as deploy/ has it: every host is a machine of its own
SMTP_PORT = 2525
NCHAN_PUBLISH_PORT = 8090  # deploy/nginx/broadsheet.conf's publisher server
# One comment may reach a reader through another host within this (issue 17).
DELIVERY_GOAL = 1.0
VOTES_PER_DAY = 3  # the vote rate limit the hosts are given, per client address


# --- what the hosts run: deploy/'s files, with this network's addresses ------------------


def unit_command(unit: str, **replace: str) -> list[str]:
    """The ExecStart of a deploy/systemd unit, with the venv of this checkout."""
    text = (DEPLOY / "systemd" / unit).read_text().replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    line = line.removeprefix("ExecStart=").replace("/srv/broadsheet/.venv/bin/", "")
    for old, new in replace.items():
        line = line.replace(old, new)
    argv = shlex.split(line)
    return [str(Path(sys.executable).with_name(argv[0])), *argv[1:]]


def environment(var_dir: Path, network: Network, nchan: str, secret: str) -> dict[str, str]:
    """deploy/env.example, with the values an operator would fill in for this network."""
    env: dict[str, str] = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    for line in (DEPLOY / "env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    db = connection.settings_dict
    redis = urlsplit(django_settings.ENV.redis_url)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SECRET_KEY=secret,
        BROADSHEET_HASHING_KEY=secret[::-1],
        DATABASE_URL=f"postgres://{db['USER']}@{network.gateway}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=f"redis://{network.gateway}:{redis.port or 6379}{redis.path or '/0'}",
        EMAIL_URL=f"smtp://{network.gateway}:{SMTP_PORT}",
        BROADSHEET_VAR_DIR=str(var_dir),
        BROADSHEET_RELEASE="multi-host-test",
        BROADSHEET_LIVE_NCHAN_URLS=f"http://{nchan}:{NCHAN_PUBLISH_PORT}/_live/pub/",
        ALLOWED_HOSTS=f"{SITE},127.0.0.1",
        # The test posts as one reader, quickly: the limits under test are the votes'.
        BROADSHEET_DISCUSSION_VOTE_RATE_LIMIT=f"{VOTES_PER_DAY}/86400",
        BROADSHEET_DISCUSSION_POST_RATE_LIMIT="100/86400",
        BROADSHEET_MODERATION_FLOOD_LIMIT="100/60",
        BROADSHEET_MODERATION_MIN_SUBMIT_SECONDS="0",
        BROADSHEET_MODERATION_MODE="none",
    )
    return env


def nginx_config(work: Path, network: Network, static: Path, certificates: Path) -> Path:
    """deploy/nginx/broadsheet.conf and its snippets inside a minimal nginx.conf; only the
    paths, Redis's address and the publisher's listening address change (the app
    upstream stays 127.0.0.1:8000: granian runs on the same host; the worker host
    publishes from another)."""
    snippets = servers.nchan_snippets(work)
    site = (DEPLOY / "nginx" / "broadsheet.conf").read_text()
    redis = urlsplit(django_settings.ENV.redis_url)
    for old, new in [
        (
            "redis://127.0.0.1:6379/1;",
            f"redis://{network.gateway}:{redis.port or 6379}{redis.path or '/0'};",
        ),
        ("include snippets/broadsheet-live.conf;", f"include {snippets['broadsheet-live']};"),
        (
            "include snippets/broadsheet-live-publish.conf;",
            f"include {snippets['broadsheet-live-publish']};",
        ),
        (f"listen 127.0.0.1:{NCHAN_PUBLISH_PORT};", f"listen 0.0.0.0:{NCHAN_PUBLISH_PORT};"),
        ("/etc/letsencrypt/live/news.example.org/", f"{certificates}/"),
        ("/srv/broadsheet/var/static/", f"{static}/"),
        ("/srv/broadsheet/var/media/", f"{work}/media/"),
        ("/var/www/acme", f"{work}/acme"),
    ]:
        assert old in site, f"deploy/nginx/broadsheet.conf no longer has {old!r}"
        site = site.replace(old, new)
    if not Path("/proc/net/if_inet6").exists():
        site = re.sub(r"\n\s*listen \[::\].*", "", site)  # a kernel without IPv6
    (work / "site.conf").write_text(site)
    main = work / "nginx.conf"
    main.write_text(servers.nchan_main_config(work, f"    include {work}/site.conf;"))
    return main


# --- the cluster ---------------------------------------------------------------------------


@dataclass
class Cluster:
    network: Network
    apps: list[Host]
    worker: Host
    tls: ssl.SSLContext
    mail: list[tuple[str, Any]]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _require() -> None:
    for binary in ("ip", "nginx", "openssl"):
        if shutil.which(binary) is None:
            pytest.skip(f"the multi-host test needs {binary} (Debian: iproute2, nginx, openssl)")
    servers.require_nchan()
    if connection.vendor != "postgresql" or not django_settings.ENV.redis_url:
        pytest.skip(
            "the multi-host test needs PostgreSQL and Redis (DATABASE_URL=postgres://…, "
            "REDIS_URL=…): it runs in CI's second pass"
        )
    if not (ROOT / "var" / "static" / "staticfiles.json").exists():
        pytest.skip("the multi-host test serves collected static files: run `make static`")


def _start(cluster: Cluster, host: Host, argv: list[str], log: Path, **kw: Any) -> None:
    process = subprocess.Popen(
        host.command(argv), stdout=log.open("wb"), stderr=subprocess.STDOUT, **kw
    )
    cluster.processes.append(process)


def _wait(what: str, check: Any, processes: list[subprocess.Popen[bytes]], logs: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if check():
            return
        for process in processes:
            if process.poll() is not None:
                pytest.fail(f"{process.args!r} exited with {process.returncode}; logs in {logs}")
        time.sleep(0.3)
    pytest.fail(f"{what} did not come up within 120 s; logs in {logs}")


class _Mailbox:
    """An SMTP server for the hosts (allauth and the task worker send mail)."""

    def __init__(self, address: str) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, Any]] = []
        self.controller = Controller(self, hostname=address, port=SMTP_PORT)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((session.peer[0], message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture(scope="module")
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    _require()
    request.getfixturevalue("django_db_setup")  # the test database the hosts will use
    try:
        network = Network.create()
    except Unavailable as why:
        pytest.skip(f"network namespaces cannot be made here: {why}")
    work = tmp_path_factory.mktemp("multi-host")
    relays: list[Relay] = []
    mailbox = None
    cluster = None
    try:
        apps = [network.add_host("app1"), network.add_host("app2")]
        worker = network.add_host("worker")
        db = connection.settings_dict
        redis = urlsplit(django_settings.ENV.redis_url)
        relays.append(
            Relay(
                (network.gateway, int(db["PORT"] or 5432)),
                (db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)),
            )
        )
        relays.append(
            Relay(
                (network.gateway, redis.port or 6379),
                (redis.hostname or "127.0.0.1", redis.port or 6379),
            )
        )
        mailbox = _Mailbox(network.gateway)
        mailbox.controller.start()

        certificate = ["openssl", "req", "-x509", "-newkey", "ec", "-nodes", "-days", "2"]
        certificate += ["-pkeyopt", "ec_paramgen_curve:prime256v1", "-subj", f"/CN={SITE}"]
        certificate += ["-addext", f"subjectAltName=DNS:{SITE}"]
        certificate += ["-keyout", str(work / "privkey.pem"), "-out", str(work / "fullchain.pem")]
        subprocess.run(certificate, check=True, capture_output=True)
        tls = ssl.create_default_context(cafile=str(work / "fullchain.pem"))
        cluster = Cluster(network, apps, worker, tls, mailbox.messages)
        secret = "multi-host-" + "x" * 40

        for host in [*apps, worker]:
            var = work / host.name / "var"
            var.mkdir(parents=True)
            # collectstatic's output, as a release puts it on every host
            (var / "static").symlink_to(ROOT / "var" / "static")
            # Each app host publishes to its own nginx; the worker host to the first's.
            nchan = apps[0].address if host is worker else "127.0.0.1"
            env = environment(var, network, nchan, secret)
            if host is worker:
                argv = unit_command("broadsheet-worker.service")
            else:
                binding = {"--host 127.0.0.1": "--host 0.0.0.0", "${WORKERS}": "2"}
                argv = unit_command("broadsheet-web@.service", **binding)
                (work / host.name / "nginx").mkdir()
                conf = nginx_config(
                    work / host.name / "nginx", network, ROOT / "var" / "static", work
                )
                errors = str(conf.parent / "error.log")
                front = ["nginx", "-e", errors, "-c", str(conf), "-g", "daemon off;"]
                _start(cluster, host, front, work / host.name / "nginx.log")
            _start(cluster, host, argv, work / host.name / "app.log", cwd=ROOT, env=env)

        for host in apps:
            up = partial(_answers, cluster, host, "/healthz")
            _wait(f"{host.name} through nginx", up, cluster.processes, work)
        publisher = partial(_port_open, apps[0].address, NCHAN_PUBLISH_PORT)
        _wait("Nchan's publisher", publisher, cluster.processes, work)
        yield cluster
    finally:
        if cluster is not None:
            for process in cluster.processes:
                process.terminate()
            for process in cluster.processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)
        if mailbox is not None:
            mailbox.controller.stop()
        for relay in relays:
            relay.close()
        network.close()


def _port_open(address: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((address, port)) == 0


def _answers(cluster: Cluster, host: Host, path: str) -> bool:
    try:
        return Browser(cluster).get(host, path).status == 200
    except OSError:
        return False


# --- a reader's browser on the bridge ------------------------------------------------------


class _Https(http.client.HTTPSConnection):
    """HTTPS to news.example.org at one host's address (no DNS here)."""

    def __init__(self, address: str, context: ssl.SSLContext, timeout: float = 30) -> None:
        super().__init__(SITE, 443, context=context, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((self.address, 443), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=SITE)  # type: ignore[attr-defined]


@dataclass
class Page:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def form_fields(self, form_id: str) -> dict[str, str]:
        """The hidden fields of one form (CSRF token, anti-spam time, next...)."""
        start = self.text.index(f'id="{form_id}"')
        form = self.text[start : self.text.index("</form>", start)]
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


class Browser:
    """Cookies kept across requests and hosts, as one browser keeps them for one site."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.cookies: dict[str, str] = {}

    def request(
        self, host: Host, method: str, path: str, form: dict[str, str] | None = None
    ) -> Page:
        connection = _Https(host.address, self.cluster.tls)
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": ORIGIN,
                "Referer": f"{ORIGIN}{path}",
            }
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return Page(response.status, response.headers, text)

    def get(self, host: Host, path: str) -> Page:
        return self.request(host, "GET", path)

    def post(self, host: Host, path: str, form: dict[str, str]) -> Page:
        return self.request(host, "POST", path, form)


class Reader(threading.Thread):
    """One Server-Sent Events stream opened through a host's nginx; records each message
    with the time it arrived."""

    def __init__(self, cluster: Cluster, host: Host, path: str) -> None:
        super().__init__(daemon=True)
        self.connection = _Https(host.address, cluster.tls, timeout=60)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.read()
        self.messages: list[tuple[float, dict[str, Any]]] = []
        self.arrived = threading.Condition()
        self.start()

    def run(self) -> None:
        try:
            while line := self.response.readline():
                if line.startswith(b"data: "):
                    message = json.loads(line[6:])
                    with self.arrived:
                        self.messages.append((time.time(), message))
                        self.arrived.notify_all()
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed by the test

    def wait_for(self, matches: Any, seconds: float = 15) -> tuple[float, dict[str, Any]]:
        deadline = time.monotonic() + seconds
        with self.arrived:
            while True:
                found = [item for item in self.messages if matches(item[1])]
                if found:
                    return found[0]
                if not self.arrived.wait(max(0, deadline - time.monotonic())):
                    pytest.fail(f"no such message within {seconds} s; had {self.messages}")

    def close(self) -> None:
        with contextlib.suppress(OSError, AttributeError):
            self.connection.sock.shutdown(socket.SHUT_RDWR)  # type: ignore[union-attr]
        self.connection.close()


# --- the tests -----------------------------------------------------------------------------


@pytest.fixture
def article_path(site_structure: Any) -> tuple[str, int]:
    from broadsheet.articles.testing import make_article
    from broadsheet.discussion.models import Thread

    article = make_article()
    thread = Thread.objects.create(key=f"article-{article.pk}", title=article.title, url="")
    return article.url, thread.pk


def post_comment(browser: Browser, host: Host, path: str, thread_id: int, body: str) -> Page:
    page = browser.get(host, path)
    form = page.form_fields("comment-form")
    form |= {"name": "Layla", "email": "layla@example.org", "body": body}
    answer = browser.post(host, f"/discussion/t/{thread_id}/post/", form)
    assert answer.status in (200, 302), answer.text[:2000]
    return answer


def test_a_comment_posted_through_one_host_reaches_readers_attached_through_the_other(
    cluster: Cluster, article_path: tuple[str, int]
) -> None:
    path, thread_id = article_path
    one, other = cluster.apps
    readers = [Reader(cluster, host, f"/live/t/{thread_id}/") for host in (other, other, one)]
    try:
        # Each stream is open (200): Nchan replays from a moment before it subscribed, so
        # nothing published from now on can pass it by.
        post_comment(Browser(cluster), one, path, thread_id, "Posted through the first host.")
        for reader in readers:
            arrived, message = reader.wait_for(lambda m: m["type"] == "comment.posted")
            assert message["data"]["count"] == 1
            # From the commit (the event's publish time on the app host) to this reader.
            delay = arrived - message["at"]
            assert delay < DELIVERY_GOAL, f"delivered after {delay:.3f} s"
    finally:
        for reader in readers:
            reader.close()


def test_a_page_cached_on_one_host_is_invalidated_by_a_change_made_on_the_other(
    cluster: Cluster, article_path: tuple[str, int]
) -> None:
    path, thread_id = article_path
    one, other = cluster.apps
    # Anonymous readers (no cookies): the first render is stored, for every host.
    assert Browser(cluster).get(one, path).status == 200
    cached = Browser(cluster).get(one, path)
    assert cached.headers["X-Page-Cache"] == "hit"
    assert Browser(cluster).get(other, path).headers["X-Page-Cache"] == "hit"

    post_comment(Browser(cluster), other, path, thread_id, "A change on the second host.")

    fresh = Browser(cluster).get(one, path)
    assert fresh.headers["X-Page-Cache"] != "hit"
    assert "A change on the second host." in fresh.text


def test_a_session_made_on_one_host_is_valid_on_the_other(
    cluster: Cluster, site_structure: Any
) -> None:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from broadsheet.discussion.testing import make_user

    user = make_user("rosa", name="Rosa Parks")
    # The hosts run the production hashers (the suite's own is a fast test-only one).
    user.password = PBKDF2PasswordHasher().encode("a long pass phrase", "saltsaltsalt", 1000)
    user.save(update_fields=["password"])
    one, other = cluster.apps
    browser = Browser(cluster)
    assert browser.get(other, "/me/").status == 302  # not signed in yet
    login = browser.get(one, "/accounts/login/")
    form = login.form_fields("login_form") if 'id="login_form"' in login.text else {}
    form.setdefault("csrfmiddlewaretoken", _token(login.text))
    form |= {"login": "rosa", "password": "a long pass phrase"}
    answer = browser.post(one, "/accounts/login/", form)
    assert answer.status == 302, answer.text[:2000]

    mine = browser.get(other, "/me/")
    assert mine.status == 200
    assert "rosa" in mine.text.lower()


def _token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_rate_limits_count_across_hosts(cluster: Cluster, article_path: tuple[str, int]) -> None:
    path, thread_id = article_path
    one = cluster.apps[0]
    post_comment(Browser(cluster), one, path, thread_id, "Vote on me.")
    from broadsheet.discussion.models import Comment

    comment = Comment.objects.get(thread_id=thread_id)
    voter = Browser(cluster)
    token = _token(voter.get(one, path).text)
    statuses = []
    for n in range(VOTES_PER_DAY + 1):
        host = cluster.apps[n % 2]
        value = "up" if n % 2 == 0 else "none"
        answer = voter.post(
            host,
            f"/discussion/c/{comment.pk}/vote/",
            {"csrfmiddlewaretoken": token, "value": value},
        )
        statuses.append(answer.status)
    # Three votes through two hosts fill one client's allowance; the fourth is refused.
    assert statuses == [302] * VOTES_PER_DAY + [429], statuses


def test_the_worker_host_sends_what_an_app_host_queued(
    cluster: Cluster, article_path: tuple[str, int]
) -> None:
    path, thread_id = article_path
    browser = Browser(cluster)
    token = _token(browser.get(cluster.apps[1], path).text)
    answer = browser.post(
        cluster.apps[1],
        f"/notify/t/{thread_id}/subscribe/",
        {"csrfmiddlewaretoken": token, "kind": "thread", "email": "gabriel@example.org"},
    )
    assert answer.status == 200, answer.text[:2000]
    deadline = time.monotonic() + 30
    while not cluster.mail and time.monotonic() < deadline:
        time.sleep(0.2)
    assert cluster.mail, "no confirmation mail within 30 s"
    sender, message = cluster.mail[-1]
    assert sender == cluster.worker.address  # sent by the task worker, not the app host
    assert message["To"] == "gabriel@example.org"
