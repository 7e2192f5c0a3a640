/* Broadsheet embed widget: makes the server-rendered discussion interactive on another
   site's page (or in the iframe page): sorting, paging, replying, posting as a guest,
   voting, reporting and signing in, through the REST API and /embed/ endpoints with an
   identity token instead of cookies. Loaded by embed.js. Budget with the loader: 15 KB
   gzipped (tested). Docs: docs/embedding.md. */
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
  function t(key, english, values) {
    var holder = box.querySelector("[data-strings]");
    var found = english;
    try { found = JSON.parse(holder.getAttribute("data-strings"))[key] || english; } catch { /* English */ }
    return found.replace(/%\((\w+)\)s/g, function (all, name) { return String((values || {})[name]); });
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
    box.querySelectorAll('button[formaction*="/preview/"]').forEach(function (btn) { btn.hidden = true; });
    /* Editing needs our own page and its cookies: not offered in the embed (yet). */
    box.querySelectorAll('.comment__action[href*="/edit/"]').forEach(function (a) { a.hidden = true; });
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
        if (S.onUpdate) S.onUpdate(box);
      });
  }
  S.refresh = function () { return load(S.params); };
  /* Live updates hook: when the realtime app's stream lands, the embed subscribes to the
     thread's events and calls BroadsheetEmbed.refresh() (or shows "N new comments"). */

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

  box.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-bs-signin]")) return signIn();
    var a = e.target.closest && e.target.closest("a");
    if (!a || !box.contains(a)) return;
    var href = a.getAttribute("href") || "";
    var m = href.match(/\/moderation\/report\/(\d+)\//);
    if (href.charAt(0) === "?") {
      e.preventDefault();
      var p = paramsOf(href);
      load(p, p.reply_to ? "reply-slot-" + p.reply_to : "discussion");
    } else if (m) {
      e.preventDefault();
      openReport(m[1]);
    } else if ((m = href.match(/\/discussion\/c\/(\d+)\/delete\//))) {
      e.preventDefault();
      if (!confirm(t("confirmDelete", "Delete this comment? This cannot be undone."))) return;
      request("/api/v1/comments/" + m[1], { method: "DELETE" }).then(function (r) {
        if (!r.ok) return failure(r);
        announce(t("deleted", "Comment deleted."));
        return load(S.params);
      }).catch(function (error) { announce(error.message); });
    } else if (/\/accounts\/login\//.test(href)) {
      e.preventDefault();
      signIn();
    }
  });

  box.addEventListener("submit", function (e) {
    var form = e.target, action = form.getAttribute("action") || "";
    var m = action.match(/\/moderation\/report\/(\d+)\//), done;
    if (/\/discussion\/t\/\d+\/post\//.test(action)) done = post(form);
    else if (/\/discussion\/c\/\d+\/vote\//.test(action)) done = vote(form, e.submitter);
    else if (m) done = report(form, m[1]);
    else return;
    e.preventDefault();
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (btn) { btn.disabled = true; });
    done.catch(function (error) { showError(form, error.message); })
      .then(function () { buttons.forEach(function (btn) { btn.disabled = false; }); });
  });

  tidy();
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
