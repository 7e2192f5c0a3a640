/* The iframe page (/embed/frame): tells the host page how tall the discussion is, so the
   iframe grows with it (auto-resize), to the host's origin only. */
(function () {
  "use strict";
  var box = document.getElementById("broadsheet-thread");
  var parentOrigin = box && box.getAttribute("data-parent-origin");
  if (!box || !parentOrigin || window.parent === window) return;
  function tell() {
    window.parent.postMessage({ broadsheetHeight: Math.ceil(document.documentElement.scrollHeight) }, parentOrigin);
  }
  new ResizeObserver(tell).observe(document.body);
  tell();
})();
