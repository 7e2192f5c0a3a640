// inline.js: a passage's panel that cannot be loaded says so (a real request each time:
// to a closed port, and to a server that answers with an error); the API address comes
// from the page.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { afterEach, test } from "node:test";
import { pageWith, run } from "./dom.mjs";

const page = (panelUrl) => `<script src="/static/js/inline.js" data-comment-url="/news/api/v1/comments/0"></script>
  <div class="article__body"><div data-block-id="b1"><p>The council will raise the dikes.</p>
  <p class="inline-point"><a class="inline-marker" id="marker-b1" href="?anchor=b1#comment-form" data-inline-panel="${panelUrl}" data-inline-block="b1"><span class="inline-marker__count">2</span></a></p>
  <div class="inline-panel" id="inline-panel-b1" tabindex="-1" hidden></div></div></div>`;

let window;
afterEach(async () => { await window.happyDOM.close(); });

test("the comments API address is the one the page gives", () => {
  window = pageWith(page("/panel/"));
  run(window, "inline.js");
  assert.equal(window.broadsheetInline.commentUrl(4107), "/news/api/v1/comments/4107");
});

test("a panel that cannot be reached says so", async () => {
  window = pageWith(page("http://127.0.0.1:9/panel/"));
  run(window, "inline.js");
  const marker = window.document.getElementById("marker-b1");
  await window.broadsheetInline.loadPanel(marker, false);
  const panel = window.document.getElementById("inline-panel-b1");
  assert.match(panel.querySelector("[role=alert]").textContent, /could not be loaded/);
  assert.equal(marker.querySelector(".inline-marker__count").textContent, "2", "the count is left as it was");
});

test("a panel answered with an error says so, and shows none of the error page", async (t) => {
  const server = createServer((request, response) => { response.writeHead(500, { "Content-Type": "text/html" }); response.end("<h1>Server Error (500)</h1>"); });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const origin = `http://127.0.0.1:${server.address().port}`;
  window = pageWith(page(`${origin}/panel/`), { url: `${origin}/article/` });
  run(window, "inline.js");
  await window.broadsheetInline.loadPanel(window.document.getElementById("marker-b1"), false);
  const panel = window.document.getElementById("inline-panel-b1");
  assert.match(panel.textContent, /could not be loaded/);
  assert.doesNotMatch(panel.textContent, /Server Error/);
});
