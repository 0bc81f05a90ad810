// The scout pages' service worker (served by /scout/sw.js, which prepends SHELL and CACHE).
// The app shell (CSS, Leaflet, the scripts) and the scout pages open without a connection
// once visited. Pages: network first, the kept copy when offline. Static files: the kept
// copy at once, refreshed in the background. POSTs are never touched: the page's outbox
// keeps every form the server did not acknowledge (no connection, 500, 503...).
// The basemap: every tile of the service area at the walking zooms (/tiles/offline.json) is
// kept in a cache named by the tiles' version, fetched again when the version changes (a
// network import), the older version's cache then deleted. Tiles: the kept copy first.
/* global SHELL, CACHE */
const SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(SHELL.map(async (url) => {
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok && !response.redirected) await cache.put(url, response);
      } catch { /* kept on the next visit */ }
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key.startsWith("scout-") && key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

function keep(request, response) {
  if (response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

async function kept(request) {
  return await caches.match(request, { ignoreVary: true })
    || await caches.match(new URL(request.url).pathname, { ignoreVary: true });
}

async function networkFirst(request) {
  let response;
  try {
    response = await fetch(request);
  } catch (err) {
    const cached = await kept(request);
    if (cached) return cached;
    throw err;
  }
  // A server error (the database restarting) is no page to work on: the kept copy is.
  if (response.status >= 500) return (await kept(request)) || response;
  return keep(request, response);
}

async function staleWhileRevalidate(event) {
  // Pages link versioned files (?v=…); the shell keeps them under their plain path.
  const cached = await caches.match(event.request, { ignoreVary: true, ignoreSearch: true });
  const fresh = fetch(event.request).then((r) => keep(event.request, r));
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    return cached;
  }
  return fresh;
}

const BASEMAP = "basemap-";
let keeping = null;

async function fillBasemap() {
  const list = await (await fetch("/tiles/offline.json", { credentials: "same-origin" })).json();
  const name = BASEMAP + list.version;
  const cache = await caches.open(name);
  if (!(await cache.match("/tiles/offline.json"))) {
    const queue = [...list.tiles];
    const worker = async () => {
      while (queue.length) {
        const url = queue.shift();
        if (await cache.match(url)) continue;
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) await cache.put(url, response);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await cache.put("/tiles/offline.json", new Response(JSON.stringify(list)));
  }
  for (const key of await caches.keys()) if (key.startsWith(BASEMAP) && key !== name) await caches.delete(key);
}

function keepBasemap() {
  // One filling at a time; an interrupted one resumes (kept tiles are not fetched again).
  keeping = keeping || fillBasemap().catch(() => {}).finally(() => { keeping = null; });
  return keeping;
}

self.addEventListener("message", (event) => {
  if (event.data === "keep-basemap") event.waitUntil(keepBasemap());
});

async function tile(request) {
  const exact = await caches.match(request);
  if (exact) return exact;
  try {
    return await fetch(request);
  } catch (err) {
    // Offline with a tile of another version: the kept one still shows the streets.
    const older = await caches.match(request, { ignoreSearch: true });
    if (older) return older;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/tiles/") && url.pathname.endsWith(".mvt")) {
    event.respondWith(tile(request));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staleWhileRevalidate(event));
  } else if (url.pathname.startsWith(SCOPE) && !url.pathname.endsWith("/sw.js")) {
    event.respondWith(networkFirst(request));
  }
});
