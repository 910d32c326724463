// Offline support for the estimator: every file the page and its worker fetch (the
// page, the engine, the vocabularies it has used) is kept in the Cache Storage. Answers
// come from the cache when present, refreshed from the network in the background
// (stale-while-revalidate), so the page works offline once loaded and picks up new
// versions on the next visit.
const CACHE = 'tokfare-estimator-v2';
const CORE = ['./', './index.html', './style.css', './app.js', './worker.js', '../js/index.js', '../js/shared/index.js', '../js/shared/errors.js', '../js/shared/checks.js', '../js/shared/usage.js', '../js/shared/tokenizers.js', '../pkg/tokfare_wasm.js', '../pkg/tokfare_wasm_bg.wasm', '../pkg/tokfare_pricing.js', '../pkg/tokfare_pricing_bg.wasm'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(CORE)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

// The page names the vocabularies its worker has loaded (a worker started before this
// service worker took control fetched them past it): cache them for offline use.
self.addEventListener('message', (event) => {
  if (event.data?.type !== 'cache' || !Array.isArray(event.data.urls)) return;
  event.waitUntil(
    caches.open(CACHE).then(async (cache) => {
      for (const url of event.data.urls) {
        if (new URL(url, self.location.href).origin === self.location.origin && !(await cache.match(url))) await cache.add(url);
      }
    }),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    caches.open(CACHE).then(async (cache) => {
      const cached = await cache.match(request, { ignoreSearch: true });
      const fresh = fetch(request)
        .then((response) => {
          if (response.ok) cache.put(request, response.clone());
          return response;
        })
        .catch(() => undefined);
      if (cached) {
        event.waitUntil(fresh);
        return cached;
      }
      return (await fresh) ?? Response.error();
    }),
  );
});
