/**
 * The offline verifier's service worker (registered by the /verify page, scope /verify).
 * The build (vite.config.ts, `verifierServiceWorker`) writes it to dist/sw.js with the list
 * of built files in `precacheFiles` and a hash of that list in `cacheVersion`, so a new build
 * installs a new cache and drops the old one.
 *
 * - Built files (hashed, immutable): cache first.
 * - Page loads: network first, then the cached index.html (the console routes /verify).
 * - The two public lists: network first, then the cached copy of the same address.
 * - Any other /api/ request: never touched, never cached (it may carry personal data).
 */
const precacheFiles = []; // build: files
const cacheVersion = 'source'; // build: version
const cacheName = `amparo-verifier-${cacheVersion}`;
const listsCacheName = 'amparo-verifier-lists';
const publicLists = ['/api/credentials/trust-list', '/api/credentials/revocation-list'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(['/index.html', ...precacheFiles]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  const keep = new Set([cacheName, listsCacheName]);
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => !keep.has(n)).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (publicLists.includes(url.pathname)) {
    event.respondWith(networkFirst(request, listsCacheName, request));
  } else if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    return;
  } else if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request, cacheName, '/index.html'));
  } else {
    event.respondWith(cacheFirst(request));
  }
});

async function networkFirst(request, name, fallbackKey) {
  const cache = await caches.open(name);
  try {
    const response = await fetch(request);
    // Only complete answers are kept: a 204 ("nothing new") has nothing to replay.
    if (response.status === 200) await cache.put(fallbackKey, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(fallbackKey);
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request, { cacheName });
  return cached ?? fetch(request);
}
