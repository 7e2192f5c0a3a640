// live.js: the connection's life (background tabs, back-off with jitter, resuming) and the
// bubble, against a stand-in EventSource that the test drives.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { pageWith, run, stoppedClock } from "./dom.mjs";

const PAGE = `<section id="discussion" data-live-url="/live/t/7/" data-live-since="1700000000">
  <h2><span id="discussion-count">1</span> Comment</h2>
  <p id="discussion-status" role="status" aria-live="polite"></p>
  <ol id="discussion-comments"><li class="comment-thread"><article class="comment" id="comment-1">
    <p class="comment__body">First.</p></article></li></ol></section>`;

let window;
afterEach(async () => { await window.happyDOM.close(); });

// Each EventSource the script makes; the test opens, fails and feeds them.
function withStreams(win) {
  const made = [];
  class FakeEventSource {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.listeners = {};
      this.closed = false;
      made.push(this);
    }
    addEventListener(type, listener) { (this.listeners[type] ||= []).push(listener); }
    close() { this.closed = true; this.readyState = 2; }
    emit(type, data) { for (const listener of this.listeners[type] || []) listener({ data }); }
    open() { this.readyState = 1; this.emit("open"); }
    fail(closed = false) { this.readyState = closed ? 2 : 0; this.emit("error"); }
    send(type, payload) { this.emit(type, JSON.stringify({ v: 1, type, ...payload })); }
  }
  FakeEventSource.CLOSED = 2;
  win.EventSource = FakeEventSource;
  win.fetch = () => Promise.resolve({ ok: true, text: () => Promise.resolve("") });
  return made;
}

function setHidden(win, hidden) {
  Object.defineProperty(win.document, "hidden", { configurable: true, get: () => hidden });
  win.document.dispatchEvent(new win.Event("visibilitychange"));
}

describe("the connection", () => {
  test("opens at once, from the time the (possibly cached) page was rendered", () => {
    window = pageWith(PAGE);
    const streams = withStreams(window);
    run(window, "live.js");
    assert.equal(streams.length, 1);
    assert.equal(streams[0].url, "/live/t/7/?since=1700000000");
  });

  test("a tab in the background lets go of its stream, and resumes where it was", () => {
    window = pageWith(PAGE);
    const clock = stoppedClock(window);
    const streams = withStreams(window);
    run(window, "live.js");
    streams[0].open();
    streams[0].send("comment.score", { ch: "t7", seq: 4, data: { comment_id: 1, score: 2 } });

    setHidden(window, true);
    clock.advance(9999);
    assert.equal(streams[0].closed, false, "a short glance away keeps the stream");
    clock.advance(1);
    assert.equal(streams[0].closed, true, "10 s in the background closes it");
    clock.advance(120000);
    assert.equal(streams.length, 1, "nothing reconnects while hidden");

    setHidden(window, false);
    assert.equal(streams.length, 2);
    assert.match(streams[1].url, /after=t7%3A4/, "resumes after the last event it applied");
  });

  test("reconnects with exponential back-off and jitter, capped at 30 s", () => {
    window = pageWith(PAGE);
    const clock = stoppedClock(window);
    const streams = withStreams(window);
    const delays = [];
    const setTimeout = window.setTimeout;
    window.setTimeout = (callback, delay) => {
      delays.push(delay);
      return setTimeout(callback, delay);
    };
    window.Math.random = () => 0.5;
    run(window, "live.js");
    streams[0].open();
    for (let n = 0; n < 7; n++) {
      streams.at(-1).fail();
      clock.advance(30000);
    }
    // Half the ceiling plus a random half of it: 0.75 of 1, 2, 4, 8, 16, 30, 30 s (the
    // watchdog's own 45 s timers left out).
    assert.deepEqual(delays.filter((delay) => delay !== 45000), [750, 1500, 3000, 6000, 12000, 22500, 22500]);
    assert.equal(streams.length, 8);
  });

  test("a stream silent for three keep-alive intervals is given up and resumed from the cursor", () => {
    window = pageWith(PAGE);
    const clock = stoppedClock(window);
    const streams = withStreams(window);
    window.Math.random = () => 0;
    run(window, "live.js");
    streams[0].open();
    streams[0].send("hello", { data: { at: 1700000100, keepalive: 5 } });
    streams[0].send("comment.score", { ch: "t7", seq: 4, data: { comment_id: 1, score: 2 } });
    for (let n = 0; n < 10; n++) {
      clock.advance(5000);
      streams[0].send("keepalive", { data: {} });
    }
    assert.equal(streams[0].closed, false, "keep-alives keep it");

    // The connection stays open but nothing more comes (Pushpin cancelled it silently).
    clock.advance(14999);
    assert.equal(streams[0].closed, false);
    clock.advance(1);
    assert.equal(streams[0].closed, true, "3 × 5 s of silence: dead");
    assert.equal(window.document.querySelector("#discussion").dataset.liveState, "closed");
    assert.equal(streams.length, 1, "not at once: back-off with jitter first");
    clock.advance(500);
    assert.equal(streams.length, 2);
    assert.match(streams[1].url, /after=t7%3A4/, "resumes after the last event it applied");
    assert.match(streams[1].url, /since=1700000100/);
  });

  test("a connection that never opens is given up as well, backing off each time", () => {
    window = pageWith(PAGE);
    const clock = stoppedClock(window);
    const streams = withStreams(window);
    window.Math.random = () => 0;
    run(window, "live.js");
    // Before any hello the interval is the default, 15 s: 45 s of silence.
    clock.advance(45000);
    assert.equal(streams[0].closed, true);
    clock.advance(500);
    assert.equal(streams.length, 2);
    clock.advance(45000);
    assert.equal(streams[1].closed, true);
    clock.advance(999);
    assert.equal(streams.length, 2, "the second wait is longer (ceiling 2 s)");
    clock.advance(1);
    assert.equal(streams.length, 3);
  });

  test("gives up after three refusals (204: idle discussion or live updates off)", () => {
    window = pageWith(PAGE);
    const clock = stoppedClock(window);
    const streams = withStreams(window);
    run(window, "live.js");
    for (let n = 0; n < 5; n++) {
      if (!streams.at(-1).closed) streams.at(-1).fail(true); // a closed one fires nothing
      clock.advance(60000);
    }
    assert.equal(streams.length, 3);
    assert.equal(window.document.querySelector("#discussion").dataset.liveState, "closed");
  });
});

describe("new comments", () => {
  test("are offered in a bubble and announced, never inserted into the text unasked", () => {
    window = pageWith(PAGE);
    const streams = withStreams(window);
    run(window, "live.js");
    streams[0].open();
    const posted = (id) => ({ ch: "t7", seq: id, data: { comment_id: id, count: id, fragment: `/f/${id}/` } });
    streams[0].send("comment.posted", posted(2));
    streams[0].send("comment.posted", posted(3));
    streams[0].send("comment.posted", posted(3)); // a replay after a reconnect: once only

    const button = window.document.querySelector(".live-bubble button");
    assert.equal(button.textContent, "2 new comments — show");
    assert.equal(window.document.querySelector("#discussion-count").textContent, "3");
    assert.equal(window.document.querySelectorAll("article.comment").length, 1);
  });
});
