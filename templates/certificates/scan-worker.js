// The offline verifier's service worker. What it does is in
// static/js/scan-worker.js; this part names what it keeps, fingerprinted, so
// that a new version of any file makes a new worker. Nothing here comes from
// the internet, and nothing here is anyone's.
self.ATELIER_SCANNER = {{ {
  "workboxModules": {
    "workbox-core": url_for("static", filename="vendor/workbox/workbox-core.prod.js"),
    "workbox-routing": url_for("static", filename="vendor/workbox/workbox-routing.prod.js"),
    "workbox-strategies": url_for("static", filename="vendor/workbox/workbox-strategies.prod.js"),
    "workbox-cacheable-response": url_for("static", filename="vendor/workbox/workbox-cacheable-response.prod.js"),
  },
  "version": version,
  "page": page,
  "languages": languages,
  "defaultLanguage": default_language,
  "languageHeader": language_header,
  "files": files,
  "lists": lists,
}|tojson }};
importScripts(
  {{ url_for("static", filename="vendor/workbox/workbox-sw.js")|tojson }},
  {{ url_for("static", filename="js/scan-worker.js")|tojson }}
);
