// Rundbord's own small script. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  var DRAFT_PREFIX = "rundbord:";

  // After logout, drafts kept on this device go too: they may hold a citizen's words.
  function clearDraftsIfLoggedOut() {
    if (document.body && document.body.hasAttribute("data-clear-drafts")) {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(DRAFT_PREFIX) === 0) localStorage.removeItem(key);
      }
    }
  }

  document.addEventListener("DOMContentLoaded", clearDraftsIfLoggedOut);
  window.Rundbord = { DRAFT_PREFIX: DRAFT_PREFIX };
})();
