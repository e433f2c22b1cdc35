// The offline verifier's service worker (served as /verify/scan/sw.js, its
// scope the page /verify/scan alone: the attendance worker at /sw.js never
// sees the page, and this one sees nothing else).
//
// It keeps three things, none of them anyone's:
// - the page in each language, as an anonymous visitor gets it: fetched by
//   the worker itself without cookies, whoever is signed in (a signed-in
//   user's own copy, with their name in the menu, is never kept);
// - the files the page loads (fingerprinted; kept at install);
// - the signed trust list and status list, from the network first and from
//   the cache without network (the page then says so, and shows their dates).
// The page comes from the network first too, and from its kept copy, in the
// language last used (the page says which), when there is no network.
/* global workbox */
(() => {
  "use strict";

  const config = self.ATELIER_SCANNER;
  workbox.setConfig({ modulePathCb: (name) => config.workboxModules[name], debug: false });
  const { Router, Route } = workbox.routing;
  const { NetworkFirst, CacheFirst } = workbox.strategies;
  const { CacheableResponsePlugin } = workbox.cacheableResponse;

  const PREFIX = "atelier-scanner-";
  const FILES = PREFIX + config.version; // the files and the page's copies, per version
  const LISTS = PREFIX + "lists"; // the lists (and the language last used), across versions
  const KEPT_HEADER = "X-Atelier-Kept";
  // Past this, a page that has not answered is taken as gone.
  const PAGE_TIMEOUT_MS = 8000;
  const LISTS_TIMEOUT_SECONDS = 8;
  const origin = self.location.origin;
  const files = new Set(config.files.map((url) => new URL(url, origin).href));
  const lists = new Set(config.lists.map((url) => new URL(url, origin).href));
  const languageKey = new URL(`${config.page}/language-last-used`, origin).href;

  function pageKey(language) {
    const url = new URL(config.page, origin);
    url.searchParams.set("lang", language);
    return url.href;
  }

  // The page in `language` as an anonymous visitor gets it: no cookie goes
  // with the request, none is kept from the answer.
  async function keepPage(language) {
    const response = await fetch(config.page, {
      credentials: "omit",
      cache: "no-store",
      headers: { [config.languageHeader]: language },
    });
    if (response.ok && !response.redirected) {
      const cache = await caches.open(FILES);
      await cache.put(pageKey(language), response);
    }
  }

  async function rememberLanguage(language) {
    const cache = await caches.open(LISTS);
    await cache.put(languageKey, new Response(language));
  }

  async function keptPage() {
    const remembered = await caches.match(languageKey, { cacheName: LISTS });
    const last = remembered ? await remembered.text() : null;
    for (const language of [last, config.defaultLanguage, ...config.languages]) {
      const kept = language && (await caches.match(pageKey(language), { cacheName: FILES, ignoreVary: true }));
      if (kept) {
        return kept;
      }
    }
    return null;
  }

  self.addEventListener("install", (event) => {
    event.waitUntil(
      (async () => {
        const cache = await caches.open(FILES);
        await cache.addAll(
          [...files].map((url) => new Request(url, { credentials: "omit", cache: "reload" }))
        );
        await Promise.all(config.languages.map(keepPage));
        const kept = await caches.open(LISTS);
        await Promise.all(
          [...lists].map(async (url) => {
            const response = await fetch(url, { credentials: "omit", cache: "no-cache" });
            if (response.ok) {
              await kept.put(url, response);
            }
          })
        );
        await self.skipWaiting();
      })()
    );
  });

  self.addEventListener("activate", (event) => {
    event.waitUntil(
      (async () => {
        const names = await caches.keys();
        await Promise.all(
          names
            .filter((name) => name.startsWith(PREFIX) && name !== FILES && name !== LISTS)
            .map((name) => caches.delete(name))
        );
        await self.clients.claim();
      })()
    );
  });

  async function handlePage({ request, event }) {
    let response;
    try {
      response = await Promise.race([
        fetch(request),
        new Promise((resolve, reject) => setTimeout(() => reject(new Error("timeout")), PAGE_TIMEOUT_MS)),
      ]);
    } catch (error) {
      response = null;
    }
    if (response && response.status < 500) {
      const language = response.headers.get("Content-Language");
      if (response.ok && config.languages.includes(language)) {
        // The anonymous copy of what the user sees, kept for next time.
        event.waitUntil(Promise.all([keepPage(language), rememberLanguage(language)]).catch(() => null));
      }
      return response;
    }
    return (await keptPage()) || response || Response.error();
  }

  // A list answered from the cache says so to the page (which shows it).
  const markKept = {
    async cachedResponseWillBeUsed({ cachedResponse }) {
      if (!cachedResponse) {
        return null;
      }
      const headers = new Headers(cachedResponse.headers);
      headers.set(KEPT_HEADER, "1");
      return new Response(await cachedResponse.blob(), {
        status: cachedResponse.status,
        statusText: cachedResponse.statusText,
        headers,
      });
    },
  };

  const sameOrigin = (url, request) => url.origin === origin && request.method === "GET";
  const router = new Router();
  router.registerRoute(
    new Route(
      ({ url, request }) => sameOrigin(url, request) && url.pathname === config.page,
      { handle: handlePage }
    )
  );
  router.registerRoute(
    new Route(
      ({ url, request }) => sameOrigin(url, request) && lists.has(url.origin + url.pathname),
      new NetworkFirst({
        cacheName: LISTS,
        networkTimeoutSeconds: LISTS_TIMEOUT_SECONDS,
        fetchOptions: { credentials: "omit", cache: "no-cache" },
        matchOptions: { ignoreVary: true },
        plugins: [new CacheableResponsePlugin({ statuses: [200] }), markKept],
      })
    )
  );
  router.registerRoute(
    new Route(
      ({ url, request }) => sameOrigin(url, request) && files.has(url.href),
      new CacheFirst({
        cacheName: FILES,
        matchOptions: { ignoreVary: true },
        plugins: [new CacheableResponsePlugin({ statuses: [200] })],
      })
    )
  );
  router.addFetchListener();

  // The page says which language it is in: the copy shown without network.
  self.addEventListener("message", (event) => {
    const data = event.data || {};
    if (data.type === "ATELIER_SCANNER_LANGUAGE" && config.languages.includes(data.language)) {
      event.waitUntil(
        rememberLanguage(data.language).then(() => {
          if (event.ports && event.ports[0]) {
            event.ports[0].postMessage(true);
          }
        })
      );
    }
  });
})();
