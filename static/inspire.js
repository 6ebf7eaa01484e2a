// Session rating box: show a refused answer (400) with its message instead of dropping it,
// and say so when the connection was lost. No inline scripts: this file is included by the box.
(function () {
  "use strict";
  if (window.RundbordInspire) return; // the box may be swapped in more than once
  window.RundbordInspire = true;

  function inBox(elt) {
    return elt && elt.closest && elt.closest("[data-inspire-box]");
  }

  document.addEventListener("htmx:beforeSwap", function (evt) {
    // htmx does not swap 4xx by default; our 400 carries the form with the message and what was typed.
    if (evt.detail.xhr && evt.detail.xhr.status === 400 && inBox(evt.detail.target)) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  document.addEventListener("htmx:sendError", function (evt) {
    var box = inBox(evt.detail.elt);
    var status = box && box.querySelector("[data-rating-status]");
    if (status) status.hidden = false;
  });
})();
