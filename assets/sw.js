/* HB service worker.
   - Precaches the app shell (styles, scripts, icons, the start page's build files) and a trilingual
     offline page, so a weak mobile connection never ends in the browser's error page.
   - /assets/* are content-hashed build files: cache first, kept until the next version.
   - Page navigations: network first; without a network, the offline page. Every view needs
     the server (its content comes over Reflex's websocket and the page frame shows nothing
     until then), and personal data is never cached.
   - Never touches /auth/*, /api/*, Reflex's event channel (/_event, websockets) or other
     server endpoints, and never caches their responses.
   - Survey outbox: survey.js puts answers (and submits) that failed for lack of network into
     IndexedDB "hb-outbox"; on a Background Sync "hb-survey-outbox" or a message
     {type: "flush-outbox"} they are sent again, even when no HB tab is open any more. */
"use strict";

var VERSION = "hb-v3";
var SHELL_CACHE = VERSION + "-shell";
var ASSET_CACHE = VERSION + "-assets";
var OFFLINE_URL = "/offline.html";
var SHELL = [
  OFFLINE_URL,
  "/hb.css",
  "/session.js",
  "/menu.js",
  "/pwa.js",
  "/manifest.webmanifest",
  "/icon.svg",
  "/icon-192.png",
  "/icon-512.png",
  "/favicon.ico"
];
// The build files of the start page are fetched at install, so the next visit starts fast.
var START_PAGE = "/";
var NEVER = ["/auth/", "/api/", "/_event", "/_upload", "/dev-oidc/", "/healthz", "/ping", "/_health"];

function bypass(url) {
  return NEVER.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
}

function hashedAssetsOf(html) {
  var found = {};
  var pattern = /["'(](\/assets\/[^"'()\s]+)/g;
  var match;
  while ((match = pattern.exec(html)) !== null) found[match[1]] = true;
  return Object.keys(found);
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    var shell = await caches.open(SHELL_CACHE);
    await shell.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); }));
    try {
      var start = await fetch(START_PAGE, { credentials: "omit", cache: "no-store" });
      var assets = await caches.open(ASSET_CACHE);
      await Promise.all(hashedAssetsOf(await start.text()).map(function (url) {
        return assets.add(url).catch(function () { /* a missing chunk must not stop install */ });
      }));
    } catch (error) {
      /* Offline during install: the assets are cached on first use instead. */
    }
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (name) {
      return name.indexOf(VERSION + "-") !== 0;
    }).map(function (name) { return caches.delete(name); }));
    await self.clients.claim();
  })());
});

async function cacheFirst(request) {
  var cache = await caches.open(ASSET_CACHE);
  var cached = await cache.match(request);
  if (cached) return cached;
  var response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch (error) {
    var shell = await caches.open(SHELL_CACHE);
    return (await shell.match(OFFLINE_URL)) || Response.error();
  }
}

async function staleWhileRevalidate(request) {
  var cache = await caches.open(SHELL_CACHE);
  var cached = await cache.match(request);
  var fresh = fetch(request).then(function (response) {
    if (response.ok) cache.put(request, response.clone());
    return response;
  });
  if (cached) {
    fresh.catch(function () { /* offline: the cached copy stands */ });
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || bypass(url)) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(cacheFirst(request));
  } else if (SHELL.indexOf(url.pathname) !== -1) {
    event.respondWith(staleWhileRevalidate(request));
  }
});

/* ---------------------------------------------------------------- survey outbox */

var OUTBOX_DB = "hb-outbox";
var OUTBOX_STORE = "requests";
var SYNC_TAG = "hb-survey-outbox";

function idbRequest(request) {
  return new Promise(function (resolve, reject) {
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

function openOutbox() {
  var opening = indexedDB.open(OUTBOX_DB, 1);
  opening.onupgradeneeded = function () {
    opening.result.createObjectStore(OUTBOX_STORE, { keyPath: "id" });
  };
  return idbRequest(opening);
}

// Deletes a record only if it is still the version that was sent: the page may have put a
// newer draft of the answers there meanwhile.
function forget(db, sent) {
  return new Promise(function (resolve) {
    var tx = db.transaction(OUTBOX_STORE, "readwrite");
    var store = tx.objectStore(OUTBOX_STORE);
    var reading = store.get(sent.id);
    reading.onsuccess = function () {
      if (reading.result && reading.result.savedAt === sent.savedAt) store.delete(sent.id);
    };
    tx.oncomplete = tx.onerror = tx.onabort = function () { resolve(); };
  });
}

async function replay(db, record) {
  var response;
  try {
    response = await fetch(record.url, {
      method: record.method,
      body: record.body,
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "X-HB-Request": "1" }
    });
  } catch (error) {
    return false;  // no network: keep it for the next try
  }
  // 2xx: delivered. 4xx (signed out, already submitted, cancelled…) never succeeds on a
  // retry; the page still has its localStorage copy. 5xx: keep for the next try.
  if (response.status < 500) {
    await forget(db, record);
    return true;
  }
  return false;
}

// Sends the records oldest first (answers before the submit that follows them). Resolves to
// true when nothing is left waiting.
async function flushOnce() {
  var db = await openOutbox();
  try {
    var tx = db.transaction(OUTBOX_STORE, "readonly");
    var records = await idbRequest(tx.objectStore(OUTBOX_STORE).getAll());
    records.sort(function (a, b) { return a.savedAt - b.savedAt; });
    var allSent = true;
    for (var i = 0; i < records.length; i++) {
      if (!(await replay(db, records[i]))) allSent = false;
    }
    return allSent;
  } finally {
    db.close();
  }
}

// One pass at a time; a request during a pass gets a pass of its own afterwards, so a record
// added meanwhile is not missed.
var queueOfPasses = Promise.resolve();
function flushOutbox() {
  var pass = queueOfPasses.then(flushOnce, flushOnce);
  queueOfPasses = pass.catch(function () { /* the next pass starts anyway */ });
  return pass;
}

self.addEventListener("sync", function (event) {
  if (event.tag !== SYNC_TAG) return;
  // A rejected promise makes the browser retry the sync later.
  event.waitUntil(flushOutbox().then(function (allSent) {
    if (!allSent) throw new Error("survey outbox: some requests are still waiting");
  }));
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "flush-outbox") {
    event.waitUntil(flushOutbox().catch(function () { /* kept for the next try */ }));
  }
});
