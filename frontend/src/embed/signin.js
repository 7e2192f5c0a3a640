/* The sign-in popup (/embed/signin): hands the identity token to the embed that opened
   it, on the one origin the server checked against the site's allowed origins. */
(function () {
  "use strict";
  var el = document.getElementById("bs-signin");
  if (!el || !window.opener) return;
  window.opener.postMessage({ broadsheetToken: el.getAttribute("data-token") }, el.getAttribute("data-origin"));
})();
