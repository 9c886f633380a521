/* Survey filling that survives a lost connection (pages/survey_fill.py renders the HTML).
   One question per screen; every answer goes to localStorage first, then to
   PUT /api/surveys/<id>/answers; the submit carries an idempotency key kept in localStorage,
   so retries (after going offline, a reload or another day) are stored exactly once.
   A request that fails for lack of network also goes to the IndexedDB outbox "hb-outbox"
   (the newest draft of answers per survey, one record per submit): the service worker
   (assets/sw.js) sends it even if this tab is closed before the connection returns.
   Reflex may re-render the page (e.g. after reconnecting): a MutationObserver re-attaches. */
(function () {
  "use strict";
  if (window.hbSurvey) { window.hbSurvey.scan(); return; }
  var RETRY_MS = 15000, form = null, st = null, retryTimer = null, busy = false;

  function storeKey(id) { return "hb-survey-" + id; }
  function read(id) {
    try { return JSON.parse(localStorage.getItem(storeKey(id))) || null; } catch (e) { return null; }
  }
  function write() { localStorage.setItem(storeKey(st.id), JSON.stringify(st)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function texts() { try { return JSON.parse(form.dataset.texts || "{}"); } catch (e) { return {}; } }
  function steps() { return Array.prototype.slice.call(form.querySelectorAll("[data-step]")); }
  function say(text) { var s = form.querySelector("#survey-status"); if (s) s.textContent = text || ""; }

  function valueOf(step) {
    var key = step.dataset.key, area = step.querySelector("textarea");
    if (area) return area.value.trim() === "" ? null : area.value;
    var checked = step.querySelector("input[name='" + key + "']:checked");
    return checked ? parseInt(checked.value, 10) : null;
  }
  function showValue(step) {
    var key = step.dataset.key, value = st.answers[key], area = step.querySelector("textarea");
    if (area) { if (document.activeElement !== area) area.value = value == null ? "" : value; return; }
    step.querySelectorAll("input[type=radio]").forEach(function (input) {
      input.checked = value != null && String(value) === input.value;
    });
  }

  function show(index, focus) {
    var all = steps();
    st.step = Math.max(0, Math.min(index, all.length - 1));
    write();
    all.forEach(function (step, i) { step.hidden = i !== st.step; });
    var current = all[st.step];
    if (current.dataset.step === "check") buildCheck();
    if (focus) {
      var target = current.querySelector("legend, .survey-legend, .survey-step-heading");
      if (target) target.focus();
      window.scrollTo(0, 0);
    }
  }

  function buildCheck() {
    var list = form.querySelector("#survey-check-list"), t = texts();
    list.textContent = "";
    steps().forEach(function (step, index) {
      if (step.dataset.step !== "question") return;
      var key = step.dataset.key, value = st.answers[key], answer = t.not_answered;
      var question = step.querySelector(".survey-legend").textContent;
      if (value != null) {
        var input = step.querySelector("input[value='" + value + "']");
        answer = input ? input.parentNode.textContent : String(value);
      }
      var row = document.createElement("div"), dt = document.createElement("dt"),
        dd = document.createElement("dd"), change = document.createElement("dd"),
        link = document.createElement("a"), hidden = document.createElement("span");
      dt.textContent = question;
      dt.lang = step.lang;
      dd.textContent = answer;
      if (value != null) dd.lang = step.lang;
      dd.dataset.answerFor = key;
      link.href = "#";
      link.dataset.goto = String(index);
      link.textContent = t.change + " ";
      hidden.className = "visually-hidden";
      hidden.textContent = question;
      link.appendChild(hidden);
      change.appendChild(link);
      row.appendChild(dt); row.appendChild(dd); row.appendChild(change);
      list.appendChild(row);
    });
  }

  /* The outbox: records {id, assignment, url, method, body, key, savedAt}; sw.js reads the
     same database. Without IndexedDB the localStorage copy still covers an open tab. */
  var OUTBOX_DB = "hb-outbox", OUTBOX_STORE = "requests";
  function outbox(change) {
    if (!window.indexedDB) return;
    try {
      var opening = indexedDB.open(OUTBOX_DB, 1);
      opening.onupgradeneeded = function () { opening.result.createObjectStore(OUTBOX_STORE, { keyPath: "id" }); };
      opening.onsuccess = function () {
        var db = opening.result, tx = db.transaction(OUTBOX_STORE, "readwrite");
        change(tx.objectStore(OUTBOX_STORE));
        tx.oncomplete = tx.onerror = tx.onabort = function () { db.close(); };
      };
    } catch (e) { /* private mode or storage full: the localStorage copy remains */ }
  }
  function answersId(id) { return "answers-" + id; }
  function submitId(id, key) { return "submit-" + id + "-" + key; }
  function queue(id, path, method, body, key) {
    var record = { id: key ? submitId(id, key) : answersId(id), assignment: String(id), key: key || null,
      url: "/api/surveys/" + id + path, method: method, body: JSON.stringify(body), savedAt: Date.now() };
    outbox(function (store) { store.put(record); });
    askWorkerToSend();
  }
  function unqueue(id, key) {
    outbox(function (store) {
      store.delete(answersId(id));
      if (key) store.delete(submitId(id, key));
    });
  }
  function askWorkerToSend() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (registration) {
      var post = function () {
        if (registration.active) registration.active.postMessage({ type: "flush-outbox" });
      };
      // Background Sync sends even after the tab is closed; without it, pwa.js asks the
      // worker to send on the next visit or when the connection returns.
      if (registration.sync) registration.sync.register("hb-survey-outbox").catch(post);
      else post();
    });
  }

  function api(method, path, body) {
    return fetch("/api/surveys/" + st.id + path, {
      method: method, credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-HB-Request": "1" },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    });
  }

  /* The answers not yet on the server, as PUT /answers expects them. */
  function unsent() {
    var sent = {};
    Object.keys(st.pending).forEach(function (k) { sent[k] = st.answers[k] === undefined ? null : st.answers[k]; });
    return sent;
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, RETRY_MS);
  }

  function showError(data) {
    var t = texts();
    if (data && data.item) {
      var box = form.querySelector("#err-" + data.item);
      if (box) { box.textContent = data.message; box.hidden = false; }
    }
    say((data && data.message) || t.error);
  }

  /* Send what is waiting: first the submit (if asked for), else the unsaved answers. */
  function sync() {
    if (!st || busy) return;
    var t = texts();
    if (st.submitting) return sendSubmit();
    var keys = Object.keys(st.pending);
    if (!keys.length) return;
    var sent = unsent(), id = st.id;
    busy = true;
    api("PUT", "/answers", { answers: sent }).then(function (result) {
      busy = false;
      if (result.status === 200) {
        keys.forEach(function (k) {
          var now = st.answers[k] === undefined ? null : st.answers[k];
          if (now === sent[k]) delete st.pending[k];
        });
        write();
        say(navigator.onLine === false ? t.offline : t.saved);
        // A submit pressed while these answers were on their way waits for them: send it now.
        if (Object.keys(st.pending).length || st.submitting) sync();
        else unqueue(id, null);
      } else if (result.status === 409) {
        unqueue(id, null);
        location.reload();
      } else if (result.status >= 500) {
        say(t.error); retryLater();
      } else {
        if (result.status === 400 && result.data.item) {
          delete st.pending[result.data.item];
          delete st.answers[result.data.item];
          write();
        }
        showError(result.data);
      }
    }, function () {
      busy = false;
      say(t.offline);
      if (st && st.id === id && Object.keys(st.pending).length) queue(id, "/answers", "PUT", { answers: unsent() });
      retryLater();
    });
  }

  function sendSubmit() {
    var t = texts();
    busy = true;
    say(t.sending);
    var answers = {};
    Object.keys(st.answers).forEach(function (k) { if (st.answers[k] != null) answers[k] = st.answers[k]; });
    var body = { answers: answers, idempotency_key: st.key, language: form.dataset.lang }, id = st.id;
    api("POST", "/submit", body)
      .then(function (result) {
        busy = false;
        if (result.status === 200) {
          localStorage.removeItem(storeKey(st.id));
          unqueue(id, body.idempotency_key);
          var target = result.data.redirect;
          st = null;
          location.assign(target);
        } else if (result.status === 409 && result.data.error === "already_submitted") {
          localStorage.removeItem(storeKey(st.id));
          unqueue(id, body.idempotency_key);
          st = null;
          location.reload();
        } else if (result.status >= 500) {
          say(t.error); retryLater();
        } else {
          st.submitting = false; write();
          showError(result.data);
          if (result.data.item) {
            var index = steps().findIndex(function (s) { return s.dataset.key === result.data.item; });
            if (index >= 0) show(index, true);
          }
        }
      }, function () {
        busy = false;
        say(t.waiting);
        queue(id, "/submit", "POST", body, body.idempotency_key);
        retryLater();
      });
  }

  function record(step) {
    var key = step.dataset.key, value = valueOf(step);
    var before = st.answers[key] === undefined ? null : st.answers[key];
    var box = step.querySelector(".survey-error");
    if (box) box.hidden = true;
    if (value === before) return;
    if (value === null) delete st.answers[key]; else st.answers[key] = value;
    st.pending[key] = true;
    write();
    sync();
  }

  function onClick(event) {
    if (!st) return;
    var target = event.target.closest("[data-action], [data-goto]");
    if (!target || !form.contains(target)) return;
    event.preventDefault();
    var all = steps(), current = all[st.step];
    if (target.dataset.goto) { st.returnToCheck = true; show(parseInt(target.dataset.goto, 10), true); return; }
    var action = target.dataset.action;
    if (current.dataset.step === "question") record(current);
    if (action === "next") {
      var next = st.returnToCheck ? all.length - 1 : st.step + 1;
      st.returnToCheck = false;
      show(next, true);
    } else if (action === "back") {
      st.returnToCheck = false;
      show(st.step - 1, true);
    } else if (action === "submit") {
      st.submitting = true; write();
      sync();
    }
  }

  function onChange(event) {
    if (!st) return;
    var step = event.target.closest("[data-step='question']");
    if (step && event.target.type === "radio") record(step);
  }

  function attach(node) {
    form = node;
    var id = node.dataset.assignment;
    var draft = {};
    try { draft = JSON.parse(node.dataset.draft || "{}"); } catch (e) { draft = {}; }
    var saved = read(id);
    if (!saved) {
      saved = { id: id, key: newKey(), answers: {}, pending: {}, step: null, submitting: false };
    }
    // The server keeps what reached it; answers not yet sent from this device win.
    Object.keys(draft).forEach(function (k) { if (!saved.pending[k]) saved.answers[k] = draft[k]; });
    st = saved;
    var all = steps();
    all.forEach(function (step) { if (step.dataset.step === "question") showValue(step); });
    var start = st.step;
    if (start === null || start === undefined) {
      start = 0;
      if (Object.keys(st.answers).length) {
        start = all.findIndex(function (s) { return s.dataset.step === "question" && st.answers[s.dataset.key] == null; });
        if (start < 0) start = all.length - 1;
      }
    }
    show(start, false);
    node.dataset.enhanced = "1";
    if (Object.keys(st.pending).length || st.submitting) sync();
  }

  function scan() {
    var node = document.getElementById("survey-form");
    if (node && node.dataset.assignment && !node.dataset.enhanced && node.querySelector("[data-step]")) {
      attach(node);
    } else if (!node) {
      form = null; st = null;
    }
    var done = document.getElementById("survey-done");
    if (done && done.dataset.assignment) localStorage.removeItem(storeKey(done.dataset.assignment));
  }

  document.addEventListener("click", onClick);
  document.addEventListener("change", onChange);
  document.addEventListener("focusout", function (event) {
    if (st && event.target.tagName === "TEXTAREA") {
      var step = event.target.closest("[data-step='question']");
      if (step) record(step);
    }
  });
  window.addEventListener("online", function () { sync(); });
  new MutationObserver(scan).observe(document.documentElement, { childList: true, subtree: true });
  window.hbSurvey = { scan: scan, sync: sync };
  scan();
})();
