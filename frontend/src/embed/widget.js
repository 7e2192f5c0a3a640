/* Broadsheet embed widget: makes the server-rendered discussion interactive on another
   site's page (or in the iframe page): sorting, "Load more" in place, replying, posting
   as a guest, editing, voting, reporting, "Notify of", signing in and live updates,
   through the REST API and /embed/ endpoints with an identity token instead of cookies.
   Loaded by embed.js. Budget with the loader: 15 KB gzipped (tested).
   Docs: docs/embedding.md. */
(function () {
  "use strict";
  var S = window.BroadsheetEmbed;
  if (!S) {
    /* The iframe page: no loader ran; the container says what it shows. */
    var b = document.getElementById("broadsheet-thread");
    if (!b) return;
    S = window.BroadsheetEmbed = {
      base: location.origin, site: b.dataset.site, url: b.dataset.url, title: b.dataset.title,
      id: b.dataset.pageId, box: b, token: null
    };
    try { S.token = localStorage.getItem("broadsheet:" + S.site); } catch { /* blocked */ }
    S.query = function (extra) {
      var q = new URLSearchParams({ site: S.site, url: S.url, title: S.title || "" });
      if (S.id) q.set("id", S.id);
      for (var k in extra || {}) if (extra[k] != null) q.set(k, extra[k]);
      return q.toString();
    };
  }
  var box = S.box;
  var HEADER = "X-Broadsheet-Reader";

  /* Its own words come with the fragment, in the fragment's language (data-strings);
     the English here until one has loaded. */
  function strings() {
    var holder = box.querySelector("[data-strings]");
    try { return JSON.parse(holder.getAttribute("data-strings")) || {}; } catch { return {}; }
  }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return String((values || {})[name]); });
  }
  function t(key, english, values) {
    var found = strings()[key];
    return fill(typeof found === "string" ? found : english, values);
  }
  /* A counted phrase: the fragment gives its forms for a few sample numbers (one in each
     plural category); the form of the sample in the count's category is the one. */
  function tn(key, one, many, n) {
    var all = strings(), forms = all[key], lang = all.lang || "en", text = n === 1 ? one : many;
    var shown = window.Intl ? new Intl.NumberFormat(lang).format(n) : String(n);
    if (forms && typeof forms === "object" && window.Intl && Intl.PluralRules) {
      var rules = new Intl.PluralRules(lang), category = rules.select(n);
      var sample = Object.keys(forms).filter(function (s) { return rules.select(Number(s)) === category; })[0];
      if (sample !== undefined) text = forms[sample];
    }
    return fill(text, { count: shown });
  }
  S.params = S.params || {};

  function request(path, opts) {
    opts = opts || {};
    var headers = opts.headers || {};
    if (S.token) headers[HEADER] = S.token;
    return fetch(S.base + path, {
      method: opts.method || "GET", credentials: "omit", headers: headers, body: opts.body
    });
  }

  function remember(token) {
    S.token = token;
    try { localStorage.setItem("broadsheet:" + S.site, token); } catch { /* in memory only */ }
  }

  /* A guest identity, asked for on the first write (not on reading). */
  function identity() {
    if (S.token) return Promise.resolve(S.token);
    return request("/embed/reader?site=" + encodeURIComponent(S.site), { method: "POST" })
      .then(function (r) { return r.json(); })
      .then(function (data) { remember(data.token); return data.token; });
  }

  function announce(text) {
    var live = box.querySelector("[data-bs-live]");
    if (!live) {
      live = document.createElement("p");
      live.setAttribute("data-bs-live", "");
      live.setAttribute("aria-live", "polite");
      live.className = "bs-visually-hidden";
      box.appendChild(live);
    }
    live.textContent = text;
  }

  function tidy() {
    /* Previews post to a cookie-protected page of ours: not from another site. */
    box.querySelectorAll('button[formaction*="/preview/"], button[name="preview"]').forEach(function (btn) { btn.hidden = true; });
    var guestFields = box.querySelector(".comment-form__guest");
    if (guestFields && !box.querySelector("[data-bs-signin]")) {
      var p = document.createElement("p");
      p.className = "bs-signin";
      var signIn = document.createElement("button");
      signIn.type = "button";
      signIn.className = "button--link";
      signIn.setAttribute("data-bs-signin", "");
      signIn.textContent = t("signIn", "Sign in");
      p.append(signIn, " " + t("orGuest", "or comment as a guest:"));
      guestFields.parentNode.insertBefore(p, guestFields);
    }
  }

  /* Fetch the fragment again with `params` (sort, cpage, comment, reply_to, view). */
  function load(params, focus) {
    S.params = params || {};
    return request("/embed/thread?" + S.query(S.params))
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        tidy();
        var target = focus && document.getElementById(focus);
        if (target) {
          target.scrollIntoView({ block: "nearest" });
          var field = target.querySelector("textarea");
          if (field) field.focus();
        }
        listen();
        bubble();
        if (S.onUpdate) S.onUpdate(box);
      });
  }
  S.refresh = function () { return load(S.params); };

  function fragment(path) {
    return request(path + (path.indexOf("?") < 0 ? "?" : "&") + "site=" + encodeURIComponent(S.site))
      .then(function (r) { return r.text().then(function (html) { return { ok: r.ok, html: html }; }); });
  }

  function parse(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content;
  }

  function comment(id) { return document.getElementById("comment-" + id); }

  /* Put a comment's fresh HTML (or its edit form) where it is. */
  function swap(id, html) {
    var el = comment(id), fresh = parse(html).firstElementChild;
    if (!el || !fresh) return null;
    el.replaceWith(fresh);
    tidy();
    return fresh;
  }

  /* "Load more comments": the next page is appended in place, nothing above it moves. */
  function more(link) {
    var p = paramsOf(link.getAttribute("href"));
    link.setAttribute("aria-disabled", "true");
    return request("/embed/thread?" + S.query(p))
      .then(function (r) {
        if (!r.ok) throw new Error(t("moreFailed", "The next comments could not be loaded."));
        return r.text();
      })
      .then(function (html) {
        var page = parse(html), list = box.querySelector("#discussion-comments");
        var items = page.querySelector("#discussion-comments"), next = page.querySelector("#discussion-more");
        var first = items && items.firstElementChild;
        while (items && items.firstChild) list.appendChild(items.firstChild);
        box.querySelector("#discussion-more").replaceWith(next || document.createElement("div"));
        tidy();
        var shown = first && first.querySelector("article");
        if (shown) {
          shown.tabIndex = -1;
          shown.focus({ preventScroll: true });
        }
        announce(t("moreShown", "More comments shown."));
      }, function (error) {
        link.removeAttribute("aria-disabled");
        announce(error.message);
      });
  }

  function paramsOf(href) {
    var out = {};
    new URLSearchParams(href.replace(/^\?/, "").split("#")[0]).forEach(function (v, k) { out[k] = v; });
    return out;
  }

  function fields(form) {
    var out = {};
    new FormData(form).forEach(function (v, k) { out[k] = v; });
    return out;
  }

  function showError(form, message) {
    var p = form.querySelector("[data-bs-error]");
    if (!p) {
      p = document.createElement("p");
      p.className = "form-error";
      p.setAttribute("role", "alert");
      p.setAttribute("data-bs-error", "");
      form.insertBefore(p, form.firstChild);
    }
    p.textContent = message;
  }

  function failure(r) {
    return r.json().then(function (data) {
      throw new Error((data.error && data.error.message) || t("failed", "Something went wrong."));
    }, function () { throw new Error(t("failedStatus", "Something went wrong (%(status)s).", { status: r.status })); });
  }

  function threadKey() {
    var t = box.querySelector(".bs-thread");
    return t && t.getAttribute("data-thread-key");
  }

  function post(form) {
    var f = fields(form);
    var body = { body: f.body || "", name: f.name || "", email: f.email || "", website: f.website || "" };
    if (f.parent) body.parent_id = +f.parent;
    return identity().then(function () {
      return request("/api/v1/threads/" + encodeURIComponent(threadKey()) + "/comments", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      });
    }).then(function (r) {
      if (!r.ok) return failure(r);
      return r.json().then(function (c) {
        announce(c.status === "pending" ? t("pending", "Your comment awaits moderation.") : t("posted", "Your comment was posted."));
        return load({ sort: S.params.sort, comment: c.id }, "comment-" + c.id);
      });
    });
  }

  /* "View all N replies": the thread with all its replies, in place. */
  function allReplies(link, id) {
    link.setAttribute("aria-disabled", "true");
    return fragment("/embed/replies/" + id).then(function (a) {
      var thread = link.closest(".comment-thread"), fresh = a.ok && parse(a.html).firstElementChild;
      if (!thread || !fresh) throw new Error(t("repliesFailed", "The replies could not be loaded."));
      thread.replaceWith(fresh);
      tidy();
      var first = fresh.querySelector(".comment-replies article");
      if (first) { first.tabIndex = -1; first.focus({ preventScroll: true }); }
      announce(t("repliesShown", "All replies shown."));
    }).catch(function (error) {
      link.removeAttribute("aria-disabled");
      announce(error.message);
    });
  }

  function openEdit(id) {
    return fragment("/embed/edit/" + id).then(function (a) {
      var form = swap(id, a.html), field = form && form.querySelector("textarea");
      if (field) field.focus();
    });
  }

  function restore(id) {
    return fragment("/embed/comment/" + id).then(function (a) { if (a.ok) swap(id, a.html); });
  }

  function saveEdit(form, id) {
    return request("/api/v1/comments/" + id, {
      method: "PATCH", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ body: fields(form).body || "" })
    }).then(function (r) {
      if (!r.ok) return failure(r);
      return restore(id).then(function () {
        var saved = comment(id);
        if (saved) { saved.tabIndex = -1; saved.focus(); }
        announce(t("saved", "Your comment was saved."));
      });
    });
  }

  /* "Notify of": the answer is the control again, with its message or error. */
  function subscribe(form, threadId) {
    return identity().then(function () {
      return request("/embed/subscribe/" + threadId + "?site=" + encodeURIComponent(S.site), {
        method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      });
    }).then(function (r) {
      return r.text().then(function (html) {
        var answer = parse(html).firstElementChild;
        if (!answer) throw new Error(t("failedStatus", "Something went wrong (%(status)s).", { status: r.status }));
        form.replaceWith(answer);
        var said = answer.querySelector("[role=status], [role=alert]");
        if (said) announce(said.textContent);
      });
    });
  }

  function vote(form, button) {
    var id = form.getAttribute("action").match(/\/c\/(\d+)\/vote/)[1];
    return identity().then(function () {
      return request("/api/v1/comments/" + id + "/vote", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ value: +button.value })
      });
    }).then(function (r) {
      if (!r.ok) return failure(r);
      return r.json().then(function (v) {
        form.querySelector("[data-score]").textContent = v.score;
        var up = form.querySelector(".vote--up"), down = form.querySelector(".vote--down");
        if (up) { up.setAttribute("aria-pressed", v.my_vote === 1); up.value = v.my_vote === 1 ? 0 : 1; }
        if (down) { down.setAttribute("aria-pressed", v.my_vote === -1); down.value = v.my_vote === -1 ? 0 : -1; }
        announce(t("score", "Score %(score)s", { score: v.score }));
      });
    });
  }

  function report(form, id) {
    return identity().then(function () {
      return request("/embed/report/" + id + "?site=" + encodeURIComponent(S.site), {
        method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      });
    }).then(function (r) {
      return r.text().then(function (html) { form.parentNode.outerHTML = html; });
    });
  }

  function openReport(id) {
    request("/embed/report/" + id + "?site=" + encodeURIComponent(S.site))
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var slot = document.getElementById("reply-slot-" + id);
        if (slot) slot.innerHTML = html;
      });
  }

  /* Signing in: a popup on our own site (first-party there, so its session works with
     third-party cookies blocked) hands back a short-lived token by postMessage. */
  function signIn() {
    var origin = new URL(S.base).origin;
    var popup = open(S.base + "/embed/signin?site=" + encodeURIComponent(S.site) +
      "&origin=" + encodeURIComponent(location.origin), "broadsheet-signin", "width=520,height=640");
    function receive(e) {
      if (e.origin !== origin || e.source !== popup || !e.data || !e.data.broadsheetToken) return;
      removeEventListener("message", receive);
      remember(e.data.broadsheetToken);
      popup.close();
      load(S.params);
    }
    addEventListener("message", receive);
  }
  S.signIn = signIn;

  function remove(id) {
    if (!confirm(t("confirmDelete", "Delete this comment? This cannot be undone."))) return;
    request("/api/v1/comments/" + id, { method: "DELETE" }).then(function (r) {
      if (!r.ok) return failure(r);
      announce(t("deleted", "Comment deleted."));
      return load(S.params);
    }).catch(function (error) { announce(error.message); });
  }

  box.addEventListener("click", function (e) {
    var target = e.target.closest ? e.target : e.target.parentNode;
    if (target.closest("[data-bs-signin]")) return signIn();
    if (target.closest("[data-bs-new]")) return showNew();
    var a = target.closest("a");
    if (!a || !box.contains(a)) return;
    var href = a.getAttribute("href") || "", m;
    function id(re) { return (m = href.match(re)); }
    if (a.hasAttribute("data-discussion-more")) {
      if (a.getAttribute("aria-disabled") !== "true") more(a);
    } else if (id(/\/discussion\/c\/(\d+)\/replies\/$/)) {
      if (a.getAttribute("aria-disabled") !== "true") allReplies(a, m[1]);
    } else if (id(/\/discussion\/c\/(\d+)\/edit\//)) openEdit(m[1]);
    else if (a.closest(".comment--editing") && id(/\/discussion\/c\/(\d+)\/$/)) restore(m[1]);
    else if (id(/\/moderation\/report\/(\d+)\//)) openReport(m[1]);
    else if (id(/\/discussion\/c\/(\d+)\/delete\//)) remove(m[1]);
    else if (/\/accounts\/login\//.test(href)) signIn();
    else if (href.charAt(0) === "?") {
      var p = paramsOf(href);
      load(p, p.reply_to ? "reply-slot-" + p.reply_to : "discussion");
    } else return;
    e.preventDefault();
  });

  box.addEventListener("submit", function (e) {
    var form = e.target, action = form.getAttribute("action") || "";
    var m, done;
    function id(re) { return (m = action.match(re)); }
    if (/\/discussion\/t\/\d+\/post\//.test(action)) done = post(form);
    else if (/\/discussion\/c\/\d+\/vote\//.test(action)) done = vote(form, e.submitter);
    else if (id(/\/discussion\/c\/(\d+)\/edit\//)) done = saveEdit(form, m[1]);
    else if (id(/\/moderation\/report\/(\d+)\//)) done = report(form, m[1]);
    else if (id(/\/notify\/t\/(\d+)\/subscribe\//)) done = subscribe(form, m[1]);
    else return;
    e.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (btn) { btn.disabled = true; });
    done.catch(function (error) { showError(form, error.message); })
      .then(function () { buttons.forEach(function (btn) { btn.disabled = false; }); });
  });

  /* Live updates: the thread's public stream (/live/, CORS for the site's origins).
     EventSource sends no credentials to another site, so no cookie either way; scores,
     counts and deletions change in place, new comments wait in a bubble until asked for
     (the text being read never moves), and a reader who missed too much may reload. */
  var live = { cursor: {}, pending: [], since: "", tries: 0, refused: 0 };

  function listen() {
    var section = box.querySelector("[data-live-url]");
    if (live.source || !section || !window.EventSource) return;
    live.since = live.since || section.getAttribute("data-live-since") || "";
    var url = new URL(section.getAttribute("data-live-url"), S.base), after = [], opened;
    for (var ch in live.cursor) after.push(ch + ":" + live.cursor[ch]);
    url.searchParams.set("site", S.site);
    if (after.length) url.searchParams.set("after", after.join(","));
    if (live.since) url.searchParams.set("since", live.since);
    var source = live.source = new EventSource(url.href);
    for (var type in on) source.addEventListener(type, heard);
    watch();
    source.onopen = function () {
      watch();
      opened = true;
      live.tries = live.refused = 0;
      box.setAttribute("data-live-state", "open");
    };
    source.onerror = function () {
      if (source.readyState !== 2) return; /* the browser reconnects by itself */
      drop();
      /* 204 (idle or switched off) or refused: a few tries, then never again. */
      if (!opened && ++live.refused >= 3) return;
      again();
    };
  }

  /* A stream can die without closing (an overloaded proxy keeps the socket and sends
     nothing): the server sends "keepalive" at the interval its hello names, and three
     silent intervals mean dead; the stream is resumed from the cursor. */
  function watch() {
    clearTimeout(live.watchdog);
    live.watchdog = setTimeout(function () { drop(); again(); }, 3 * (live.keepalive || 15000));
  }

  function drop() {
    clearTimeout(live.watchdog);
    if (live.source) live.source.close();
    live.source = null;
    box.setAttribute("data-live-state", "closed");
  }

  function again() {
    var wait = Math.min(30000, 1000 * Math.pow(2, live.tries++));
    setTimeout(listen, wait / 2 + Math.random() * wait / 2);
  }

  function heard(e) {
    watch();
    var p;
    try { p = JSON.parse(e.data); } catch { return; }
    if (!p || p.v !== 1) return;
    if (p.ch && typeof p.seq === "number") {
      if (live.cursor[p.ch] >= p.seq) return;
      live.cursor[p.ch] = p.seq;
    }
    if (on[p.type]) on[p.type](p.data || {});
  }

  function count(n) {
    var c = box.querySelector("#discussion-count"), word = c && c.nextSibling;
    if (!c || typeof n !== "number") return;
    c.textContent = n;
    if (word && word.nodeType === 3) word.textContent = n === 1 ? " Comment" : " Comments";
  }

  function fresh(id) {
    var el = comment(id);
    if (el && !el.contains(document.activeElement)) restore(id);
  }

  function gone(d) {
    count(d.count);
    live.pending = live.pending.filter(function (x) { return x.comment_id !== d.comment_id; });
    bubble();
    var el = comment(d.comment_id), body = el && el.querySelector(".comment__body");
    if (!el || el.classList.contains("comment--deleted")) return;
    el.classList.add("comment--deleted");
    if (body) {
      body.className = "comment__body comment__body--deleted";
      body.textContent = "[deleted]";
    }
    var actions = el.querySelector(".comment__actions");
    if (actions) actions.remove();
  }

  function closed(yes) {
    box.querySelectorAll(".comment-form textarea, .comment-form button[type=submit]").forEach(function (f) { f.disabled = yes; });
    announce(yes ? t("closed", "Comments are closed.") : t("reopened", "Comments are open again."));
  }

  var on = {
    hello: function (d) {
      if (typeof d.at === "number") live.since = String(d.at);
      if (d.keepalive > 0) { live.keepalive = d.keepalive * 1000; watch(); }
    },
    keepalive: function () { /* arriving was its purpose (see watch) */ },
    refetch: function () { live.stale = true; bubble(); },
    "comment.posted": function (d) {
      count(d.count);
      var el = comment(d.comment_id);
      if (el) {
        if (!d.held && el.classList.contains("comment--pending")) fresh(d.comment_id);
        return;
      }
      /* The stream replays a little before the render time (a clock margin): a comment
         made before the discussion shown was rendered is not news, even on another page. */
      var rendered = box.querySelector("[data-live-since]");
      if (rendered && Date.parse(d.created_at) / 1000 < +rendered.getAttribute("data-live-since")) return;
      if (d.held || live.pending.some(function (x) { return x.comment_id === d.comment_id; })) return;
      live.pending.push(d);
      bubble();
    },
    "comment.edited": function (d) { fresh(d.comment_id); },
    "comment.deleted": gone,
    "comment.hidden": gone,
    "comment.score": function (d) {
      var el = comment(d.comment_id), score = el && el.querySelector("[data-score]");
      if (score) score.textContent = d.score;
    },
    "thread.closed": function () { closed(true); },
    "thread.reopened": function () { closed(false); }
  };
  on["comment.approved"] = on["comment.posted"];
  on["comment.featured"] = on["comment.edited"];

  function bubble() {
    /* Those the page now shows (a reload, or the reader's own) are no longer news. */
    live.pending = live.pending.filter(function (x) { return !comment(x.comment_id); });
    var b = box.querySelector(".live-bubble"), n = live.pending.length;
    if (!b) {
      b = document.createElement("div");
      b.className = "live-bubble";
      b.innerHTML = '<button type="button" class="live-bubble__button" data-bs-new></button>';
      box.appendChild(b);
    }
    var news = live.stale ? t("changed", "The discussion has changed")
      : tn("new", "%(count)s new comment", "%(count)s new comments", n);
    var text = news + " — " + (live.stale ? t("reload", "reload") : t("show", "show"));
    b.hidden = !n && !live.stale;
    if (!b.hidden && b.firstChild.textContent !== text) {
      b.firstChild.textContent = text;
      announce(news + ".");
    }
  }

  function insert(d, html) {
    var el = parse(html).firstElementChild, list = box.querySelector("#discussion-comments");
    if (!el || comment(d.comment_id)) return null;
    if (d.parent_id) {
      var parent = comment(d.parent_id), thread = parent && parent.closest(".comment-thread");
      if (!thread) return null;
      var replies = thread.querySelector(".comment-replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "comment-replies";
        thread.insertBefore(replies, thread.querySelector(".comment-thread__more"));
      }
      replies.appendChild(el);
    } else if (list) {
      var item = document.createElement("li"), sort = box.querySelector(".discussion__sort a[aria-current]");
      item.className = "comment-thread";
      item.appendChild(el);
      if (sort && /oldest/i.test(sort.textContent)) list.appendChild(item);
      else list.insertBefore(item, list.firstChild);
    } else return null;
    return el;
  }

  function showNew() {
    if (live.stale) {
      live.stale = false;
      live.pending = [];
      return load(S.params);
    }
    var batch = live.pending.splice(0);
    bubble();
    Promise.all(batch.map(function (d) {
      return fragment("/embed/comment/" + d.comment_id).then(function (a) { return a.ok ? insert(d, a.html) : null; });
    })).then(function (added) {
      added = added.filter(Boolean);
      if (!added.length) return announce(t("elsewhere", "The new comments are on another page of this discussion."));
      var empty = box.querySelector("#discussion-empty");
      if (empty) empty.hidden = true;
      tidy();
      added[0].tabIndex = -1;
      added[0].focus({ preventScroll: true });
      added[0].scrollIntoView({ block: "nearest" });
      announce(tn("shown", "%(count)s new comment shown.", "%(count)s new comments shown.", added.length));
    });
  }

  tidy();
  listen();
  /* What the reader clicked while this file was on its way (held by embed.js). */
  S.ready = true;
  (S.held || []).splice(0).forEach(function (el) {
    if (!box.contains(el)) return;
    if (el.tagName === "FORM") el.requestSubmit(); else el.click();
  });
  /* Single sign-on: the host signed its user in with an HS256 JWT in data-sso. */
  var sso = box.getAttribute("data-sso");
  if (sso && !S.ssoDone) {
    S.ssoDone = true;
    request("/embed/sso?site=" + encodeURIComponent(S.site), {
      method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "token=" + encodeURIComponent(sso)
    }).then(function (r) { return r.json(); }).then(function (data) {
      if (data.token) { remember(data.token); load(S.params); }
    });
  } else if (S.token && !box.querySelector(".bs-thread")) load(S.params);
})();
