/**
 * The service worker (public/sw.js) keeps the app shell so the phone pages open offline; data
 * lives in IndexedDB (outbox.ts), never in the worker's cache.
 */

/** Registers /sw.js in a built app (not under Vite's dev server, whose modules are not files). */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || import.meta.hot) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch((e: unknown) => {
      console.info('service worker not registered', e);
    });
  });
}

/**
 * Asks the worker to keep every build asset this page has loaded so far (those loaded before it
 * took control went past it). Resolves true once they are cached, false without a worker.
 */
export async function cacheLoadedAssets(timeoutMs = 15_000): Promise<boolean> {
  if (!('serviceWorker' in navigator) || import.meta.hot) return false;
  const reg = await Promise.race([
    navigator.serviceWorker.ready,
    new Promise<null>((r) => setTimeout(() => r(null), timeoutMs)),
  ]);
  const worker = reg?.active;
  if (!worker) return false;
  const urls = performance
    .getEntriesByType('resource')
    .map((e) => e.name)
    .filter((u) => new URL(u).pathname.startsWith('/assets/'));
  for (const s of document.querySelectorAll<HTMLScriptElement | HTMLLinkElement>('script[src], link[href]')) {
    const u = 'src' in s ? s.src : s.href;
    if (u && new URL(u, location.href).pathname.startsWith('/assets/')) urls.push(u);
  }
  return new Promise<boolean>((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => resolve(false), timeoutMs);
    channel.port1.onmessage = (ev: MessageEvent<{ ok: boolean }>) => {
      clearTimeout(timer);
      resolve(ev.data.ok);
    };
    worker.postMessage({ type: 'cache-urls', urls: [...new Set(urls)] }, [channel.port2]);
  });
}
