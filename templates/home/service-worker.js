// Atelier's service worker. What it does is in static/js/service-worker.js;
// this part names the files it runs, fingerprinted, so that a new version of
// any of them makes a new worker. Nothing here comes from the internet.
self.ATELIER_WORKER = {{ {
  "workboxModules": {
    "workbox-core": url_for("static", filename="vendor/workbox/workbox-core.prod.js"),
    "workbox-routing": url_for("static", filename="vendor/workbox/workbox-routing.prod.js"),
    "workbox-strategies": url_for("static", filename="vendor/workbox/workbox-strategies.prod.js"),
    "workbox-expiration": url_for("static", filename="vendor/workbox/workbox-expiration.prod.js"),
    "workbox-cacheable-response": url_for("static", filename="vendor/workbox/workbox-cacheable-response.prod.js"),
  },
  "staticPrefixes": [url_for("static", filename=""), url_for("bootstrap.static", filename="")],
  "offlineHeader": offline_header,
  "prefetchHeader": prefetch_header,
  "offlinePage": url_for("home.offline_fallback"),
}|tojson }};
importScripts(
  {{ url_for("static", filename="vendor/workbox/workbox-sw.js")|tojson }},
  {{ url_for("static", filename="vendor/idb/umd.js")|tojson }},
  {{ url_for("static", filename="js/service-worker.js")|tojson }}
);
