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

  // Drafts of plain form fields (data-draft="key"): kept while typing, restored after a
  // reload or a swap, dropped when the server has taken the form.
  function restoreDrafts(root) {
    root.querySelectorAll("[data-draft]").forEach(function (el) {
      var saved = localStorage.getItem(DRAFT_PREFIX + "draft:" + el.dataset.draft);
      if (saved !== null && !el.value) el.value = saved;
    });
  }
  // A box with a length limit (data-maxlength, never maxlength: a browser cuts a paste at
  // maxlength without a word) says how much is too much, in the page's language, while the
  // person types. The server refuses the same text with the same words; nothing is cut.
  function tooLong(el) {
    var max = parseInt(el.dataset.maxlength, 10);
    var over = max ? Array.from(el.value).length - max : 0;   // code points, as the server counts
    if (over <= 0) return "";
    var b = document.body.dataset, lang = document.documentElement.lang || undefined;
    return ((over === 1 ? b.msgTooLongOne : b.msgTooLong) || "")
      .replace("{count}", over.toLocaleString(lang)).replace("{max}", max.toLocaleString(lang));
  }
  function showLimit(el) {
    var id = (el.id || el.name) + "-limit";
    var note = document.getElementById(id);
    var text = tooLong(el);
    if (!text) { if (note) note.hidden = true; return; }
    if (!note) {
      note = document.createElement("p");
      note.id = id;
      note.className = "error limit-note";
      note.setAttribute("aria-live", "polite");
      el.insertAdjacentElement("afterend", note);
      el.setAttribute("aria-describedby", ((el.getAttribute("aria-describedby") || "") + " " + id).trim());
    }
    note.textContent = text;
    note.hidden = false;
  }
  function checkLimits(root) {
    if (root.querySelectorAll) root.querySelectorAll("[data-maxlength]").forEach(showLimit);
  }

  document.addEventListener("input", function (ev) {
    var el = ev.target;
    if (el.dataset && el.dataset.maxlength) showLimit(el);
    if (el.dataset && el.dataset.draft) localStorage.setItem(DRAFT_PREFIX + "draft:" + el.dataset.draft, el.value);
    // A box that belongs to a choice (data-chooses="radio id"): writing in it makes that choice.
    if (el.dataset && el.dataset.chooses && el.value.trim()) {
      var choice = document.getElementById(el.dataset.chooses);
      if (choice) choice.checked = true;
    }
  });
  // The form whose request this answer is for. beforeSwap fires on the target, and when the
  // answer replaces the form itself htmx fires afterRequest on a detached element, so the
  // form is taken from requestConfig.
  function sentForm(ev) {
    var elt = ev.detail.requestConfig && ev.detail.requestConfig.elt;
    return elt && elt.closest ? elt.closest("form") : null;
  }

  // Drafts are dropped at beforeSwap, not afterRequest: the swapped-in empty field would get
  // the old draft back at htmx:load, and the agreement just added would reappear in the box.
  function dropDrafts(form, ev) {
    // Only a 2xx means the server took it; a 400 comes back with the form to correct.
    if (!form || !ev.detail.xhr || ev.detail.xhr.status >= 300) return;
    form.querySelectorAll("[data-draft]").forEach(function (el) {
      localStorage.removeItem(DRAFT_PREFIX + "draft:" + el.dataset.draft);
    });
  }

  // An answer that replaces a whole section must not take with it what the person was
  // still typing elsewhere in it: a person chosen in another agreement's row, not yet set.
  // Fields of the form that was sent are left alone; the server answers for those.
  var carried = [];
  function fieldKey(el) {
    if (el.id) return "#" + CSS.escape(el.id);
    if (el.name && (el.type === "checkbox" || el.type === "radio")) {
      return '[name="' + CSS.escape(el.name) + '"][value="' + CSS.escape(el.value) + '"]';
    }
    return null;
  }
  function changedByHand(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }
  function keepTyped(sent, ev) {
    var target = ev.detail.target;
    if (!ev.detail.shouldSwap || !target || !target.querySelectorAll) return;
    target.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "hidden" || el.type === "submit" || (sent && sent.contains(el))) return;
      var key = fieldKey(el);
      if (key && changedByHand(el)) carried.push({ key: key, value: el.value, checked: el.checked });
    });
  }

  document.addEventListener("htmx:beforeSwap", function (ev) {
    var form = sentForm(ev);
    dropDrafts(form, ev);
    keepTyped(form, ev);
  });
  document.addEventListener("htmx:afterSettle", function () {
    carried.splice(0).forEach(function (c) {
      var el = document.querySelector(c.key);
      if (!el) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = c.checked;
      else el.value = c.value;
    });
  });

  // A request that failed without an answer we can show: say so, in the page's language.
  function problem(text) {
    var box = document.getElementById("request-problem");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", function () { problem(document.body.dataset.msgRequestFailed); });
  document.addEventListener("htmx:sendError", function () { problem(document.body.dataset.msgOffline); });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-problem");
    if (box) box.hidden = true;
  });

  document.addEventListener("DOMContentLoaded", function () {
    clearDraftsIfLoggedOut();
    restoreDrafts(document);
    checkLimits(document);
  });
  document.addEventListener("htmx:load", function (ev) { restoreDrafts(ev.detail.elt); checkLimits(ev.detail.elt); });
  window.Rundbord = { DRAFT_PREFIX: DRAFT_PREFIX, tooLong: tooLong, showLimit: showLimit };
})();
