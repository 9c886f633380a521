/* HB service worker.
   - Precaches the app shell (styles, scripts, icons, the start page's build files) and a trilingual
     offline page, so a weak mobile connection never ends in the browser's error page.
   - /assets/* are content-hashed build files: cache first, kept until the next version.
   - Page navigations: network first; without a network, the offline page. Every view needs
     the server (its content comes over Reflex's websocket and the page frame shows nothing
     until then), and personal data is never cached.
   - Never touches /auth/*, /api/*, Reflex's event channel (/_event, websockets) or other
     server endpoints. */
"use strict";

var VERSION = "hb-v1";
var SHELL_CACHE = VERSION + "-shell";
var ASSET_CACHE = VERSION + "-assets";
var OFFLINE_URL = "/offline.html";
var SHELL = [
  OFFLINE_URL,
  "/hb.css",
  "/session.js",
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
