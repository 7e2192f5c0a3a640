// The embed widget's live stream: a stream that dies without closing is noticed by the
// keep-alive watchdog and resumed from the cursor, as in live.js.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { pageWith, run, stoppedClock } from "./dom.mjs";

const PAGE = `<div id="broadsheet-thread" data-site="s1" data-url="https://news.example/a/">
  <section data-live-url="/live/t/7/" data-live-since="1700000000">
    <ol id="discussion-comments"></ol></section></div>`;

let window;
afterEach(async () => { await window.happyDOM.close(); });

test("the widget gives up a stream silent for three keep-alive intervals and resumes it", () => {
  window = pageWith(PAGE);
  const clock = stoppedClock(window);
  const streams = [];
  window.EventSource = class {
    constructor(url) { this.url = url; this.listeners = {}; this.readyState = 0; streams.push(this); }
    addEventListener(type, listener) { (this.listeners[type] ||= []).push(listener); }
    close() { this.closed = true; this.readyState = 2; }
    send(type, payload) {
      for (const listener of this.listeners[type] || []) listener({ data: JSON.stringify({ v: 1, type, ...payload }) });
    }
  };
  window.fetch = () => new Promise(() => {});  // nothing else the widget asks for matters here
  window.Math.random = () => 0;
  run(window, "../embed/widget.js");
  assert.equal(streams.length, 1);
  streams[0].onopen();
  streams[0].send("hello", { data: { at: 1700000100, keepalive: 5 } });
  streams[0].send("comment.score", { ch: "t7", seq: 4, data: { comment_id: 9, score: 1 } });
  clock.advance(5000);
  streams[0].send("keepalive", { data: {} });
  clock.advance(14999);
  assert.equal(streams[0].closed, undefined, "a keep-alive 15 s ago: alive");
  clock.advance(1);
  assert.equal(streams[0].closed, true, "3 × 5 s of silence: dead");
  clock.advance(500);
  assert.equal(streams.length, 2);
  const resumed = new URL(streams[1].url);
  assert.equal(resumed.searchParams.get("after"), "t7:4");
  assert.equal(resumed.searchParams.get("since"), "1700000100");
});
