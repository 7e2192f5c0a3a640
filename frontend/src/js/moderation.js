// Keyboard shortcuts for the moderation queue (Wagtail admin): j/k move between
// comments, a approve, r reject, s spam, f feature/unfeature, x select for bulk actions.
// Every action is an ordinary form button, so the queue works without this file.
(function () {
  "use strict";
  var queue = document.querySelector("[data-moderation-queue]");
  if (!queue) return;
  var items = Array.prototype.slice.call(queue.querySelectorAll(".mod-item"));
  var current = -1;

  function focus(index) {
    if (!items.length) return;
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) { item.classList.toggle("is-current", i === current); });
    items[current].focus();
    items[current].scrollIntoView({ block: "nearest" });
  }

  function press(key) {
    if (current < 0) return false;
    var button = items[current].querySelector('button[data-key="' + key + '"]');
    if (!button) return false;
    button.click();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var key = event.key;
    if (key === "j") focus(current + 1);
    else if (key === "k") focus(current - 1);
    else if (key === "x" && current >= 0) {
      var box = items[current].querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    } else if ("arsf".indexOf(key) !== -1 && key.length === 1) {
      if (!press(key)) return;
    } else return;
    event.preventDefault();
  });
})();
