// The administrator copies a set-password link with one tap (no inline script: the CSP forbids it).
(function () {
  "use strict";
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest("[data-copy]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    field.select();
    function done() { if (status) status.textContent = button.dataset.copied; }
    // The clipboard API needs a secure context (HTTPS or localhost); selecting the text is the fallback.
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
    } else if (document.execCommand && document.execCommand("copy")) {
      done();
    }
  });
})();
