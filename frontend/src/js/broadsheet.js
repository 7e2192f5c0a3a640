// Broadsheet's own enhancements. Every page works without this file; it only makes
// things quicker (htmx does the in-place updates declared in the HTML).
(function () {
  "use strict";

  // Words in the page's language: the catalogue script (/jsi18n/<language>.js, Django's
  // JavaScriptCatalog, same origin) runs before this file on pages not in English;
  // without it, the English written here.
  function gettext(text) { return window.django ? window.django.gettext(text) : text; }
  function interpolate(text, values) { return text.replace(/%\((\w+)\)s/g, function (all, name) { return String(values[name]); }); }

  // htmx needs the CSRF token for non-GET requests; forms carry it as a hidden field,
  // which htmx already sends. Buttons outside forms read it from the cookie, whose name
  // the page gives (settings.CSRF_COOKIE_NAME on this script's data-csrf-cookie).
  var config = document.querySelector("script[data-csrf-cookie]");
  var cookieName = config ? config.dataset.csrfCookie : "";

  function csrfToken() {
    if (!cookieName) return "";
    var prefix = cookieName + "=";
    var found = document.cookie.split("; ").filter(function (pair) { return pair.indexOf(prefix) === 0; })[0];
    return found ? decodeURIComponent(found.slice(prefix.length)) : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers["X-CSRFToken"] = token;
    }
  });

  // Answers with 4xx carry a message fragment meant for the reader: swap them in too.
  // The server says so with HX-Reswap, or the element that asked with data-swap-errors.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var declared = event.detail.xhr.getResponseHeader("HX-Reswap") || event.detail.requestConfig.elt.closest("[data-swap-errors]");
    if (status >= 400 && status < 500 && declared) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A request that failed (no connection, or a server error with nothing for the reader)
  // is said where it was made; the form is left as it was, so nothing typed is lost.
  function failureText(detail) {
    var form = detail.elt.closest ? detail.elt.closest("form") : null;
    var kept = form && form.querySelector("textarea, input[type=text]") ? " " + gettext("What you typed is still here.") : "";
    var why = detail.xhr && detail.xhr.status
      ? interpolate(gettext("This could not be sent: the server answered with an error (%(status)s)."), { status: detail.xhr.status })
      : gettext("This could not be sent: there is no connection to the server.");
    return why + kept + " " + gettext("Please try again.");
  }

  function showFailure(elt, text) {
    var form = elt.closest("form");
    var box = (form || elt.parentNode).querySelector("[data-request-error]");
    if (!box) {
      box = document.createElement(form ? "p" : "span");
      box.className = "form-error request-error";
      box.setAttribute("role", "alert");
      box.setAttribute("data-request-error", "");
      var submit = form && form.querySelector("[type=submit]");
      var row = submit && submit.parentNode !== form ? submit.parentNode : null;
      if (row) row.before(box); else if (form) form.append(box); else elt.after(box);
    }
    box.textContent = text;
  }

  function clearFailure(elt) {
    var holder = elt.closest("form") || elt.parentNode;
    var box = holder && holder.querySelector("[data-request-error]");
    if (box) box.remove();
  }

  document.addEventListener("htmx:sendError", function (event) { showFailure(event.detail.elt, failureText(event.detail)); });
  document.addEventListener("htmx:responseError", function (event) { showFailure(event.detail.elt, failureText(event.detail)); });
  document.addEventListener("htmx:beforeRequest", function (event) { clearFailure(event.detail.elt); });
})();
