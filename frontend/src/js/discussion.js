// Discussion enhancements. Everything works without this file (htmx does the in-place
// updates declared in the HTML); this only manages focus, announcements and drafts.
(function () {
  "use strict";

  // Words in the page's language: the catalogue script (/jsi18n/<language>.js, Django's
  // JavaScriptCatalog, same origin) runs before this file on pages not in English;
  // without it, the English written here.
  function gettext(text) { return window.django ? window.django.gettext(text) : text; }
  function ngettext(one, many, n) { return window.django ? window.django.ngettext(one, many, n) : (n === 1 ? one : many); }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); }); }

  var DRAFT_PREFIX = "bs-draft:";
  var DRAFT_DAYS = 7;
  var SAVE_DELAY = 400;

  function section() {
    return document.getElementById("discussion");
  }

  function announce(text) {
    var status = document.getElementById("discussion-status");
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = text; }, 50);
    }
  }

  function focusElement(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|TEXTAREA|SELECT)$/.test(element.tagName)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    element.scrollIntoView({ block: "nearest" });
  }

  // --- drafts: what a reader types survives a crash, a reload or a lost connection ----
  function storage() {
    try { return window.localStorage; } catch { return null; }
  }

  function restoreDrafts(root) {
    var store = storage();
    if (!store) return;
    root.querySelectorAll("textarea[data-discussion-draft]").forEach(function (area) {
      var raw = store.getItem(DRAFT_PREFIX + area.dataset.discussionDraft);
      if (!raw || area.value) return;
      try {
        var draft = JSON.parse(raw);
        if (Date.now() - draft.t < DRAFT_DAYS * 864e5) area.value = draft.v;
      } catch { /* an unreadable draft is dropped below */ }
    });
  }

  function draftKey(area) { return DRAFT_PREFIX + area.dataset.discussionDraft; }

  function saveDraft(area) {
    var store = storage();
    if (!store) return;
    if (area.value.trim()) store.setItem(draftKey(area), JSON.stringify({ t: Date.now(), v: area.value }));
    else store.removeItem(draftKey(area));
  }

  // One pending save per box, so that posting one form cancels exactly its own.
  var pending = new Map();

  function cancelSave(area) {
    window.clearTimeout(pending.get(area));
    pending.delete(area);
  }

  function draftArea(form) {
    return form && form.querySelector ? form.querySelector("textarea[data-discussion-draft]") : null;
  }

  function clearDraft(form) {
    var store = storage();
    var area = draftArea(form);
    if (!area) return;
    cancelSave(area);
    if (store) store.removeItem(draftKey(area));
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("textarea[data-discussion-draft]")) return;
    cancelSave(area);
    pending.set(area, window.setTimeout(function () {
      pending.delete(area);
      saveDraft(area);
    }, SAVE_DELAY));
  });

  // Sending: the text is saved now (kept if the post fails) and no save is left pending
  // to run after the post succeeded, which would bring the posted text back as a draft.
  document.addEventListener("submit", function (event) {
    var area = draftArea(event.target);
    if (!area) return;
    cancelSave(area);
    saveDraft(area);
  }, true);

  // --- htmx answers ------------------------------------------------------------------
  // The server names the new comment in an HX-Trigger header (fired before the swap).
  document.addEventListener("discussion:posted", function (event) {
    clearDraft(event.target.closest ? event.target.closest("form") : null);
    var id = event.detail && event.detail.id;
    window.setTimeout(function () {
      focusElement(document.getElementById("comment-" + id));
      announce(gettext("Your comment was posted."));
    }, 60);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !section() || !section().contains(target)) return;
    restoreDrafts(target.parentNode || target);
    // An inline reply or edit form was opened: put the cursor in it.
    if (target.classList.contains("comment__slot") || target.classList.contains("comment--editing")) {
      var area = target.querySelector("textarea");
      if (area) focusElement(area);
    }
  });

  // "Load more": tell screen readers, and move focus to the first new comment.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "discussion-comments" && event.detail.xhr.status < 400) {
      event.detail.target.dataset.discussionCount = String(event.detail.target.children.length);
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var list = event.detail.target;
    if (!list || list.id !== "discussion-comments" || list.dataset.discussionCount === undefined) return;
    var before = parseInt(list.dataset.discussionCount, 10);
    delete list.dataset.discussionCount;
    var added = list.children.length - before;
    if (added > 0) {
      announce(interpolate(ngettext("%(count)s more comment loaded.", "%(count)s more comments loaded.", added), { count: added }));
      focusElement(list.children[before].querySelector("article"));
    }
  });

  // "Cancel" on an inline reply form: close it and go back to the Reply link.
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-discussion-cancel]");
    if (!cancel) return;
    var slot = cancel.closest(".comment__slot");
    if (!slot) return;
    event.preventDefault();
    var article = slot.closest("article");
    slot.innerHTML = "";
    focusElement(article && article.querySelector("[data-discussion-reply]"));
  });

  // --- relative times ("3 minutes ago") stay true while the page is open ---------------
  var UNITS = [["year", 31536e6], ["month", 2592e6], ["week", 6048e5], ["day", 864e5], ["hour", 36e5], ["minute", 6e4]];
  // Made on first use, not as the page loads: a page's first Intl formatter loads its
  // locale's data, a long task on a slow phone, and the first refresh is a minute away.
  var format;
  function relativeFormat() {
    if (format === undefined) {
      format = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "auto" }) : null;
    }
    return format;
  }

  // The words for a time `elapsed` ms from now (negative: in the past), or null for times
  // over a day old, which keep the server's words.
  function relativeTime(elapsed) {
    if (isNaN(elapsed) || -elapsed > 864e5 || !relativeFormat()) return null;
    for (var i = 0; i < UNITS.length; i++) {
      if (Math.abs(elapsed) >= UNITS[i][1] || UNITS[i][0] === "minute") {
        var value = Math.round(elapsed / UNITS[i][1]);
        return value === 0 ? gettext("just now") : format.format(value, UNITS[i][0]);
      }
    }
    return null;
  }

  function refreshTimes(now) {
    if (!section()) return;
    now = now === undefined ? Date.now() : now;
    section().querySelectorAll(".comment__permalink time[datetime]").forEach(function (time) {
      var words = relativeTime(Date.parse(time.getAttribute("datetime")) - now);
      if (words) time.textContent = words;
    });
  }

  function start() {
    var root = section();
    if (!root) return;
    restoreDrafts(root);
    window.setInterval(function () { refreshTimes(); }, 60000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  // For the unit tests (frontend/tests), which run this file in a DOM of their own.
  window.broadsheetDiscussion = { relativeTime: relativeTime, refreshTimes: refreshTimes, restoreDrafts: restoreDrafts };
})();
