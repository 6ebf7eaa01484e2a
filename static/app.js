// Rundbord's own small script. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  var DRAFT_PREFIX = "rundbord:";

  // What this device keeps is kept per person ("rundbord:u<user id>:…"): someone else
  // logging in on the tablet neither sees nor sends it, and it waits for its writer.
  function personPrefix(id) { return DRAFT_PREFIX + "u" + id + ":"; }
  function draftKey(name) {
    var user = document.body && document.body.dataset.user;
    return user ? personPrefix(user) + "draft:" + name : null;
  }

  // After logout, what that person kept on this device goes too: it may hold a citizen's
  // words. Only theirs: another person's unsent notes wait for them.
  function clearDraftsIfLoggedOut() {
    var who = document.body && document.body.dataset.clearDrafts;
    if (!who) return;
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf(personPrefix(who)) === 0) localStorage.removeItem(key);
    }
  }

  // Drafts of plain form fields (data-draft="key"): kept while typing, restored after a
  // reload or a swap, dropped when the server has taken the form. A draft that is still
  // here was never confirmed, so it wins over what the page came with, and goes out again
  // where the box saves by itself (the citizen's topics).
  function restoreDrafts(root) {
    root.querySelectorAll("[data-draft]").forEach(function (el) {
      var key = draftKey(el.dataset.draft);
      var saved = key ? localStorage.getItem(key) : null;
      if (saved === null || saved === el.value) return;
      el.value = saved;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
  // Drafts written before they named their owner go to the person logged in, as before.
  function adoptUnownedDrafts() {
    var start = DRAFT_PREFIX + "draft:";
    if (!draftKey("")) return;
    for (var i = localStorage.length - 1; i >= 0; i--) {
      var key = localStorage.key(i);
      if (key && key.indexOf(start) === 0) {
        if (localStorage.getItem(draftKey(key.slice(start.length))) === null) {
          localStorage.setItem(draftKey(key.slice(start.length)), localStorage.getItem(key));
        }
        localStorage.removeItem(key);
      }
    }
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
    var key = el.dataset && el.dataset.draft && draftKey(el.dataset.draft);
    if (key) localStorage.setItem(key, el.value);
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
      var key = draftKey(el.dataset.draft);
      if (key) localStorage.removeItem(key);
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

  // An error answer to an htmx request is one line (errors/_error.html), never a page to swap in:
  // it goes beside the form that was sent, or into the status line the request was aimed at,
  // and the form keeps what was typed. An expired form's answer brings a fresh CSRF token.
  function errorLine(ev) {
    var xhr = ev.detail.xhr;
    if (!xhr || xhr.status < 400 || typeof ev.detail.serverResponse !== "string") return null;
    var tpl = document.createElement("template");
    tpl.innerHTML = ev.detail.serverResponse;   // server-rendered and escaped
    return tpl.content.querySelector("[data-request-error]");
  }
  function renewCsrf(token) {
    var headers = {};
    try { headers = JSON.parse(document.body.getAttribute("hx-headers")) || {}; } catch (e) { /* rebuilt below */ }
    headers["X-CSRFToken"] = token;
    document.body.setAttribute("hx-headers", JSON.stringify(headers));
    document.querySelectorAll('input[name="csrf_token"]').forEach(function (el) { el.value = token; });
  }
  function problemHost(elt) {
    return elt && elt.isConnected && elt.closest ? (elt.closest("form") || elt) : null;
  }
  function problemLine(host) {
    var line = host.tagName === "FORM" ? host.querySelector(":scope > [data-request-problem]") : host.nextElementSibling;
    return line && line.hasAttribute("data-request-problem") ? line : null;
  }
  function problemPlace(config) {
    var target = config && config.target;
    if (target && target.isConnected && target.getAttribute("role") === "status") return target;
    var host = problemHost(config && config.elt);
    if (!host) return document.getElementById("request-problem");
    var line = problemLine(host);
    if (!line) {
      line = document.createElement("p");
      line.setAttribute("role", "alert");
      line.setAttribute("data-request-problem", "");
      if (host.tagName === "FORM") host.appendChild(line); else host.after(line);
    }
    return line;
  }
  function showErrorLine(ev, line) {
    ev.detail.shouldSwap = false;
    ev.detail.xhr.rundbordShown = true;   // said here: no general "did not go through" on top
    if (line.dataset.csrfToken) renewCsrf(line.dataset.csrfToken);
    var place = problemPlace(ev.detail.requestConfig);
    if (!place) return;
    place.textContent = line.textContent.trim();
    place.classList.add("request-error");
    place.hidden = false;
  }

  document.addEventListener("htmx:beforeSwap", function (ev) {
    var line = errorLine(ev);
    if (line) { showErrorLine(ev, line); return; }
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
  // A save refused because the session ended (401): the page stays, with what was typed (kept
  // as a draft too), and offers to log in again and come back here. A page's own read (a
  // poll, GET) follows HX-Redirect to the login page instead: an unattended tablet does not
  // keep a citizen's words on screen, and its drafts wait on the device.
  function loginAgain() {
    var box = document.getElementById("login-again");
    if (box) box.hidden = false;
  }
  document.addEventListener("htmx:beforeOnLoad", function (ev) {
    var xhr = ev.detail.xhr;
    var verb = ev.detail.requestConfig && ev.detail.requestConfig.verb;
    if (!xhr || xhr.status !== 401 || String(verb).toLowerCase() === "get") return;
    ev.preventDefault();
    var form = sentForm(ev);
    var status = form && form.querySelector("[role=status]");
    if (status) status.textContent = document.body.dataset.msgLogInToSave;
    loginAgain();
  });
  document.addEventListener("htmx:responseError", function (ev) {
    if (!ev.detail.xhr || !ev.detail.xhr.rundbordShown) problem(document.body.dataset.msgRequestFailed);
  });
  document.addEventListener("htmx:sendError", function () { problem(document.body.dataset.msgOffline); });
  document.addEventListener("htmx:beforeRequest", function (ev) {
    var box = document.getElementById("request-problem");
    if (box) box.hidden = true;
    // Sent again: the last refusal's line goes; the answer says what now.
    var host = problemHost(ev.detail.elt);
    var line = host && problemLine(host);
    if (line) line.remove();
    if (ev.detail.target && ev.detail.target.classList) ev.detail.target.classList.remove("request-error");
  });

  document.addEventListener("DOMContentLoaded", function () {
    clearDraftsIfLoggedOut();
    adoptUnownedDrafts();
    restoreDrafts(document);
    checkLimits(document);
  });
  document.addEventListener("htmx:load", function (ev) { restoreDrafts(ev.detail.elt); checkLimits(ev.detail.elt); });
  window.Rundbord = { DRAFT_PREFIX: DRAFT_PREFIX, loginAgain: loginAgain, tooLong: tooLong, showLimit: showLimit };
})();
