/* Registers the service worker (assets/sw.js): the app shell and an offline page for
   people on weak mobile connections. Without service-worker support nothing changes.
   On every page load and when the connection returns it asks the worker to send survey
   answers waiting in its outbox: browsers without Background Sync need this nudge. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* The app works without it; nothing to tell the user. */
    });
  }
  function flushOutbox() {
    if (navigator.onLine === false) return;
    navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage({ type: "flush-outbox" });
    });
  }
  function start() { register(); flushOutbox(); }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
  window.addEventListener("online", flushOutbox);
})();
