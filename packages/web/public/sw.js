// The app shell offline (inspectors walk where the network is not): after one visit online, the
// page opens without network. Only the shell is cached here — index.html, the hashed build assets,
// icons. API answers never are: the pages keep their data in IndexedDB and sync it themselves.
const SHELL = 'aegis-shell-v1';
const INDEX = '/index.html';
const STATIC = ['/manifest.webmanifest', '/icon-192.png', '/icon-512.png', '/favicon.svg'];

/** The hashed assets index.html links to (its entry script, CSS, preloaded chunks). */
function linkedAssets(html) {
  const out = new Set();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) out.add(m[1]);
  return [...out];
}

async function cacheShell() {
  const cache = await caches.open(SHELL);
  const res = await fetch(INDEX, { cache: 'no-cache' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put(INDEX, res);
  await cache.addAll([...STATIC, ...linkedAssets(html)]);
}

/** Puts same-origin build assets the page already loaded (before this worker controlled it) into the cache. */
async function cacheUrls(urls) {
  const cache = await caches.open(SHELL);
  for (const url of urls) {
    const u = new URL(url, self.location.origin);
    if (u.origin !== self.location.origin || !u.pathname.startsWith('/assets/')) continue;
    if (await cache.match(u.pathname)) continue;
    const res = await fetch(u.pathname);
    if (res.ok) await cache.put(u.pathname, res);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== SHELL) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  const data = event.data;
  if (data?.type !== 'cache-urls' || !Array.isArray(data.urls)) return;
  const port = event.ports[0];
  event.waitUntil(
    cacheUrls(data.urls.filter((u) => typeof u === 'string')).then(
      () => port?.postMessage({ ok: true }),
      (e) => port?.postMessage({ ok: false, error: String(e) }),
    ),
  );
});

// Hashed assets of older versions pile up with every upgrade: those the current index.html does
// not name and that were stored more than 30 days ago go (at most once a day).
const ASSET_MAX_AGE_MS = 30 * 86_400_000;
let lastPrune = 0;

async function pruneAssets(html) {
  if (Date.now() - lastPrune < 86_400_000) return;
  lastPrune = Date.now();
  const keep = new Set(linkedAssets(html));
  const cache = await caches.open(SHELL);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (!path.startsWith('/assets/') || keep.has(path)) continue;
    const res = await cache.match(req);
    const stored = Date.parse(res?.headers.get('date') || '');
    if (!Number.isNaN(stored) && Date.now() - stored > ASSET_MAX_AGE_MS) await cache.delete(req);
  }
}

/** Network first, so a new version shows at once; the cached shell when there is no network. */
async function navigation(request) {
  const cache = await caches.open(SHELL);
  try {
    const res = await fetch(request);
    if (res.ok && (res.headers.get('content-type') || '').includes('text/html')) {
      const html = await res.clone().text();
      // only the app's own page is the shell (not some other HTML the server may answer)
      if (html.includes('<div id="root">')) {
        await cache.put(INDEX, res.clone());
        pruneAssets(html).catch(() => undefined);
      }
    }
    return res;
  } catch (e) {
    const shell = await cache.match(INDEX);
    if (shell) return shell;
    throw e;
  }
}

/** Hashed assets never change: the cache first, the network once. */
async function asset(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

/** Icons and the manifest: the network, the cache when offline. */
async function other(request) {
  const cache = await caches.open(SHELL);
  try {
    const res = await fetch(request);
    if (res.ok) await cache.put(request, res.clone());
    return res;
  } catch (e) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (request.mode === 'navigate') event.respondWith(navigation(request));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
  else if (STATIC.includes(url.pathname)) event.respondWith(other(request));
});
