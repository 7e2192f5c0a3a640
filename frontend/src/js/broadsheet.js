// Broadsheet's own enhancements. Every page works without this file; it only makes
// things quicker (htmx does the in-place updates declared in the HTML).
(function () {
  "use strict";

  // htmx needs the CSRF token for non-GET requests; forms carry it as a hidden field,
  // which htmx already sends. Buttons outside forms read it from the cookie.
  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // Answers with 4xx carry a message fragment meant for the reader: swap them in too.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500 && event.detail.xhr.getResponseHeader("HX-Reswap")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
