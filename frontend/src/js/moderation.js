// The moderation queue (Wagtail admin): keyboard shortcuts, actions in place and the
// confirmation dialog. j/k move between comments, a approve, r reject, s spam, d dismiss
// reports, f feature/unfeature, b ban or suspend, x select for bulk actions.
// Every action is an ordinary form button, so the queue works without this file; with
// it, htmx posts the button and swaps the changed cards in place (out of band), so the
// list and the keyboard position stay where they were. Confirmations (ban or suspend,
// close a discussion) come back into the <dialog>.
(function () {
  "use strict";
  var queue = document.querySelector("[data-moderation-queue]");
  if (!queue) return;
  var dialog = document.getElementById("mod-dialog");
  var currentId = null;

  function items() {
    return Array.prototype.slice.call(queue.querySelectorAll(".mod-item"));
  }

  function indexOfCurrent(list) {
    for (var i = 0; i < list.length; i++) {
      if (list[i].id === currentId) return i;
    }
    return -1;
  }

  function show(item, focus) {
    items().forEach(function (other) { other.classList.toggle("is-current", other === item); });
    if (!item) return;
    currentId = item.id;
    if (focus) item.focus();
    item.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var index = indexOfCurrent(list);
    index = index < 0 ? (step > 0 ? 0 : list.length - 1) : index + step;
    show(list[Math.max(0, Math.min(list.length - 1, index))], true);
  }

  function current() {
    return currentId ? document.getElementById(currentId) : null;
  }

  function press(key) {
    var item = current();
    var button = item && item.querySelector('button[data-key="' + key + '"]');
    if (!button) return false;
    button.click();
    return true;
  }

  function dialogOpen() {
    return Boolean(dialog && dialog.open);
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || dialogOpen()) return;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var key = event.key;
    if (key === "j") move(1);
    else if (key === "k") move(-1);
    else if (key === "x" && current()) {
      var box = current().querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    } else if (key.length === 1 && "arsdfb".indexOf(key) !== -1) {
      if (!press(key)) return;
    } else return;
    event.preventDefault();
  });

  // A click on a card makes it the current one, as j/k would.
  queue.addEventListener("click", function (event) {
    var item = event.target.closest && event.target.closest(".mod-item");
    if (item) show(item, false);
  });

  // A card swapped in place (htmx settles the server's attributes last): the current
  // one stays current, and takes the focus back if the swap took it away.
  document.body.addEventListener("htmx:afterSettle", function () {
    var item = current();
    if (!item) return;
    var lost = !document.activeElement || document.activeElement === document.body;
    show(item, lost && !dialogOpen());
  });

  if (!dialog) return;

  // A confirmation answered: into the dialog. A refused one (no reason) is a 400 that
  // carries the form again with its message: swap it in too.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && xhr.getResponseHeader("HX-Retarget") === "#mod-dialog-body") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "mod-dialog-body") {
      if (!dialog.open) dialog.showModal();
      var field = dialog.querySelector("[aria-invalid], input[name=reason], select, button");
      if (field) field.focus();
    }
  });

  function closeDialog() {
    if (dialog.open) dialog.close();
    document.getElementById("mod-dialog-body").innerHTML = "";
    var item = current();
    if (item) item.focus();
  }

  // The server says an action was done (HX-Trigger: moderation-done).
  document.body.addEventListener("moderation-done", closeDialog);

  dialog.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-dialog-close]");
    if (cancel) {
      event.preventDefault();
      closeDialog();
    }
  });
  dialog.addEventListener("cancel", function () {
    setTimeout(closeDialog, 0);
  });
})();
