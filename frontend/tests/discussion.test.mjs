// discussion.js: drafts (saved, restored, expired, never resurrected by a post) and the
// relative times that stay true while a page is open.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { pageWith, run, stoppedClock, type } from "./dom.mjs";

const FORM = `<section id="discussion">
  <form id="comment-form"><textarea name="body" data-discussion-draft="7-comment-form"></textarea>
  <button type="submit">Post comment</button></form>
  <ol id="discussion-comments"></ol></section>`;
const KEY = "bs-draft:7-comment-form";
const DAY = 864e5;

let window;
afterEach(async () => { await window.happyDOM.close(); });

describe("drafts", () => {
  test("what a reader types is saved 400 ms after the last key", () => {
    window = pageWith(FORM);
    const clock = stoppedClock(window);
    run(window, "discussion.js");
    const area = window.document.querySelector("textarea");
    type(window, area, "Half a thought");
    clock.advance(399);
    assert.equal(window.localStorage.getItem(KEY), null);
    clock.advance(1);
    assert.equal(JSON.parse(window.localStorage.getItem(KEY)).v, "Half a thought");
    type(window, area, "   ");
    clock.advance(400);
    assert.equal(window.localStorage.getItem(KEY), null, "an emptied box leaves no draft");
  });

  test("a draft comes back on the next visit, unless it is over 7 days old", () => {
    const fresh = JSON.stringify({ t: Date.now() - DAY, v: "Yesterday's words" });
    window = pageWith(FORM, { storage: { [KEY]: fresh } });
    run(window, "discussion.js");
    assert.equal(window.document.querySelector("textarea").value, "Yesterday's words");
    window.happyDOM.close();

    const stale = JSON.stringify({ t: Date.now() - 8 * DAY, v: "Last month's words" });
    window = pageWith(FORM, { storage: { [KEY]: stale } });
    run(window, "discussion.js");
    assert.equal(window.document.querySelector("textarea").value, "");
  });

  test("a draft never overwrites what the server put back in the box", () => {
    const saved = JSON.stringify({ t: Date.now(), v: "Older draft" });
    window = pageWith(FORM.replace("></textarea>", ">Server kept this</textarea>"), { storage: { [KEY]: saved } });
    run(window, "discussion.js");
    assert.equal(window.document.querySelector("textarea").value, "Server kept this");
  });

  test("posting before the autosave fires leaves no draft behind (issue 14, point 8)", () => {
    window = pageWith(FORM);
    const clock = stoppedClock(window);
    run(window, "discussion.js");
    const form = window.document.querySelector("form");
    type(window, form.querySelector("textarea"), "Posted at once");
    // Sending saves what is sent (kept if the post fails) and cancels the pending save...
    form.dispatchEvent(new window.Event("submit", { bubbles: true, cancelable: true }));
    assert.equal(JSON.parse(window.localStorage.getItem(KEY)).v, "Posted at once");
    assert.equal(clock.pending(), 0);
    // ...and the server's "posted" answer clears it; nothing runs later to bring it back.
    form.dispatchEvent(new window.CustomEvent("discussion:posted", { bubbles: true, detail: { id: 1 } }));
    clock.advance(5000);
    assert.equal(window.localStorage.getItem(KEY), null);
  });

  test("a post that fails keeps the draft", () => {
    window = pageWith(FORM);
    stoppedClock(window);
    run(window, "discussion.js");
    const form = window.document.querySelector("form");
    type(window, form.querySelector("textarea"), "Not sent yet");
    form.dispatchEvent(new window.Event("submit", { bubbles: true, cancelable: true }));
    assert.equal(JSON.parse(window.localStorage.getItem(KEY)).v, "Not sent yet");
  });
});

describe("relative times", () => {
  const NOW = Date.parse("2026-12-03T12:00:00Z");
  const page = (iso, words) => `<section id="discussion"><a class="comment__permalink"><time datetime="${iso}">${words}</time></a></section>`;

  test("words for the last day, in the page's language", () => {
    window = pageWith(page("2026-12-03T12:00:00Z", ""));
    run(window, "discussion.js");
    const { relativeTime } = window.broadsheetDiscussion;
    assert.equal(relativeTime(-10e3), "just now");
    assert.equal(relativeTime(-5 * 6e4), "5 minutes ago");
    assert.equal(relativeTime(-6e4), "1 minute ago");
    assert.equal(relativeTime(-3 * 36e5), "3 hours ago");
    assert.equal(relativeTime(-DAY), "yesterday");
    assert.equal(relativeTime(-DAY - 1), null, "older times keep the server's words");
    assert.equal(relativeTime(NaN), null);
  });

  test("the times on the page are refreshed, older ones left alone", () => {
    window = pageWith(page("2026-12-03T11:40:00Z", "now") + page("2026-11-20T09:00:00Z", "20 Nov 2026"));
    run(window, "discussion.js");
    window.broadsheetDiscussion.refreshTimes(NOW);
    const words = [...window.document.querySelectorAll("time")].map((time) => time.textContent);
    assert.deepEqual(words, ["20 minutes ago", "20 Nov 2026"]);
  });
});

describe("words in the page's language", () => {
  // What /jsi18n/ar.js defines (Django's JavaScriptCatalog), reduced to two entries.
  const catalogue = (window) => {
    const words = { "just now": "الآن", "Your comment was posted.": "نُشر تعليقك." };
    window.django = { gettext: (text) => words[text] || text, ngettext: (one, many, n) => (n === 1 ? one : many) };
  };

  test("relative times and announcements are Arabic on an Arabic page", () => {
    window = pageWith(`<html lang="ar" dir="rtl"><body><section id="discussion"><p id="discussion-status"></p><article id="comment-4"></article></section></body></html>`);
    const clock = stoppedClock(window);
    catalogue(window);
    run(window, "discussion.js");
    const { relativeTime } = window.broadsheetDiscussion;
    assert.equal(relativeTime(-10e3), "الآن");
    assert.equal(relativeTime(-3 * 36e5), new Intl.RelativeTimeFormat("ar", { numeric: "auto" }).format(-3, "hour"));
    assert.notEqual(relativeTime(-3 * 36e5), "3 hours ago");
    window.document.body.dispatchEvent(new window.CustomEvent("discussion:posted", { bubbles: true, detail: { id: 4 } }));
    clock.advance(100); // the focus and announcement wait for htmx's swap...
    clock.advance(100); // ...and the announcement for the status box to be emptied
    assert.equal(window.document.getElementById("discussion-status").textContent, "نُشر تعليقك.");
  });

  test("without the catalogue, the English the script is written in", () => {
    window = pageWith(`<section id="discussion"></section>`);
    run(window, "discussion.js");
    assert.equal(window.broadsheetDiscussion.relativeTime(-10e3), "just now");
  });
});
