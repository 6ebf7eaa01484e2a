// The reflectant's notes: kept on this device until the server confirms them.
//
// Every note gets an id made here (uid) and every save a running number (seq), so a
// retried save never makes a second note and a late one never overwrites a newer one.
// Unconfirmed notes live in this person's outbox (static/outbox.js) and are sent again when
// the connection returns, the tablet wakes, or they open any page again logged in. Only the
// server's own answer to a save confirms it (see confirmed()); confirmed text is not kept.
(function () {
  "use strict";
  var Box = window.RundbordOutbox;
  var DEVICE_KEY = "rundbord-device";   // not a draft: survives logout, holds no personal data
  var SEQ_KEY = "rundbord-seq";
  var AUTOSAVE_MS = 1200;
  // The outcomes of a save the server applied or already had; anything else is not a save.
  var SAVED_OUTCOMES = ["created", "saved", "stale"];
  var inflight = {};                     // uid -> true while a save is on its way
  var retryAt = {};                      // uid -> time of the next try after a failure
  var timers = {};
  var trouble = {};                      // uid -> why its last save failed: shown with its text
  var T = {};                            // messages in the page's language, from data-* on <body>

  function $(sel, root) { return (root || document).querySelector(sel); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "n" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function device() {
    var d = localStorage.getItem(DEVICE_KEY);
    if (!d) { d = uuid(); localStorage.setItem(DEVICE_KEY, d); }
    return d;
  }
  function nextSeq() {
    // Monotonic on this device, across reloads: the server ignores a save whose number is not higher.
    var last = parseInt(localStorage.getItem(SEQ_KEY) || "0", 10);
    var n = Math.max(Date.now(), last + 1);
    localStorage.setItem(SEQ_KEY, String(n));
    return n;
  }
  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function loadBox(meeting) { return Box.load(meeting); }
  function saveBox(meeting, box) {
    Box.save(meeting, box);
    renderUnsent();
  }
  function putEntry(entry) {
    var box = loadBox(entry.meeting);
    box[entry.uid] = entry;
    saveBox(entry.meeting, box);
  }
  function dropEntry(meeting, uid, seq) {
    var box = loadBox(meeting);
    if (box[uid] && box[uid].seq <= seq) { delete box[uid]; saveBox(meeting, box); }
  }
  function pendingCount() { return Box.pendingCount(); }

  function formFor(uid) {
    var forms = document.querySelectorAll("[data-note-form]");
    for (var i = 0; i < forms.length; i++) if (forms[i].dataset.uid === uid) return forms[i];
    return null;
  }
  function setStatus(form, text, kind) {
    var el = form && $(".save-status", form);
    if (!el) return;
    el.textContent = text;
    el.className = "save-status" + (kind ? " " + kind : "");
  }

  // Put a confirmed note into the list (new, or replacing its old version), if this page shows its meeting.
  function showNote(html, uid, meeting) {
    var list = $("[data-note-list]");
    if (!list || list.dataset.meeting !== String(meeting)) return;
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();   // server-rendered and escaped
    var li = tpl.content.firstElementChild;
    var old = list.querySelector('li[data-uid="' + CSS.escape(uid) + '"]');
    if (old && old.classList.contains("note-edit") && !old.querySelector("[data-note-form]").dataset.done) return;
    if (old) old.replaceWith(li); else list.appendChild(li);
    var empty = $("[data-empty-notes]");
    if (empty) empty.remove();
    if (window.htmx) htmx.process(li);
  }

  // Notes written on other devices come into the list while the page is open: every
  // 15 s, and at once when the tablet wakes or the network returns. The server answers
  // 304 while nothing has changed. A note being edited here, waiting in this device's
  // outbox, just deleted here (its undo still on screen) or holding the focus is left as
  // it is: what this device has not sent yet always wins on this screen.
  var SYNC_MS = 15000;
  function untouchable(li, box) {
    return li.classList.contains("note-edit") || li.hasAttribute("data-deleted") ||
      li.contains(document.activeElement) || (li.dataset.uid && box[li.dataset.uid]);
  }
  function mergeNotes(html) {
    var list = $("[data-note-list]");
    var tpl = document.createElement("template");
    tpl.innerHTML = html.trim();   // server-rendered and escaped
    var fresh = tpl.content.querySelector("[data-note-list]");
    if (!list || !fresh) return;   // e.g. the login page after a timeout: change nothing
    var box = loadBox(list.dataset.meeting || "");
    var seen = {};
    var prev = null;
    Array.prototype.slice.call(fresh.children).forEach(function (li) {
      seen[li.dataset.uid] = true;
      var old = list.querySelector('li[data-uid="' + CSS.escape(li.dataset.uid) + '"]');
      if (!old) {
        if (prev) prev.after(li); else list.prepend(li);
        if (window.htmx) htmx.process(li);
        old = li;
      } else if (!untouchable(old, box) && old.dataset.changed !== li.dataset.changed) {
        old.replaceWith(li);
        if (window.htmx) htmx.process(li);
        old = li;
      }
      prev = old;
    });
    Array.prototype.slice.call(list.children).forEach(function (li) {
      if (!seen[li.dataset.uid] && !untouchable(li, box)) li.remove();   // deleted on another device
    });
    list.dataset.syncTag = fresh.dataset.syncTag || "";
    var empty = $("[data-empty-notes]");
    if (empty && list.children.length) empty.remove();
  }
  function syncNotes() {
    var list = $("[data-note-list]");
    if (!list || !list.dataset.syncUrl || document.hidden) return;
    var headers = { "HX-Request": "true" };
    if (list.dataset.syncTag) headers["If-None-Match"] = '"' + list.dataset.syncTag + '"';
    fetch(list.dataset.syncUrl, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (resp) { return resp.status === 200 ? resp.text() : null; })
      .then(function (html) { if (html) mergeNotes(html); })
      .catch(function () { /* offline: the next tick tries again */ });
  }

  function entryFromForm(form) {
    var speaker = form.querySelector('[name="speaker_id"]:checked') || form.querySelector('select[name="speaker_id"]');
    var kind = form.querySelector('[name="kind"]:checked') || form.querySelector('select[name="kind"]');
    return {
      uid: form.dataset.uid,
      meeting: form.dataset.meeting,
      url: form.dataset.saveUrl,
      text: form.querySelector("textarea").value,
      speaker_id: speaker ? speaker.value : "",
      kind: kind ? kind.value : "own_words",
      base_version: parseInt(form.dataset.version || "0", 10),
      seq: nextSeq(),
      ownerName: Box.userName()   // shown to someone else logging in here, never the text
    };
  }

  // The server's own answer to this save: its outcome, and this note's id. A 200 from anything
  // else (the login page after a redirect, a network's portal page) confirms nothing.
  function confirmed(r, entry) {
    var d = r.data || {};
    return r.status === 200 && SAVED_OUTCOMES.indexOf(d.outcome) !== -1 && d.uid === entry.uid &&
      typeof d.id === "number" && typeof d.version === "number";
  }

  // Notes sent with Enter whose save failed, with their text, until the server confirms them:
  // nothing typed leaves the screen unsaved. The note in the box and notes being edited show
  // where they are.
  var shownUnsent = null;
  function renderUnsent() {
    var capture = $("[data-capture]");
    var section = $("[data-unsent]");
    if (!capture || !section) return;
    var box = loadBox(capture.dataset.meeting);
    var list = $("[data-note-list]");
    var items = Object.keys(box).filter(function (uid) {
      return trouble[uid] && uid !== capture.dataset.uid &&
        !(list && list.querySelector('li[data-uid="' + CSS.escape(uid) + '"]'));
    }).map(function (uid) { return box[uid]; });
    var seen = JSON.stringify(items.map(function (e) { return [e.uid, e.speaker_id, e.text, trouble[e.uid]]; }));
    if (seen === shownUnsent) return;
    shownUnsent = seen;
    var ol = $("[data-unsent-list]", section);
    ol.textContent = "";
    items.forEach(function (e) {
      var li = document.createElement("li");
      li.dataset.uid = e.uid;
      var who = capture.querySelector('[name="speaker_id"][value="' + CSS.escape(String(e.speaker_id)) + '"]');
      var label = who && who.closest("label");
      if (label) {
        var strong = document.createElement("strong");
        strong.textContent = label.textContent.trim() + ": ";
        li.appendChild(strong);
      }
      li.appendChild(document.createTextNode(e.text));   // text, never markup
      var why = document.createElement("span");
      why.className = "save-status warn";
      why.textContent = trouble[e.uid];
      li.appendChild(why);
      ol.appendChild(li);
    });
    section.hidden = !items.length;
  }

  // Refused for want of a login: keep the note, say so, and offer the way back (static/app.js).
  function loggedOut(entry, form) {
    trouble[entry.uid] = T.loggedOut;
    retryAt[entry.uid] = Infinity;   // sent again once logged in (the page is opened again), or on wake
    setStatus(form, T.loggedOut, "warn");
    if (window.Rundbord && window.Rundbord.loginAgain) window.Rundbord.loginAgain();
    renderUnsent();
  }

  function send(entry) {
    if (inflight[entry.uid]) return;
    inflight[entry.uid] = true;
    var form = formFor(entry.uid);
    var body = JSON.stringify({
      uid: entry.uid, text: entry.text, speaker_id: entry.speaker_id, kind: entry.kind,
      base_version: entry.base_version, seq: entry.seq, device: device()
    });
    fetch(entry.url, {
      method: "POST", credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: body
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (data) { return { status: resp.status, data: data }; });
    }).then(function (r) {
      inflight[entry.uid] = false;
      if (confirmed(r, entry)) {
        delete retryAt[entry.uid];
        delete trouble[entry.uid];
        if (form) form.dataset.version = r.data.version;
        dropEntry(entry.meeting, entry.uid, entry.seq);
        // Newer typing since this save? Carry the confirmed version along and send again.
        var box = loadBox(entry.meeting);
        if (box[entry.uid]) { box[entry.uid].base_version = r.data.version; saveBox(entry.meeting, box); flush(); }
        else setStatus(form, T.saved, "ok");
        if (!form || form.dataset.done || form.hasAttribute("data-capture")) showNote(r.data.html, entry.uid, entry.meeting);
        renderUnsent();
      } else if (r.status === 409 && r.data.outcome === "conflict" && r.data.uid === entry.uid) {
        showConflict(entry, r.data);
      } else if (r.status === 401) {
        loggedOut(entry, form);
      } else if (r.status === 400 || r.status === 409 || r.status === 403 || r.status === 404) {
        // A person must act: keep the note here, say why, do not retry blindly.
        setStatus(form, r.data.message || T.notSaved, "warn");
        retryAt[entry.uid] = Infinity;
        trouble[entry.uid] = r.data.message || T.notSaved;
        renderUnsent();
      } else {
        later(entry, form);
      }
    }).catch(function () {
      inflight[entry.uid] = false;
      later(entry, form);
    });
  }

  function later(entry, form) {
    var wait = Math.min(30000, (retryAt[entry.uid + ":wait"] || 1000) * 2);
    retryAt[entry.uid + ":wait"] = wait;
    retryAt[entry.uid] = Date.now() + wait;
    trouble[entry.uid] = T.retrying;
    setStatus(form, T.retrying, "warn");
    renderUnsent();
  }

  // Send what this person has waiting, for every meeting, from whatever page is open.
  function flush(force) {
    Box.meetings().forEach(function (meeting) {
      var box = loadBox(meeting);
      Object.keys(box).forEach(function (uid) {
        if (!force && retryAt[uid] && retryAt[uid] > Date.now()) return;
        send(box[uid]);
      });
    });
  }

  function showConflict(entry, server) {
    var form = formFor(entry.uid);
    var box = form ? $(".save-status", form) : null;
    if (!box) return;
    box.className = "save-status conflict";
    box.textContent = "";
    var p = document.createElement("p");
    p.textContent = T.conflict;
    var theirs = document.createElement("blockquote");
    theirs.textContent = server.text;
    var mine = document.createElement("blockquote");
    mine.textContent = entry.text;
    var keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.textContent = T.keepMine;
    keepMine.addEventListener("click", function () {
      entry.base_version = server.version;
      entry.seq = nextSeq();
      putEntry(entry);
      if (form) form.dataset.version = server.version;
      delete retryAt[entry.uid];
      send(entry);
    });
    var keepTheirs = document.createElement("button");
    keepTheirs.type = "button";
    keepTheirs.textContent = T.keepTheirs;
    keepTheirs.addEventListener("click", function () {
      dropEntry(entry.meeting, entry.uid, Infinity);
      if (form) { form.dataset.done = "1"; form.dataset.version = server.version; }
      showNote(server.html, entry.uid, entry.meeting);
    });
    var l1 = document.createElement("p"); l1.textContent = T.theirs;
    var l2 = document.createElement("p"); l2.textContent = T.yours;
    box.append(p, l1, theirs, l2, mine, keepMine, keepTheirs);
    retryAt[entry.uid] = Infinity;
  }

  function changed(form, final) {
    var text = form.querySelector("textarea").value;
    if (!form.dataset.uid) {
      if (!text.trim()) return;
      form.dataset.uid = uuid();
      form.dataset.version = "0";
    }
    var entry = entryFromForm(form);
    entry.final = !!final;
    delete retryAt[entry.uid];
    putEntry(entry);   // on the device at once: nothing typed is lost if the tablet dies now
    if (tooLong(form)) {
      // Over the limit: kept here and in the box, not sent until it is shortened (app.js says by how much).
      clearTimeout(timers[entry.uid]);
      retryAt[entry.uid] = Infinity;
      setStatus(form, T.notSaved, "warn");
      return;
    }
    setStatus(form, T.notYet, "");
    clearTimeout(timers[entry.uid]);
    if (final) send(entry);
    else timers[entry.uid] = setTimeout(function () { send(loadBox(entry.meeting)[entry.uid] || entry); }, AUTOSAVE_MS);
  }

  function tooLong(form) {
    var R = window.Rundbord;
    return R && R.tooLong ? R.tooLong(form.querySelector("textarea")) : "";
  }

  function finish(form) {
    var text = form.querySelector("textarea").value;
    if (!text.trim() && !form.dataset.uid) return;
    if (tooLong(form)) { changed(form, false); return; }   // the text stays in the box, with the message
    changed(form, true);
    if (form.hasAttribute("data-capture")) {
      // Ready for the next note: same speaker and kind, new id.
      form.querySelector("textarea").value = "";
      delete form.dataset.uid;
      form.dataset.version = "0";
      form.querySelector("textarea").focus();
      renderUnsent();
    } else {
      form.dataset.done = "1";
    }
  }

  function wire(form) {
    if (form.dataset.wired) return;
    form.dataset.wired = "1";
    var area = form.querySelector("textarea");
    area.addEventListener("input", function () { changed(form, false); });
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); finish(form); }
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); finish(form); });
    form.addEventListener("change", function (ev) {
      if (ev.target.name !== "text" && form.dataset.uid && !form.hasAttribute("data-capture")) changed(form, false);
    });
  }

  // Notes that were typed but never confirmed come back into the capture field or are resent.
  function restore() {
    var capture = $("[data-capture]");
    if (!capture) { flush(true); return; }
    var box = loadBox(capture.dataset.meeting);
    Object.keys(box).forEach(function (uid) {
      var e = box[uid];
      if (!e.final && !capture.querySelector("textarea").value && !document.querySelector('li[data-uid="' + CSS.escape(uid) + '"]')) {
        capture.dataset.uid = uid;
        capture.dataset.version = String(e.base_version || 0);
        capture.querySelector("textarea").value = e.text;
        if (window.Rundbord && window.Rundbord.showLimit) window.Rundbord.showLimit(capture.querySelector("textarea"));
      }
    });
    flush(true);
  }

  function readMessages() {
    var b = document.body.dataset;
    T = {
      saved: b.msgSaved, notYet: b.msgNotYet, retrying: b.msgRetrying, notSaved: b.msgNotSaved,
      conflict: b.msgConflict, theirs: b.msgTheirs, yours: b.msgYours, keepMine: b.msgKeepMine,
      keepTheirs: b.msgKeepTheirs, loggedOut: b.msgLoggedOut, pendingLogout: b.msgPendingLogout
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    readMessages();
    if (!Box.user()) return;   // nobody logged in: nothing here may be read or sent
    document.querySelectorAll("[data-note-form]").forEach(wire);
    restore();
    setInterval(function () { flush(false); }, 3000);
    setInterval(syncNotes, SYNC_MS);
    window.addEventListener("online", function () { flush(true); syncNotes(); });
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { flush(true); syncNotes(); } });
    var logout = $("form[data-logout]");
    if (logout) logout.addEventListener("submit", function (ev) {
      if (pendingCount() && !window.confirm(T.pendingLogout)) ev.preventDefault();
    });
  });
  document.addEventListener("htmx:load", function (ev) {
    var root = ev.detail.elt;
    if (root.matches && root.matches("[data-note-form]")) wire(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-note-form]").forEach(wire);
  });
  window.RundbordNotes = { flush: flush, pendingCount: pendingCount, sync: syncNotes };
})();
