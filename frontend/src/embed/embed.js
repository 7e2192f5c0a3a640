/* Broadsheet embed loader: <div id="broadsheet-thread"></div>
   <script src="https://comments.example/static/embed/embed.js" data-site="KEY" async></script>
   Shows the server-rendered discussion (fetched by CORS, no cookies) and loads widget.js
   to make it interactive. Docs: docs/embedding.md. Budget: 3 KB gzipped (tested). */
(function () {
  "use strict";
  var me = document.currentScript;
  var box = document.getElementById("broadsheet-thread");
  if (!me || !box || box.getAttribute("data-bs-started")) return;
  box.setAttribute("data-bs-started", "1");
  var dir = me.src.replace(/[^/]*$/, "");
  var base = dir.replace(/\/static\/.*$/, "");
  var d = box.dataset;
  var canonical = document.querySelector('link[rel="canonical"]');
  var state = {
    base: base,
    dir: dir,
    site: me.getAttribute("data-site") || d.site,
    url: d.url || (canonical && canonical.href) || location.href.split("#")[0],
    title: d.title || document.title,
    id: d.pageId || "",
    box: box,
    token: null
  };
  try {
    state.token = localStorage.getItem("broadsheet:" + state.site);
  } catch { /* storage blocked: a fresh guest identity per visit */ }
  window.BroadsheetEmbed = state;

  /* No layout shift: the space is held before the discussion arrives. */
  box.classList.add("bs-embed");
  if (!box.style.minHeight) box.style.minHeight = d.minHeight || "24rem";

  /* Light or dark from the host: the first opaque background up the tree. */
  function dark(el) {
    for (; el && el.nodeType === 1; el = el.parentNode) {
      var m = getComputedStyle(el).backgroundColor.match(/[\d.]+/g);
      if (m && (m.length < 4 || +m[3] > 0.5)) return 0.299 * m[0] + 0.587 * m[1] + 0.114 * m[2] < 128;
    }
    return matchMedia("(prefers-color-scheme: dark)").matches;
  }
  if (!d.theme) box.setAttribute("data-theme", dark(box) ? "dark" : "light");

  if (!document.querySelector("link[data-bs-css]")) {
    [dir + "../css/discussion.css", dir + "embed.css"].forEach(function (href) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = href;
      css.setAttribute("data-bs-css", "");
      document.head.appendChild(css);
    });
  }

  state.query = function (extra) {
    var q = new URLSearchParams({ site: state.site, url: state.url, title: state.title });
    if (state.id) q.set("id", state.id);
    for (var k in extra || {}) if (extra[k] != null) q.set(k, extra[k]);
    return q.toString();
  };

  if ((me.getAttribute("data-mode") || d.mode) === "iframe") {
    var frame = document.createElement("iframe");
    frame.src = base + "/embed/frame?" + state.query();
    frame.title = "Discussion";
    frame.style.cssText = "width:100%;border:0;height:" + box.style.minHeight;
    box.appendChild(frame);
    addEventListener("message", function (e) {
      if (e.origin === new URL(base).origin && e.source === frame.contentWindow && e.data && e.data.broadsheetHeight) {
        frame.style.height = e.data.broadsheetHeight + "px";
      }
    });
    return;
  }

  /* Until widget.js has arrived, a click on a link or button of the discussion (or a
     submitted form) waits for it instead of leaving the host's page; widget.js replays
     what was held once it listens (S.held). */
  state.held = [];
  function hold(e) {
    if (state.ready) return;
    var t = e.type === "submit" ? e.target : e.target.closest && e.target.closest("a[href], button");
    if (!t) return;
    e.preventDefault();
    state.held.push(t);
  }
  box.addEventListener("click", hold);
  box.addEventListener("submit", hold);

  function widget() {
    var s = document.createElement("script");
    s.src = dir + "widget.js";
    s.async = true;
    document.head.appendChild(s);
  }

  /* A server-side include already put the discussion here: enhance it as it is. */
  if (box.querySelector(".bs-thread") && !state.token) return widget();

  /* Permalinks to a comment and chosen sorts travel in the host page's address. */
  var here = new URLSearchParams(location.search), asked = {};
  ["sort", "cpage", "comment"].forEach(function (k) { if (here.get(k)) asked[k] = here.get(k); });
  var headers = state.token ? { "X-Broadsheet-Reader": state.token } : {};
  fetch(base + "/embed/thread?" + state.query(asked), { credentials: "omit", headers: headers })
    .then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    })
    .then(function (html) {
      box.innerHTML = html;
      box.style.minHeight = "";
      widget();
      if (asked.comment) {
        var c = document.getElementById("comment-" + asked.comment);
        if (c) c.scrollIntoView();
      }
    })
    .catch(function () {
      box.textContent = "The discussion could not be loaded.";
    });
})();
