// broadsheet.js: the CSRF header for htmx (cookie named by the page) and failed requests
// said in place, with the reader's text untouched.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { pageWith, run } from "./dom.mjs";

const PAGE = `<script src="/static/js/broadsheet.js" data-csrf-cookie="newsroom_csrf"></script>
  <form id="comment-form"><textarea name="body"></textarea>
  <div class="comment-form__buttons"><button type="submit">Post comment</button></div></form>`;

let window;
afterEach(async () => { await window.happyDOM.close(); });

function fire(target, name, detail) {
  target.dispatchEvent(new window.CustomEvent(name, { bubbles: true, detail }));
  return detail;
}

test("htmx requests carry the token from the cookie the page names", () => {
  window = pageWith(PAGE);
  window.document.cookie = "csrftoken=not-this-one";
  window.document.cookie = "newsroom_csrf=abc%3D123";
  run(window, "broadsheet.js");
  const detail = fire(window.document.body, "htmx:configRequest", { headers: {} });
  assert.equal(detail.headers["X-CSRFToken"], "abc=123");
});

test("no header when the page names no cookie", () => {
  window = pageWith(PAGE.replace(' data-csrf-cookie="newsroom_csrf"', ""));
  window.document.cookie = "csrftoken=abc";
  run(window, "broadsheet.js");
  const detail = fire(window.document.body, "htmx:configRequest", { headers: {} });
  assert.equal(detail.headers["X-CSRFToken"], undefined);
});

test("a post that cannot be sent is said in the form, the text kept", () => {
  window = pageWith(PAGE);
  run(window, "broadsheet.js");
  const form = window.document.querySelector("form");
  form.querySelector("textarea").value = "Words I typed";
  fire(form, "htmx:sendError", { elt: form, xhr: { status: 0 } });
  const alert = form.querySelector("[role=alert]");
  assert.match(alert.textContent, /could not be sent: there is no connection to the server\. What you typed is still here/);
  assert.equal(alert.nextElementSibling.className, "comment-form__buttons", "shown just above the buttons");
  assert.equal(form.querySelector("textarea").value, "Words I typed");

  // A server error replaces the message rather than adding another; a new try clears it.
  fire(form, "htmx:responseError", { elt: form, xhr: { status: 502 } });
  assert.equal(form.querySelectorAll("[role=alert]").length, 1);
  assert.match(form.querySelector("[role=alert]").textContent, /error \(502\)/);
  fire(form, "htmx:beforeRequest", { elt: form });
  assert.equal(form.querySelector("[role=alert]"), null);
});

test("4xx answers are swapped in only when the server or the asking element says so", () => {
  window = pageWith(PAGE + '<form data-swap-errors id="report"><button>Send report</button></form>');
  run(window, "broadsheet.js");
  const xhr = (status, reswap) => ({ status, getResponseHeader: (name) => (name === "HX-Reswap" ? reswap : null) });
  const plain = window.document.getElementById("comment-form");
  const report = window.document.getElementById("report");
  const swap = (elt, status, reswap = null) =>
    fire(plain, "htmx:beforeSwap", { xhr: xhr(status, reswap), requestConfig: { elt }, shouldSwap: false, isError: true });
  assert.equal(swap(plain, 409).shouldSwap, false);
  assert.equal(swap(plain, 409, "outerHTML").shouldSwap, true);
  assert.equal(swap(report, 409).shouldSwap, true);
  assert.equal(swap(report, 500).shouldSwap, false, "server errors are not messages for the reader");
});
