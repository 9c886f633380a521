/* Session expiry warning (WCAG 2.2.1 Timing Adjustable): warn before the server-side session
   ends and let the person continue. Texts come translated from /auth/session. */
(function () {
  "use strict";
  var WARN_SECONDS = 120, POLL_MS = 30000, dialog = null, timer = null;

  function request(method, url) {
    return fetch(url, { method: method, credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.json(); });
  }

  function close() {
    if (dialog) { dialog.remove(); dialog = null; }
  }

  function show(state, ended) {
    close();
    var t = state.texts;
    dialog = document.createElement("div");
    dialog.className = "session-dialog";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "session-dialog-title");
    dialog.setAttribute("aria-describedby", "session-dialog-body");
    var title = document.createElement("h2");
    title.id = "session-dialog-title";
    title.textContent = ended ? t.ended : t.title;
    var body = document.createElement("p");
    body.id = "session-dialog-body";
    body.textContent = ended ? "" : t.body;
    var actions = document.createElement("div");
    actions.className = "session-dialog-actions";
    var primary = document.createElement(ended ? "a" : "button");
    primary.className = "button";
    primary.textContent = ended ? t.sign_in : t["continue"];
    if (ended) {
      primary.href = "/auth/login?next=" + encodeURIComponent(location.pathname);
    } else {
      primary.type = "button";
      primary.addEventListener("click", function () {
        request("POST", "/auth/session/extend").then(schedule).catch(close);
        close();
      });
      var out = document.createElement("a");
      out.className = "button button-secondary";
      out.href = "/auth/logout";
      out.textContent = t.sign_out;
      actions.appendChild(out);
    }
    actions.insertBefore(primary, actions.firstChild);
    dialog.appendChild(title);
    if (!ended) dialog.appendChild(body);
    dialog.appendChild(actions);
    document.body.appendChild(dialog);
    primary.focus();
  }

  function schedule(state) {
    clearTimeout(timer);
    if (!state || !state.signed_in) {
      if (state && document.body.dataset.hbSignedIn === "1") show(state, true);
      return;
    }
    document.body.dataset.hbSignedIn = "1";
    if (state.expires_in <= WARN_SECONDS) {
      if (!dialog) show(state, false);
      timer = setTimeout(poll, (state.expires_in + 1) * 1000);
      return;
    }
    close();  // extended meanwhile, e.g. in another tab
    timer = setTimeout(poll, Math.min(POLL_MS, (state.expires_in - WARN_SECONDS) * 1000));
  }

  function poll() {
    request("GET", "/auth/session").then(schedule).catch(function () {
      timer = setTimeout(poll, POLL_MS);
    });
  }

  window.hbSession = { poll: poll };  // lets tests and other scripts re-check at once
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", poll);
  } else {
    poll();
  }
})();

/* A refusal from the server (hbapp.middleware): an assertive message at the top of the page. */
window.hbNotice = function (text) {
  "use strict";
  var box = document.getElementById("hb-global-notice");
  if (!box) {
    box = document.createElement("div");
    box.id = "hb-global-notice";
    box.className = "notice notice-error";
    box.setAttribute("role", "alert");
    // Outside the React tree, so rendering never trips over it.
    document.body.insertBefore(box, document.body.firstChild);
  }
  box.textContent = text;
};
