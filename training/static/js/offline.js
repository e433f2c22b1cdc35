// Pages without network: registers Atelier's service worker (/sw.js, with
// workbox-window) for the user signed in, tells it whose pages it keeps,
// and asks it to keep the pages listed by the page (the trainer's home lists
// the day grids, overview and scores of their current and coming sessions).
// On the sign-in page, and at sign-out, the worker forgets every page it
// kept. Without JavaScript or a service worker, pages work as always.
/* global workbox */
(() => {
  "use strict";

  if (!("serviceWorker" in navigator) || !window.workbox) {
    return;
  }
  const body = document.body;
  const user = body.dataset.user;
  const WARM_EVERY_MS = 30 * 60 * 1000;
  const PREFETCH = { headers: { "X-Atelier-Prefetch": "1" }, credentials: "same-origin" };

  // `promise`, or undefined after `ms`: signing out never waits for long.
  function atMost(ms, promise) {
    const late = new Promise((resolve) => setTimeout(resolve, ms));
    return Promise.race([promise, late]);
  }

  function tell(worker, message) {
    return atMost(1500, workbox.messageSW(worker, message));
  }

  async function forgetPages() {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("atelier-offline-kept-")) {
        localStorage.removeItem(key);
      }
    }
    const registration = await navigator.serviceWorker.getRegistration();
    const worker = registration && (registration.active || registration.waiting);
    if (worker) {
      await tell(worker, { type: "ATELIER_SIGNED_OUT" });
    }
  }

  if (!user) {
    // Signed out (the sign-in page, or a sign-in that has ended): nobody's
    // pages stay on this browser.
    forgetPages();
    return;
  }

  // Sign-out: the kept pages go first; changes still waiting stay for this
  // user (asked first), sent when they sign in again.
  for (const form of document.querySelectorAll("form[data-sign-out]")) {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.leaving) {
        return;
      }
      event.preventDefault();
      const outbox = window.AtelierOutbox;
      const summary = outbox ? await atMost(1000, outbox.summary()) : null;
      const waiting = summary ? summary.waiting : 0;
      if (waiting && !window.confirm(outbox.plural(outbox.strings.signOutWaiting, waiting))) {
        return;
      }
      await atMost(2000, forgetPages().catch(() => null));
      form.dataset.leaving = "1";
      form.submit();
    });
  }

  function listedPages() {
    const listed = document.getElementById("offline-pages");
    return listed ? JSON.parse(listed.textContent) : [];
  }

  // The page's own styles and scripts, so that it shows the same offline.
  function staticFiles() {
    const files = [];
    for (const element of document.querySelectorAll('link[rel="stylesheet"][href], link[rel="icon"][href], script[src]')) {
      const url = new URL(element.href || element.src, location.href);
      if (url.origin === location.origin && url.searchParams.has("v")) {
        files.push(url.href);
      }
    }
    return files;
  }

  function cache(worker, pages, files = []) {
    const entries = [...new Set(pages)].filter(Boolean).map((page) => [page, PREFETCH]);
    // Answered once every page is kept (not when one failed: kept next time).
    const message = { type: "CACHE_URLS", payload: { urlsToCache: entries.concat(files) } };
    return workbox.messageSW(worker, message);
  }

  async function keepPages(worker, controlled) {
    await workbox.messageSW(worker, { type: "ATELIER_USER", user });
    // The first visit was not seen by the worker; a page that showed
    // messages is kept without them.
    const here = [];
    if (!controlled || document.querySelector("main > .alert-dismissible")) {
      here.push(location.pathname, body.dataset.offlinePage);
    }
    if (here.length || !controlled) {
      cache(worker, here, staticFiles());
    }
    const listed = listedPages();
    if (!listed.length) {
      return;
    }
    // The same list (the home's, a day's) is fetched again after a while
    // only, or at once in another language.
    const language = document.documentElement.lang;
    const stamp = `atelier-offline-kept-${user}|${language}|${listed[0]}|${listed.length}`;
    if (Date.now() - Number(localStorage.getItem(stamp) || 0) > WARM_EVERY_MS) {
      await cache(worker, [body.dataset.offlinePage, ...listed]);
      localStorage.setItem(stamp, String(Date.now()));
    }
  }

  // Refresh the kept copy of pages whose content the outbox has just
  // changed on the server (the grid and its overview).
  window.AtelierOffline = {
    async refresh(pages) {
      const registration = await navigator.serviceWorker.getRegistration();
      const worker = registration && registration.active;
      if (worker && navigator.onLine) {
        workbox.messageSW(worker, {
          type: "CACHE_URLS",
          payload: { urlsToCache: pages.map((page) => [page, PREFETCH]) },
        });
      }
    },
  };

  const controlled = Boolean(navigator.serviceWorker.controller);
  new workbox.Workbox(body.dataset.serviceWorker).register().catch(() => null);
  // The worker that runs, once there is one (this page may not be its client yet).
  navigator.serviceWorker.ready
    .then((registration) => keepPages(registration.active, controlled))
    .catch(() => null);
})();
