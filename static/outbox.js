// The device's outbox: notes typed here that the server has not confirmed yet.
//
// Each person's outbox is their own (keys "rundbord:u<user id>:outbox:<meeting>"): a note
// whose save was refused because the session had ended waits for the same person to log
// in again on this device. Someone else logging in here neither sees nor sends it, and it
// is not dropped: they are told only how many notes of whom the tablet holds (never the
// text), so the writer can be asked to log in. Logging out clears only one's own.
(function () {
  "use strict";
  var PREFIX = (window.Rundbord && window.Rundbord.DRAFT_PREFIX) || "rundbord:";
  var OTHERS = new RegExp("^" + PREFIX + "u(\\d+):outbox:");

  function user() { return (document.body && document.body.dataset.user) || ""; }
  function userName() { return (document.body && document.body.dataset.userName) || ""; }
  function ownPrefix() { return user() ? PREFIX + "u" + user() + ":outbox:" : null; }
  function read(key) {
    try { return JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function keys(start) {
    var found = [];
    for (var i = 0; i < localStorage.length; i++) {
      var k = localStorage.key(i);
      if (k && k.indexOf(start) === 0) found.push(k);
    }
    return found;
  }

  function load(meeting) {
    var own = ownPrefix();
    return own ? read(own + meeting) : {};
  }
  function save(meeting, box) {
    var own = ownPrefix();
    if (!own) return;   // nobody logged in: nothing can be written to anyone's outbox
    if (Object.keys(box).length) localStorage.setItem(own + meeting, JSON.stringify(box));
    else localStorage.removeItem(own + meeting);
  }
  // The meetings for which this person has notes waiting, wherever they were typed.
  function meetings() {
    var own = ownPrefix();
    return own ? keys(own).map(function (k) { return k.slice(own.length); }) : [];
  }
  function pendingCount() {
    return meetings().reduce(function (n, m) { return n + Object.keys(load(m)).length; }, 0);
  }
  // Notes other people left on this device: {user id: {count, name}}. Never their text.
  function others() {
    var found = {};
    keys(PREFIX + "u").forEach(function (k) {
      var m = OTHERS.exec(k);
      if (!m || m[1] === user()) return;
      var box = read(k);
      var who = found[m[1]] || (found[m[1]] = { count: 0, name: "" });
      Object.keys(box).forEach(function (uid) {
        who.count += 1;
        who.name = who.name || box[uid].ownerName || "";
      });
    });
    return found;
  }

  // Outboxes written before they named their owner are taken over by the person logged in,
  // as they would have been before: dropping them would lose notes.
  function adoptUnowned() {
    var own = ownPrefix();
    if (!own) return;
    keys(PREFIX + "outbox:").forEach(function (k) {
      var meeting = k.slice((PREFIX + "outbox:").length);
      var box = load(meeting);
      var old = read(k);
      Object.keys(old).forEach(function (uid) { if (!box[uid]) box[uid] = old[uid]; });
      save(meeting, box);
      localStorage.removeItem(k);
    });
  }

  function showOthers() {
    var el = document.getElementById("device-unsent");
    if (!el) return;
    var b = document.body.dataset;
    var lines = [];
    var all = others();
    Object.keys(all).forEach(function (id) {
      var who = all[id];
      if (!who.count) return;
      var text = who.count === 1 ? b.msgOthersUnsentOne : b.msgOthersUnsentMany;
      lines.push((text || "").split("{count}").join(String(who.count)).split("{name}").join(who.name || "?"));
    });
    el.textContent = lines.join(" ");
    el.hidden = !lines.length;
  }

  document.addEventListener("DOMContentLoaded", function () {
    adoptUnowned();
    showOthers();
  });
  window.RundbordOutbox = {
    user: user, userName: userName, load: load, save: save, meetings: meetings,
    pendingCount: pendingCount, others: others
  };
})();
