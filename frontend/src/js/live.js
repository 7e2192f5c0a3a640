// Live discussion: new comments, scores and counts as they happen (Server-Sent Events).
// Loaded, deferred, only where a discussion section carries data-live-url; without this
// file the page is complete as served. New comments never move the text being read: a
// bubble fixed to the viewport offers them, and they are inserted when the reader asks.
// Everything it needs comes from data attributes: data-live-url (the same for every
// reader, so cached pages work) and data-live-since (when the page was rendered).
(function () {
  "use strict";

  // Words in the page's language: the catalogue script (/jsi18n/<language>.js, Django's
  // JavaScriptCatalog, same origin) runs before this file on pages not in English;
  // without it, the English written here.
  function gettext(text) { return window.django ? window.django.gettext(text) : text; }
  function ngettext(one, many, n) { return window.django ? window.django.ngettext(one, many, n) : (n === 1 ? one : many); }
  function npgettext(context, one, many, n) { return window.django ? window.django.npgettext(context, one, many, n) : (n === 1 ? one : many); }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); }); }

  var MAX_DELAY = 30000;
  var FIRST_DELAY = 1000;
  var HIDDEN_GRACE = 10000;
  var MAX_REFUSALS = 3;
  // A stream can die without closing (a proxy overloaded, a network that drops it): the
  // server sends a keepalive event every interval (the hello says how long), and a stream
  // silent for this many intervals is given up and resumed elsewhere.
  var SILENT_INTERVALS = 3;

  var section = document.querySelector("[data-live-url]");
  if (!section || !window.EventSource || !window.fetch) return;

  var baseUrl = section.getAttribute("data-live-url");
  var since = section.getAttribute("data-live-since") || "";
  var cursor = {};           // channel -> last sequence number received
  var pending = [];          // new comments offered in the bubble, oldest first
  var source = null;
  var attempts = 0;
  var refusals = 0;
  var retryTimer = null;
  var hiddenTimer = null;
  var watchdogTimer = null;
  var keepalive = 15000;     // ms; the server's interval, from its hello
  var bubble = null;
  var mustRefetch = false;

  // --- small helpers -------------------------------------------------------------------
  function byId(id) { return document.getElementById(id); }

  function comment(id) { return byId("comment-" + id); }

  function announce(text) {
    var status = byId("discussion-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  // Made on first use (an event), not as the page loads: a page's first Intl formatter
  // loads its locale's data, a long task on a slow phone.
  var numbers;
  function number(n) {
    if (numbers === undefined) numbers = window.Intl ? new Intl.NumberFormat(document.documentElement.lang || "en") : null;
    return numbers ? numbers.format(n) : String(n);
  }
  function newComments(n) { return interpolate(ngettext("%(count)s new comment", "%(count)s new comments", n), { count: number(n) }); }

  function streamUrl() {
    var after = Object.keys(cursor).map(function (ch) { return ch + ":" + cursor[ch]; });
    var params = [];
    if (after.length) params.push("after=" + encodeURIComponent(after.join(",")));
    if (since) params.push("since=" + encodeURIComponent(since));
    return baseUrl + (params.length ? (baseUrl.indexOf("?") < 0 ? "?" : "&") + params.join("&") : "");
  }

  function fetchFragment(url) {
    return window.fetch(url, {
      credentials: "same-origin",
      headers: { "HX-Request": "true" }
    }).then(function (response) {
      if (!response.ok) throw new Error("fragment " + response.status);
      return response.text();
    });
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    return template.content.firstElementChild;
  }

  function activate(element) {
    // htmx wires hx-* attributes of inserted HTML only when told to.
    if (window.htmx && window.htmx.process) window.htmx.process(element);
  }

  // --- the bubble: fixed to the viewport, so nothing under the reader moves ------------
  function ensureBubble() {
    if (bubble) return bubble;
    bubble = document.createElement("div");
    bubble.className = "live-bubble";
    bubble.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "live-bubble__button";
    button.addEventListener("click", onBubbleClick);
    bubble.appendChild(button);
    section.appendChild(bubble);
    return bubble;
  }

  function showBubble() {
    var box = ensureBubble();
    var button = box.firstChild;
    if (mustRefetch) {
      button.textContent = gettext("The discussion has changed — reload");
    } else if (pending.length) {
      button.textContent = interpolate(gettext("%(comments)s — show"), { comments: newComments(pending.length) });
    } else {
      box.hidden = true;
      return;
    }
    var wasHidden = box.hidden;
    box.hidden = false;
    if (wasHidden || mustRefetch) {
      announce(mustRefetch ? gettext("The discussion has changed.") : newComments(pending.length) + ".");
    } else {
      announce(newComments(pending.length) + ".");
    }
  }

  function onBubbleClick() {
    if (mustRefetch) {
      window.location.reload();
      return;
    }
    var batch = pending.splice(0, pending.length);
    bubble.hidden = true;
    Promise.all(batch.map(function (item) {
      return fetchFragment(item.fragment).then(function (html) { return { item: item, html: html }; },
        function () { return null; });
    })).then(function (results) {
      var inserted = [];
      results.forEach(function (result) {
        if (!result || comment(result.item.comment_id)) return;
        var element = insertComment(result.item, result.html);
        if (element) inserted.push(element);
      });
      if (!inserted.length) {
        announce(gettext("The new comments are on another page of this discussion."));
        return;
      }
      var empty = byId("discussion-empty");
      if (empty) empty.remove();
      var first = inserted[0];
      first.setAttribute("tabindex", "-1");
      first.focus({ preventScroll: true });
      first.scrollIntoView({ block: "start" });
      announce(interpolate(ngettext("%(count)s new comment shown.", "%(count)s new comments shown.", inserted.length), { count: number(inserted.length) }));
    });
  }

  function newestFirst() {
    var current = section.querySelector(".discussion__sort a[aria-current]");
    return !current || !/oldest/i.test(current.textContent);
  }

  function insertComment(item, html) {
    var element = parse(html);
    if (!element) return null;
    if (item.parent_id) {
      var parent = comment(item.parent_id);
      var thread = parent && parent.closest(".comment-thread");
      if (!thread) return null;
      var replies = thread.querySelector(".comment-replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "comment-replies";
        var more = thread.querySelector(".comment-thread__more");
        thread.insertBefore(replies, more);
      }
      replies.appendChild(element);
    } else {
      var list = byId("discussion-comments");
      if (!list) return null;
      var item_ = document.createElement("li");
      item_.className = "comment-thread";
      item_.appendChild(element);
      if (newestFirst()) list.insertBefore(item_, list.firstChild);
      else list.appendChild(item_);
    }
    activate(element);
    return element;
  }

  // --- what each event does --------------------------------------------------------------
  function setCount(count) {
    var counter = byId("discussion-count");
    if (!counter || typeof count !== "number") return;
    counter.textContent = number(count);
    var word = counter.nextSibling;
    if (word && word.nodeType === 3) word.textContent = " " + npgettext("count of comments", "Comment", "Comments", count);
  }

  function replaceComment(id, url) {
    var current = comment(id);
    if (!current || current.contains(document.activeElement)) return;
    fetchFragment(url).then(function (html) {
      var fresh = parse(html);
      var now = comment(id);
      if (fresh && now && !now.contains(document.activeElement)) {
        now.replaceWith(fresh);
        activate(fresh);
      }
    }, function () { /* the page stays as it was */ });
  }

  var handlers = {
    "comment.posted": function (data) {
      setCount(data.count);
      var existing = comment(data.comment_id);
      if (existing) {
        // Ours (htmx put it there), or one that was held and is now approved.
        if (existing.classList.contains("comment--pending") && !data.held) replaceComment(data.comment_id, data.fragment);
        return;
      }
      if (data.held) return;
      for (var i = 0; i < pending.length; i++) if (pending[i].comment_id === data.comment_id) return;
      pending.push(data);
      showBubble();
    },
    "comment.approved": function (data) { handlers["comment.posted"](data); },
    "comment.edited": function (data) { replaceComment(data.comment_id, data.fragment); },
    "comment.featured": function (data) { replaceComment(data.comment_id, data.fragment); },
    "comment.deleted": removed,
    "comment.hidden": removed,
    "comment.score": function (data) {
      var element = comment(data.comment_id);
      var score = element && element.querySelector("[data-score]");
      if (!score) return;
      score.textContent = String(data.score);
      if (score.parentNode) score.parentNode.title = interpolate(gettext("%(up)s up, %(down)s down"), { up: data.upvotes, down: data.downvotes });
    },
    "article.reactions": function (data) {
      var points = document.querySelector("#reactions [data-points]");
      if (points) points.textContent = number(data.up - data.down);
      var detail = document.querySelector("#reactions .reactions__detail");
      if (detail) detail.textContent = interpolate(gettext("%(up)s up · %(down)s down"), { up: number(data.up), down: number(data.down) });
    },
    "thread.closed": function () { setClosed(true); },
    "thread.reopened": function () { setClosed(false); },
    // The server's clock at connection: channels with no event yet resume from there.
    "hello": function (data) {
      if (typeof data.at === "number") since = String(data.at);
      if (typeof data.keepalive === "number" && data.keepalive > 0) {
        keepalive = data.keepalive * 1000;
        feedWatchdog();
      }
    },
    "keepalive": function () { /* it arrived: that was all it had to do */ },
    "refetch": function () {
      mustRefetch = true;
      showBubble();
    }
  };

  function removed(data) {
    setCount(data.count);
    pending = pending.filter(function (item) { return item.comment_id !== data.comment_id; });
    showBubble();
    var element = comment(data.comment_id);
    if (!element || element.classList.contains("comment--deleted")) return;
    // Same place, same line: the text becomes the placeholder, nothing shifts far.
    element.classList.add("comment--deleted");
    var body = element.querySelector(".comment__body");
    if (body) {
      body.className = "comment__body comment__body--deleted";
      body.textContent = gettext("[deleted]");
    }
    var actions = element.querySelector(".comment__actions");
    if (actions) actions.remove();
  }

  function setClosed(closed) {
    section.querySelectorAll(".comment-form textarea, .comment-form button[type=submit]").forEach(function (field) {
      field.disabled = closed;
    });
    announce(closed ? gettext("Comments are closed.") : gettext("Comments are open again."));
  }

  // --- the connection ----------------------------------------------------------------------
  function feedWatchdog() {
    window.clearTimeout(watchdogTimer);
    watchdogTimer = window.setTimeout(onSilence, SILENT_INTERVALS * keepalive);
  }

  function onSilence() {
    // Nothing, not even a keepalive: the stream is dead though it never closed.
    disconnect();
    scheduleReconnect();
  }

  function onEvent(event) {
    feedWatchdog();
    var payload;
    try { payload = JSON.parse(event.data); } catch { return; }
    if (!payload || payload.v !== 1) return;  // a version this script does not know
    if (payload.ch && typeof payload.seq === "number") {
      // Published events carry their channel's sequence number (control events do not).
      if (cursor[payload.ch] && payload.seq <= cursor[payload.ch]) return;  // already applied
      cursor[payload.ch] = payload.seq;
    }
    var handler = handlers[payload.type];
    if (handler) handler(payload.data || {});
  }

  function connect() {
    if (source || document.hidden) return;
    var opened = false;
    source = new window.EventSource(streamUrl());
    feedWatchdog();  // a connection that hangs before it opens is dead too
    Object.keys(handlers).forEach(function (type) { source.addEventListener(type, onEvent); });
    source.addEventListener("open", function () {
      feedWatchdog();
      section.setAttribute("data-live-state", "open");
      opened = true;
      attempts = 0;
      refusals = 0;
    });
    source.addEventListener("error", function () {
      var refused = !opened && source.readyState === window.EventSource.CLOSED;
      disconnect();
      // 204 (idle or switched off) or an error page: stop after a few refusals.
      if (refused && ++refusals >= MAX_REFUSALS) return;
      scheduleReconnect();
    });
  }

  function disconnect() {
    window.clearTimeout(watchdogTimer);
    section.setAttribute("data-live-state", "closed");
    if (source) {
      source.close();
      source = null;
    }
  }

  function scheduleReconnect() {
    window.clearTimeout(retryTimer);
    // Exponential back-off with full jitter: a restarted server is not hit by every
    // reader at the same instant.
    var ceiling = Math.min(MAX_DELAY, FIRST_DELAY * Math.pow(2, attempts));
    attempts += 1;
    retryTimer = window.setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  }

  // A tab in the background holds no connection; back in front, it resumes from the cursor.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      hiddenTimer = window.setTimeout(function () {
        window.clearTimeout(retryTimer);
        disconnect();
      }, HIDDEN_GRACE);
    } else {
      window.clearTimeout(hiddenTimer);
      if (!source) {
        attempts = 0;
        connect();
      }
    }
  });

  window.addEventListener("pagehide", disconnect);
  connect();
})();
