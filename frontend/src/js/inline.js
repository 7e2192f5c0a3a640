// Inline feedback (docs/inline-feedback.md). Without JS a marker links to the form with
// the passage preselected. Offsets count normalised text (whitespace collapsed).
(function () {
  "use strict";

  // Words in the page's language: the catalogue script (/jsi18n/<language>.js, Django's
  // JavaScriptCatalog, same origin) runs before this file on pages not in English;
  // without it, the English written here.
  function gettext(text) { return window.django ? window.django.gettext(text) : text; }
  function ngettext(one, many, n) { return window.django ? window.django.ngettext(one, many, n) : (n === 1 ? one : many); }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); }); }

  function norm(text) { return text.replace(/\s+/g, " ").trim(); }

  function panelOf(marker) { return document.getElementById("inline-panel-" + marker.dataset.inlineBlock); }

  // The comments API's address for comment 0, from the page (reverse() on the server).
  var config = document.querySelector("script[data-comment-url]");
  function commentUrl(id) { return config ? config.dataset.commentUrl.replace(/0$/, String(id)) : null; }

  function okOrThrow(r) { if (!r.ok) throw new Error("HTTP " + r.status); return r; }

  function loadPanel(marker, focus) {
    var panel = panelOf(marker);
    return fetch(marker.dataset.inlinePanel, { headers: { "HX-Request": "true" } })
      .then(okOrThrow)
      .then(function (r) { return r.text(); })
      .catch(function () {
        // Nothing typed is in a panel that did not load; the marker still links to the form.
        var note = document.createElement("p");
        note.className = "form-error";
        note.setAttribute("role", "alert");
        note.textContent = gettext("The comments on this passage could not be loaded. Close and open it again to retry.");
        var close = document.createElement("button");
        close.type = "button";
        close.className = "button button--link";
        close.setAttribute("data-inline-close", "");
        close.textContent = gettext("Close");
        panel.replaceChildren(note, close);
        if (focus) panel.focus();
        return null;
      })
      .then(function (html) {
        if (html === null) return;
        panel.innerHTML = html;
        if (window.htmx) window.htmx.process(panel);
        var inner = panel.querySelector("[data-inline-count]");
        if (inner) {
          var n = inner.dataset.inlineCount;
          marker.querySelector(".inline-marker__count").textContent = n;
          marker.setAttribute("aria-label", interpolate(ngettext("Discuss this passage: %(count)s comment", "Discuss this passage: %(count)s comments", Number(n)), { count: n }));
        }
        if (focus) panel.focus();
      });
  }

  function openPanel(marker) {
    marker.setAttribute("aria-expanded", "true");
    panelOf(marker).hidden = false;
    return loadPanel(marker, true);
  }

  function closePanel(marker) {
    marker.setAttribute("aria-expanded", "false");
    panelOf(marker).hidden = true;
    marker.focus();
  }

  document.querySelectorAll("[data-inline-panel]").forEach(function (marker) {
    marker.setAttribute("role", "button");
    marker.setAttribute("aria-expanded", "false");
    marker.setAttribute("aria-controls", "inline-panel-" + marker.dataset.inlineBlock);
    marker.addEventListener("click", function (e) {
      e.preventDefault();
      if (marker.getAttribute("aria-expanded") === "true") closePanel(marker); else openPanel(marker);
    });
    marker.addEventListener("keydown", function (e) { if (e.key === " ") { e.preventDefault(); marker.click(); } });
    var panel = panelOf(marker);
    panel.addEventListener("click", function (e) {
      if (e.target.closest("[data-inline-close]")) closePanel(marker);
    });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") closePanel(marker); });
  });

  // Posted from a panel: reload it (list, count, fresh form).
  document.addEventListener("discussion:posted", function (e) {
    var panel = e.target.closest && e.target.closest(".inline-panel");
    if (!panel) return;
    var marker = document.getElementById("marker-" + panel.id.replace("inline-panel-", ""));
    if (marker) window.setTimeout(function () { loadPanel(marker, true); }, 0);
  });

  function textRoot(block) { return block.querySelector("[data-anchor-text]") || block; }

  // Normalised text of a block, with each character's [node, offset].
  function textMap(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var chars = [], map = [], space = true, node;
    while ((node = walker.nextNode())) {
      if (node.parentNode.closest(".inline-point, .inline-panel, .inline-quote-button")) continue;
      for (var i = 0; i < node.data.length; i++) {
        var c = node.data[i];
        if (/\s/.test(c)) { if (space) continue; c = " "; space = true; } else { space = false; }
        chars.push(c); map.push([node, i]);
      }
    }
    if (chars[chars.length - 1] === " ") { chars.pop(); map.pop(); }
    return { text: chars.join(""), map: map };
  }

  function offsetOf(map, node, offset) {
    for (var i = 0; i < map.length; i++) {
      var m = map[i];
      if (m[0] === node ? m[1] >= offset : node.compareDocumentPosition(m[0]) & Node.DOCUMENT_POSITION_FOLLOWING) return i;
    }
    return map.length;
  }

  // "Quote & comment": one control, shown only while a passage of the article body is
  // selected. It sits right after the selected block in the document, so Tab reaches it
  // from the passage (keyboard readers select with caret browsing or Shift+arrows).
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button inline-quote-button";
  button.textContent = gettext("Quote & comment");
  button.hidden = true;
  var chosen = null;

  function selectionAnchor() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0), start = range.startContainer;
    var block = (start.nodeType === 1 ? start : start.parentNode).closest(".article__body [data-block-id]");
    if (!block || !block.contains(range.endContainer)) return null;
    var m = textMap(textRoot(block));
    var from = offsetOf(m.map, range.startContainer, range.startOffset);
    var to = offsetOf(m.map, range.endContainer, range.endOffset);
    var quote = norm(m.text.slice(from, to));
    if (!quote || quote.length > 1000) return null;
    while (m.text[from] === " ") from++;
    return { block: block.dataset.blockId, element: block, quote: quote, start: from, end: from + quote.length, range: range };
  }

  function hideButton() {
    if (button.hidden) return;
    button.hidden = true;
  }

  function showButton(anchor) {
    if (button.previousSibling !== anchor.element) anchor.element.after(button);
    button.hidden = false;
    // Absolute position below the selection, measured from the box the button sits in.
    var rect = anchor.range.getBoundingClientRect();
    var parent = button.offsetParent;
    var base = parent && parent !== document.body ? parent.getBoundingClientRect() : { top: -window.scrollY, left: -window.scrollX };
    button.style.top = (rect.bottom - base.top + 6) + "px";
    button.style.left = (Math.max(rect.left, 8) - base.left) + "px";
  }

  document.addEventListener("selectionchange", function () {
    if (!document.getElementById("comment-form")) return;
    chosen = selectionAnchor();
    if (chosen) showButton(chosen); else hideButton();
  });

  // Keyboard: Tab from a selected passage goes to the control; Escape dismisses it.
  document.addEventListener("keydown", function (event) {
    if (button.hidden) return;
    if (event.key === "Escape") {
      hideButton();
    } else if (event.key === "Tab" && !event.shiftKey && document.activeElement !== button) {
      var active = document.activeElement;
      // Only from the passage or what holds it (main, body), never from a form field.
      if (active && !active.contains(chosen.element) && !chosen.element.contains(active)) return;
      event.preventDefault();
      button.focus();
    }
  });

  function setField(form, name, value) {
    var input = form.querySelector('input[name="' + name + '"]');
    if (!input) { input = document.createElement("input"); input.type = "hidden"; input.name = name; form.appendChild(input); }
    input.value = value;
  }

  button.addEventListener("click", function () {
    var form = document.getElementById("comment-form");
    if (!chosen || !form) return;
    setField(form, "anchor_kind", "quote");
    setField(form, "anchor_block_id", chosen.block);
    setField(form, "anchor_quote", chosen.quote);
    setField(form, "anchor_start", String(chosen.start));
    setField(form, "anchor_end", String(chosen.end));
    var shown = form.querySelector(".comment-form__anchor");
    if (!shown) {
      shown = document.createElement("figure");
      shown.className = "comment-form__anchor";
      shown.innerHTML = '<blockquote class="comment__quote" dir="auto"></blockquote><figcaption>Your comment quotes this sentence</figcaption>';
      form.querySelector("h3").after(shown);
    }
    shown.querySelector("blockquote").textContent = chosen.quote;
    hideButton();
    var area = form.querySelector("textarea");
    area.scrollIntoView({ block: "center" });
    area.focus();
  });

  // #quote-<id>: highlight the quoted sentence.
  function highlight(anchor, id) {
    var block = document.querySelector('.article__body [data-block-id="' + anchor.block_id + '"]');
    if (!block) return;
    var m = textMap(textRoot(block));
    var quote = norm(anchor.quote), from = anchor.start;
    if (from == null || m.text.slice(from, from + quote.length) !== quote) from = m.text.indexOf(quote);
    if (from < 0) { block.classList.add("inline-quote-block"); block.scrollIntoView({ block: "center" }); return; }
    var first = null, pieces = m.map.slice(from, from + quote.length), byNode = new Map();
    pieces.forEach(function (p) {
      var r = byNode.get(p[0]) || [p[1], p[1]];
      r[1] = p[1] + 1; byNode.set(p[0], r);
    });
    byNode.forEach(function (r, node) {
      var range = document.createRange();
      range.setStart(node, r[0]); range.setEnd(node, r[1]);
      var mark = document.createElement("mark");
      mark.className = "inline-quote-mark";
      range.surroundContents(mark);
      if (!first) first = mark;
    });
    if (first) {
      first.id = "quote-" + id;
      first.tabIndex = -1;
      first.scrollIntoView({ block: "center" });
      first.focus({ preventScroll: true });
    }
  }

  function arrive() {
    var match = /^#quote-(\d+)$/.exec(window.location.hash);
    if (!match || document.getElementById("quote-" + match[1])) return;
    var url = commentUrl(match[1]);
    if (!url) return;
    fetch(url)
      .then(okOrThrow)
      .then(function (r) { return r.json(); })
      .then(function (c) { if (c && c.anchor_block_id) highlight({ block_id: c.anchor_block_id, quote: c.anchor_quote, start: c.anchor_start }, match[1]); })
      // The highlight is a courtesy: without it the comment's link still leads to the passage.
      .catch(function () {});
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", arrive);
  else arrive();
  window.addEventListener("hashchange", arrive);

  // For the unit tests (frontend/tests), which run this file in a DOM of their own.
  window.broadsheetInline = { loadPanel: loadPanel, commentUrl: commentUrl };
})();
