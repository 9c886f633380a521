/* Registers the service worker (assets/sw.js): the app shell and an offline page for
   people on weak mobile connections. Without service-worker support nothing changes. */
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) return;
  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
      /* The app works without it; nothing to tell the user. */
    });
  }
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register);
})();
