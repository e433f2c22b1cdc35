// Atelier's service worker (served as /sw.js, which imports this file after
// Workbox and idb, from Atelier's own static files).
//
// It keeps, for the user signed in, the pages the server marks for offline
// use (the response header named by ATELIER_WORKER.offlineHeader carries
// that user's id): the trainer's home, the day grids of their current and
// coming sessions, the overview and the scores. Pages come from the network
// first, and from the cache when the network is gone or too slow. Each user
// has a cache of their own; it is deleted when someone else signs in, and
// when the user signs out (js/offline.js tells the worker). Fingerprinted
// static files are kept as they are. The caching is Workbox's; all this file
// decides is what to keep for whom.
/* global workbox, idb */
(() => {
  "use strict";

  const config = self.ATELIER_WORKER;
  // Workbox's modules from Atelier's static files, by their fingerprinted
  // addresses (kept by the browser: a check for a new worker costs nothing).
  workbox.setConfig({ modulePathCb: (name) => config.workboxModules[name], debug: false });
  // Reached here, at once, so that Workbox imports every module while the
  // worker is installed (a worker cannot import scripts later).
  const { Router, Route } = workbox.routing;
  const { NetworkFirst, CacheFirst } = workbox.strategies;
  const { ExpirationPlugin } = workbox.expiration;
  const { CacheableResponsePlugin } = workbox.cacheableResponse;

  const PAGE_CACHE = "atelier-pages-";
  const STATIC_CACHE = "atelier-static";

  self.addEventListener("install", () => self.skipWaiting());
  workbox.core.clientsClaim();

  // Whose pages are kept, remembered across the worker's restarts.
  const state = idb.openDB("atelier-worker", 1, {
    upgrade(database) {
      database.createObjectStore("state");
    },
  });
  let owner; // undefined: not read yet; null: nobody
  const pageStrategies = new Map();

  async function currentOwner() {
    if (owner === undefined) {
      owner = (await (await state).get("state", "user")) || null;
    }
    return owner;
  }

  // The pages now belong to `user` (null: nobody): every other user's cache goes.
  async function setOwner(user) {
    const next = user ? String(user) : null;
    await currentOwner();
    owner = next;
    await (await state).put("state", next, "user");
    const keep = next ? PAGE_CACHE + next : null;
    const names = await caches.keys();
    await Promise.all(
      names
        .filter((name) => name.startsWith(PAGE_CACHE) && name !== keep)
        .map((name) => {
          const user = name.slice(PAGE_CACHE.length);
          const kept = pageStrategies.get(user);
          pageStrategies.delete(user);
          return kept ? kept.expiration.deleteCacheAndMetadata() : caches.delete(name);
        })
    );
  }

  // Kept: a page the server marked for this very user, asked for by its own
  // address. A page asked for with ?half= or ?q= is not kept (the page
  // applies those itself) but is answered from its address's copy.
  function keptFor(user) {
    return {
      async cacheWillUpdate({ request, response }) {
        const marked = response.headers.get(config.offlineHeader);
        if (marked && marked !== user) {
          await setOwner(marked); // someone else signed in on this browser
          return null;
        }
        const plain = new URL(request.url).search === "";
        const keep = response.status === 200 && !response.redirected && marked === user && plain;
        return keep ? response : null;
      },
      async cacheKeyWillBeUsed({ request, mode }) {
        const url = new URL(request.url);
        if (mode !== "read" || url.search === "") {
          return request;
        }
        url.search = "";
        return url.href;
      },
    };
  }

  function pageStrategy(user) {
    if (!pageStrategies.has(user)) {
      const expiration = new ExpirationPlugin({ maxEntries: 300, maxAgeSeconds: 45 * 24 * 3600 });
      const strategy = new NetworkFirst({
        cacheName: PAGE_CACHE + user,
        // A link that has not answered after this long is taken as gone (a
        // slower page, even the one after a form, would come back stale).
        networkTimeoutSeconds: 30,
        plugins: [keptFor(user), expiration],
      });
      pageStrategies.set(user, { expiration, strategy });
    }
    return pageStrategies.get(user).strategy;
  }

  function isPage({ request, sameOrigin }) {
    return (
      sameOrigin &&
      request.method === "GET" &&
      (request.mode === "navigate" || request.headers.get(config.prefetchHeader) === "1")
    );
  }

  async function handlePage(options) {
    const user = await currentOwner();
    if (user) {
      return pageStrategy(user).handle(options);
    }
    // Nobody's pages are kept: the first page of a user who signs in makes
    // them the owner.
    const response = await fetch(options.request);
    const marked = response.headers.get(config.offlineHeader);
    if (marked) {
      await setOwner(marked);
    }
    return response;
  }

  function isStaticFile({ request, sameOrigin, url }) {
    return (
      sameOrigin &&
      request.method === "GET" &&
      url.searchParams.has("v") &&
      config.staticPrefixes.some((prefix) => url.pathname.startsWith(prefix))
    );
  }

  const router = new Router();
  router.registerRoute(new Route(isPage, { handle: handlePage }));
  router.registerRoute(
    new Route(
      isStaticFile,
      new CacheFirst({
        cacheName: STATIC_CACHE,
        plugins: [
          new CacheableResponsePlugin({ statuses: [200] }),
          new ExpirationPlugin({ maxEntries: 80 }),
        ],
      })
    )
  );
  // A page neither reachable nor kept: the offline page, when it is kept.
  router.setCatchHandler(async ({ request }) => {
    const user = await currentOwner();
    if (request.mode === "navigate" && user) {
      const fallback = await caches.match(config.offlinePage, { cacheName: PAGE_CACHE + user });
      if (fallback) {
        return fallback;
      }
    }
    return Response.error();
  });
  router.addFetchListener();
  // {type: "CACHE_URLS", payload: {urlsToCache}} from the page (workbox-window).
  router.addCacheListener();

  self.addEventListener("message", (event) => {
    const data = event.data || {};
    let work = null;
    if (data.type === "ATELIER_USER") {
      // A page that opened while the worker was being activated is not its
      // client yet (clientsClaim came too early for it): it is claimed now.
      work = Promise.all([
        self.clients.claim(),
        currentOwner().then((user) => (user === String(data.user) ? null : setOwner(data.user))),
      ]);
    } else if (data.type === "ATELIER_SIGNED_OUT") {
      work = setOwner(null);
    }
    if (work) {
      event.waitUntil(
        work.then(() => {
          if (event.ports && event.ports[0]) {
            event.ports[0].postMessage(true);
          }
        })
      );
    }
  });
})();
