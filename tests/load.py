"""Writers for the load-and-faults tests: readers posting, replying, voting, reacting and
subscribing against a real server, each with cookies of its own, each remembering what
the server acknowledged so that the database can be checked against it afterwards."""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

# What a writer does, with its weight.
ACTIONS = {"post": 35, "reply": 25, "vote": 25, "react": 10, "subscribe": 5}


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Target:
    """Where the writers write: one thread, one article."""

    port: int
    thread_key: str
    thread_id: int
    article_id: int


@dataclass
class Ledger:
    """What every writer was told, shared by all of them."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    comments: dict[int, str] = field(default_factory=dict)  # id → body
    authors: dict[int, int] = field(default_factory=dict)  # id → writer
    # The last vote each writer was told it has on a comment.
    votes: dict[tuple[int, int], int] = field(default_factory=dict)
    reactions: dict[int, int] = field(default_factory=dict)  # writer → its reaction
    subscribed: set[str] = field(default_factory=set)
    answers: Counter[str] = field(default_factory=Counter)  # "post 201", …
    server_errors: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # no answer at all

    def commented(self, writer: int, comment_id: int, body: str) -> None:
        with self.lock:
            self.comments[comment_id] = body
            self.authors[comment_id] = writer

    def someone_elses(self, writer: int, rng: random.Random) -> int | None:
        with self.lock:
            ids = [c for c, w in self.authors.items() if w != writer]
        return rng.choice(ids) if ids else None


class Writer:
    """One reader: a cookie jar, a CSRF token, an address of its own per request (the
    server believes X-Forwarded-For from 127.0.0.1, as from a production proxy)."""

    def __init__(self, number: int, target: Target, ledger: Ledger) -> None:
        self.number = number
        self.target = target
        self.ledger = ledger
        self.rng = random.Random(number)  # nosec B311 (a load mix, not a secret)
        self.cookies: dict[str, str] = {}
        self.sent = 0
        self.reaction = 0
        self.csrf = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: object = None,
        form: dict[str, str] | None = None,
        htmx: bool = False,
    ) -> Answer:
        self.sent += 1
        headers = {
            "X-Forwarded-For": f"10.{self.number}.{self.sent // 250 % 250}.{self.sent % 250 + 1}"
        }
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.target.port, timeout=60)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            for cookie in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return Answer(response.status, response.read(), response.getheader("Content-Type", ""))
        finally:
            connection.close()

    def start(self) -> None:
        answer = self.request("GET", "/api/v1/csrf")
        self.csrf = str(answer.json()["csrf_token"])

    def step(self) -> None:
        action = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        try:
            status = getattr(self, action)()
        except OSError as error:  # refused, reset, timed out: no answer, nothing promised
            self.ledger.failures.append(f"{action}: {error!r}")
            time.sleep(0.05)
            return
        if status is None:
            return
        self.ledger.answers[f"{action} {status}"] += 1

    def post(self, parent: int | None = None) -> int:
        body = f"Writer {self.number}, message {self.sent}: {self.rng.random():.12f}"
        data: dict[str, object] = {
            "body": body,
            "name": f"Writer {self.number}",
            "email": f"writer{self.number}@example.org",
        }
        if parent is not None:
            data["parent_id"] = parent
        answer = self.request(
            "POST", f"/api/v1/threads/{self.target.thread_key}/comments", json_body=data
        )
        if answer.status == 201:
            self.ledger.commented(self.number, int(answer.json()["id"]), body)
        return self.check(answer, "post")

    def reply(self) -> int | None:
        parent = self.ledger.someone_elses(self.number, self.rng)
        return None if parent is None else self.post(parent=parent)

    def vote(self) -> int | None:
        comment = self.ledger.someone_elses(self.number, self.rng)
        if comment is None:
            return None
        value = self.rng.choice([1, 1, -1, 0])
        answer = self.request(
            "POST", f"/api/v1/comments/{comment}/vote", json_body={"value": value}
        )
        if answer.status == 200:
            with self.ledger.lock:
                self.ledger.votes[(self.number, comment)] = int(answer.json()["my_vote"])
        return self.check(answer, "vote")

    def react(self) -> int:
        value = self.rng.choice(["up", "down"])
        answer = self.request(
            "POST", f"/react/{self.target.article_id}/", form={"value": value}, htmx=True
        )
        if answer.status == 200:
            # Toggled: the same reaction again takes it back.
            wanted = 1 if value == "up" else -1
            self.reaction = 0 if self.reaction == wanted else wanted
            with self.ledger.lock:
                self.ledger.reactions[self.number] = self.reaction
        return self.check(answer, "react")

    def subscribe(self) -> int | None:
        email = f"reader{self.number}@example.org"
        if email in self.ledger.subscribed:
            return None
        answer = self.request(
            "POST",
            f"/notify/t/{self.target.thread_id}/subscribe/",
            form={"email": email, "kind": "thread"},
            htmx=True,
        )
        if answer.status == 200:
            with self.ledger.lock:
                self.ledger.subscribed.add(email)
        return self.check(answer, "subscribe")

    def check(self, answer: Answer, action: str) -> int:
        if answer.status >= 500:
            self.ledger.server_errors.append(
                f"{action} {answer.status} {answer.content_type} {answer.body[:300]!r}"
            )
        return answer.status


class Load:
    """`count` writers stepping until stopped."""

    def __init__(self, target: Target, count: int) -> None:
        self.ledger = Ledger()
        self.writers = [Writer(n, target, self.ledger) for n in range(count)]
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(w,)) for w in self.writers]

    def run(self, writer: Writer) -> None:
        while not self.stop.is_set():
            try:
                writer.start()
                break
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        while not self.stop.is_set():
            writer.step()

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(90)

    def wait_for(self, acknowledged: int, bound: float = 120) -> None:
        start = time.monotonic()
        while len(self.ledger.comments) < acknowledged:
            if time.monotonic() - start > bound:
                raise AssertionError(f"fewer than {acknowledged} comments acknowledged")
            time.sleep(0.1)
