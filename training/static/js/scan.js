// The offline verifier (/verify/scan). It reads a certificate's QR code with
// the camera (the browser's BarcodeDetector where it has one; otherwise
// ZXing-C++ compiled to WebAssembly, served by Atelier) or from a photo, and
// checks it on the phone: the signed lists with the root key this page
// carries, then the code's ES256 signature (WebCrypto), its key's window and
// status, the revoked serials and the expiry, in the order of
// docs/verification.md, "How a verifier decides" (the same rules in Python:
// training/certificates/offline.py). Its service worker (js/scan-worker.js)
// keeps the page, its files and the two lists, so that all of it works with
// no network once the page has been opened online.
/* global ZXingWASM */
import { decode as decodeCbor } from "../vendor/cborg/lib/decode.js";

const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" };
const ES256 = { name: "ECDSA", hash: "SHA-256" };
const TRUST_LIST = "atelier-trust-list";
const STATUS = "atelier-status";
const KEPT_HEADER = "X-Atelier-Kept";
const DAY_MS = 86400000;
// Strict CBOR: shortest forms only, no duplicate keys, no indefinite
// lengths, no big integers; tag 18 (COSE_Sign1) is the only tag read.
const CBOR = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  strict: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowBigInt: false,
  allowNaN: false,
  allowInfinity: false,
  tags: { 18: (inner) => ({ coseSign1: inner() }) },
};
const KINDS = { 1: "completion", 2: "participation", 3: "trainer" };
// Sides, in pixels, at which a photo is read: ZXing finds a small code in a
// large picture, and a blurred one once the picture is scaled down.
const PHOTO_SIDES = [2400, 1600, 3600, 1000];

// ------------------------------------------------------ the verification

function fromBase64url(text) {
  const base64 = String(text).replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "===".slice((base64.length + 3) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

// RFC 4648 base32 (A-Z, 2-7), without padding, as signing.encode_code writes it.
function fromBase32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const code = text.toUpperCase().replace(/=+$/, "");
  if (!code || code.length > 2500 || [1, 3, 6].includes(code.length % 8)) {
    throw new Error("not a base32 code of a possible length");
  }
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of code) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error("not base32");
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

function importKey(jwk) {
  return crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    ECDSA_P256,
    false,
    ["verify"]
  );
}

// The body of a signed JSON document (the trust list, the status list),
// once the root's signature over its payload bytes checks and its type is
// the one expected (a status list never passes for a trust list).
async function openDocument(document, rootKey, type) {
  if (!document || document.alg !== "ES256") throw new Error(`untrusted ${type}`);
  const payload = fromBase64url(document.payload);
  const signature = fromBase64url(document.signature);
  const ok = await crypto.subtle.verify(ES256, rootKey, signature, payload);
  const body = ok && JSON.parse(new TextDecoder().decode(payload));
  if (!body || body.type !== type || body.version !== 1) throw new Error(`untrusted ${type}`);
  return body;
}

function readSign1(message) {
  let cose = decodeCbor(message, CBOR);
  if (cose && cose.coseSign1 !== undefined) {
    cose = cose.coseSign1;
  }
  if (!Array.isArray(cose) || cose.length !== 4) throw new Error("not COSE_Sign1");
  const [protectedBytes, unprotected, payload, signature] = cose;
  if (
    !(protectedBytes instanceof Uint8Array) ||
    !(unprotected instanceof Map) ||
    !(payload instanceof Uint8Array) ||
    !(signature instanceof Uint8Array)
  ) {
    throw new Error("not COSE_Sign1");
  }
  const header = protectedBytes.length ? decodeCbor(protectedBytes, CBOR) : new Map();
  if (!(header instanceof Map)) throw new Error("not COSE_Sign1");
  const kidBytes = header.has(4) ? header.get(4) : unprotected.get(4);
  if (header.get(1) !== -7 || !(kidBytes instanceof Uint8Array)) throw new Error("not ES256");
  const kid = Array.from(kidBytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return { protectedBytes, payload, signature, kid };
}

function byteStringHeader(n) {
  return n < 24 ? [0x40 + n] : n < 256 ? [0x58, n] : [0x59, n >> 8, n & 0xff];
}

// What ES256 signs (RFC 9052 §4.4): ["Signature1", protected, h'', payload].
function sigStructure(protectedBytes, payload) {
  return new Uint8Array([
    0x84,
    0x6a,
    ...new TextEncoder().encode("Signature1"),
    ...byteStringHeader(protectedBytes.length),
    ...protectedBytes,
    0x40,
    ...byteStringHeader(payload.length),
    ...payload,
  ]);
}

function isoDay(days) {
  if (!Number.isInteger(days) || Math.abs(days) > 1000000) throw new Error("not a day number");
  return new Date(days * DAY_MS).toISOString().slice(0, 10);
}

function text(value) {
  if (typeof value !== "string") throw new Error("a claim is not text");
  return value;
}

function readClaims(payload) {
  const claims = decodeCbor(payload, CBOR);
  if (!(claims instanceof Map) || claims.get(0) !== 1 || !KINDS[claims.get(5)]) {
    throw new Error("unknown claims");
  }
  return {
    serial: text(claims.get(1)),
    holder: text(claims.get(2)),
    courseCode: text(claims.get(3)),
    courseTitle: text(claims.get(4)),
    kind: KINDS[claims.get(5)],
    start: isoDay(claims.get(6)),
    end: isoDay(claims.get(7)),
    issued: isoDay(claims.get(8)),
    validUntil: claims.has(9) ? isoDay(claims.get(9)) : null,
    issuers: text(claims.get(10)),
  };
}

// What a scanned text says, with the lists held: forged, outside_window,
// compromised, revoked, expired or valid (and the certificate's claims when
// its signature checks).
async function decide(scanned, lists, now) {
  const marker = scanned.toUpperCase().lastIndexOf("/V/");
  if (marker < 0 && /\/verify\/[0-9A-Za-z-]+\s*$/.test(scanned)) {
    return { state: "online_only", url: scanned.trim() };
  }
  let sign1;
  let entry;
  let certificate;
  try {
    sign1 = readSign1(fromBase32(scanned.trim().slice(marker + 3)));
    entry = lists.trustList.keys.find((key) => key.kid === sign1.kid);
    const ok =
      entry &&
      sign1.signature.length === 64 &&
      (await crypto.subtle.verify(
        ES256,
        await importKey(entry.jwk),
        sign1.signature,
        sigStructure(sign1.protectedBytes, sign1.payload)
      ));
    if (!ok) return { state: "forged" };
    certificate = readClaims(sign1.payload);
  } catch (error) {
    return { state: "forged" };
  }
  const today = now.toISOString().slice(0, 10);
  let state = "valid";
  if (certificate.issued < entry.not_before || certificate.issued > entry.not_after) {
    state = "outside_window";
  } else if (entry.status === "compromised") {
    state = "compromised";
  } else if (lists.status.revoked.includes(certificate.serial)) {
    state = "revoked";
  } else if (certificate.validUntil && certificate.validUntil < today) {
    state = "expired";
  }
  return { state, certificate, kid: sign1.kid };
}

// ------------------------------------------------------------- the page

const root = document.querySelector("[data-scanner]");
const strings = JSON.parse(document.getElementById("scanner-strings").textContent);
const rootKeyDocument = JSON.parse(document.getElementById("scanner-root-key").textContent);
const language = document.documentElement.lang || "en";
const dayFormat = new Intl.DateTimeFormat(language, { dateStyle: "long", timeZone: "UTC" });
const momentFormat = new Intl.DateTimeFormat(language, { dateStyle: "long", timeStyle: "short" });
const messageBox = root.querySelector("[data-scan-message]");
const resultBox = root.querySelector("[data-scan-result]");
const video = root.querySelector("[data-camera]");
let lists = null; // {trustList, status}, once both check
let camera = null; // {stream, timer}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? values[name] : whole));
}

function formatDay(iso) {
  return dayFormat.format(new Date(`${iso}T00:00:00Z`));
}

function formatMoment(iso) {
  return momentFormat.format(new Date(iso));
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function say(message, kind = "info") {
  messageBox.replaceChildren();
  if (message) {
    messageBox.append(element("div", `alert alert-${kind} py-2 mb-0`, message));
  }
}

function issuerNames(issuers) {
  return issuers
    .split(";")
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => strings.issuerNames[name] || name)
    .join(" · ");
}

function revocationNote() {
  const note = element("div", "card-footer small");
  note.append(element("div", "", fill(strings.statusAsOf, { date: formatMoment(lists.status.issued_at) })));
  if (isStale()) {
    const warning = element("div", "text-danger fw-semibold", fill(strings.stale, {
      date: formatMoment(lists.status.next_update),
    }));
    warning.dataset.staleWarning = "";
    note.append(warning);
  }
  return note;
}

function isStale() {
  return new Date() > new Date(lists.status.next_update);
}

function show(result) {
  resultBox.replaceChildren();
  const { state, certificate } = result;
  const card = element("div", `card verify-result verify-${state}`);
  card.dataset.scanState = state;
  resultBox.dataset.scanResult = state;
  const header = element("div", "card-header fw-semibold");
  card.append(header);
  if (state === "online_only") {
    card.className = "alert alert-warning";
    card.textContent = fill(strings.onlineOnly, { url: result.url });
  } else if (state === "forged" || state === "outside_window" || state === "compromised") {
    header.classList.add("text-bg-danger");
    header.textContent = state === "compromised" ? strings.cannotBeTrusted : strings.notGenuine;
    const why = {
      forged: strings.forged,
      outside_window: strings.outsideWindow,
      compromised: fill(strings.compromised, { serial: certificate ? certificate.serial : "" }),
    }[state];
    card.append(element("div", "card-body", why));
    card.append(revocationNote());
  } else {
    header.classList.add(
      state === "valid" ? "text-bg-success" : state === "revoked" ? "text-bg-danger" : "text-bg-warning"
    );
    header.textContent =
      state === "valid"
        ? strings.valid
        : state === "revoked"
          ? strings.revoked
          : fill(strings.expired, { date: formatDay(certificate.validUntil) });
    const rows = [
      [strings.holder, certificate.holder, "fs-5"],
      [strings.kind, strings.kinds[certificate.kind] || certificate.kind],
      [strings.course, `${certificate.courseTitle} (${certificate.courseCode})`],
      [strings.dates, `${formatDay(certificate.start)} – ${formatDay(certificate.end)}`],
      [strings.issuers, issuerNames(certificate.issuers)],
      [strings.issued, formatDay(certificate.issued)],
    ];
    if (certificate.validUntil) rows.push([strings.validUntil, formatDay(certificate.validUntil)]);
    rows.push([strings.serial, certificate.serial, "font-monospace"]);
    const list = element("dl", "card-body row g-0 mb-0");
    for (const [term, value, style] of rows) {
      list.append(element("dt", "col-sm-4", term), element("dd", `col-sm-8 ${style || ""}`, value));
    }
    card.append(list);
    if (state === "revoked") {
      card.append(element("div", "card-footer small", strings.revokedNote));
    } else {
      card.append(element("div", "card-footer small text-muted", fill(strings.signatureChecked, { kid: result.kid })));
    }
    card.append(revocationNote());
  }
  resultBox.append(card);
  card.scrollIntoView({ block: "nearest" });
}

async function check(scanned) {
  if (!lists) {
    say(strings.listsMissing, "warning");
    return;
  }
  say("");
  show(await decide(scanned, lists, new Date()));
}

// ------------------------------------------------------------ the lists

async function fetchDocument(url) {
  const response = await fetch(url, { cache: "no-cache", credentials: "omit" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return { body: await response.json(), kept: response.headers.get(KEPT_HEADER) === "1" };
}

function showLists(kept) {
  const summary = root.querySelector("[data-lists-summary]");
  const stale = root.querySelector("[data-stale]");
  summary.replaceChildren(
    element("span", "d-block", fill(strings.statusAsOf, { date: formatMoment(lists.status.issued_at) })),
    element("span", "d-block text-muted", fill(strings.keysAsOf, { date: formatMoment(lists.trustList.issued_at) })),
    element("span", "d-block text-muted", kept ? strings.listsKept : strings.listsUpdated)
  );
  stale.hidden = !isStale();
  stale.textContent = fill(strings.stale, { date: formatMoment(lists.status.next_update) });
  root.dataset.listsReady = kept ? "kept" : "fetched";
}

async function loadLists() {
  const summary = root.querySelector("[data-lists-summary]");
  let fetched;
  try {
    fetched = await Promise.all([fetchDocument(root.dataset.trustList), fetchDocument(root.dataset.status)]);
  } catch (error) {
    if (!lists) {
      summary.textContent = strings.listsMissing;
      root.dataset.listsReady = "missing";
    }
    return;
  }
  try {
    const rootKey = await importKey(rootKeyDocument.jwk);
    lists = {
      trustList: await openDocument(fetched[0].body, rootKey, TRUST_LIST),
      status: await openDocument(fetched[1].body, rootKey, STATUS),
    };
  } catch (error) {
    lists = null;
    summary.textContent = strings.listsUntrusted;
    root.dataset.listsReady = "untrusted";
    return;
  }
  showLists(fetched[0].kept || fetched[1].kept);
}

// ---------------------------------------------------------- reading a QR

let zxingReady = null;

function zxing() {
  if (!zxingReady) {
    // The WebAssembly from Atelier's own static files, never from elsewhere.
    zxingReady = ZXingWASM.prepareZXingModule({
      overrides: {
        locateFile: (path, prefix) => (path.endsWith(".wasm") ? root.dataset.wasm : prefix + path),
      },
      fireImmediately: true,
    });
  }
  return zxingReady;
}

let detector; // undefined: not asked yet; null: none

async function barcodeDetector() {
  if (detector === undefined) {
    detector = null;
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        }
      } catch (error) {
        detector = null;
      }
    }
  }
  return detector;
}

async function readWithZxing(imageData, tryHarder) {
  await zxing();
  const found = await ZXingWASM.readBarcodes(imageData, {
    formats: ["QRCode"],
    tryHarder,
    maxNumberOfSymbols: 1,
  });
  const symbol = found.find((item) => item.isValid && item.text);
  return symbol ? symbol.text : null;
}

// The picture scaled so that its longer side is at most `side` pixels.
function pixels(source, width, height, side) {
  const scale = Math.min(1, side / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

async function readPhoto(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (error) {
    say(strings.notImage, "warning");
    return;
  }
  say(strings.reading);
  try {
    const native = await barcodeDetector();
    if (native) {
      const found = await native.detect(bitmap).catch(() => []);
      if (found.length && found[0].rawValue) {
        await check(found[0].rawValue);
        return;
      }
    }
    const tried = new Set();
    for (const side of PHOTO_SIDES) {
      const size = Math.min(side, Math.max(bitmap.width, bitmap.height));
      if (tried.has(size)) continue;
      tried.add(size);
      const scanned = await readWithZxing(pixels(bitmap, bitmap.width, bitmap.height, size), true);
      if (scanned) {
        await check(scanned);
        return;
      }
    }
    resultBox.replaceChildren();
    delete resultBox.dataset.scanResult;
    say(strings.noCode, "warning");
  } finally {
    bitmap.close();
  }
}

function stopCamera() {
  if (camera) {
    clearTimeout(camera.timer);
    for (const track of camera.stream.getTracks()) track.stop();
    camera = null;
  }
  video.srcObject = null;
  root.querySelector("[data-camera-box]").hidden = true;
  root.querySelector("[data-action=stop]").hidden = true;
  root.querySelector("[data-action=camera]").hidden = false;
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    say(strings.cameraUnavailable, "warning");
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1920 }, height: { ideal: 1080 } },
    });
  } catch (error) {
    const denied = error && (error.name === "NotAllowedError" || error.name === "SecurityError");
    say(denied ? strings.cameraDenied : strings.cameraUnavailable, "warning");
    return;
  }
  say("");
  camera = { stream, timer: null };
  video.srcObject = stream;
  root.querySelector("[data-camera-box]").hidden = false;
  root.querySelector("[data-action=stop]").hidden = false;
  root.querySelector("[data-action=camera]").hidden = true;
  await video.play().catch(() => null);
  const native = await barcodeDetector();
  const tick = async () => {
    if (!camera || camera.stream !== stream) return;
    let scanned = null;
    if (video.readyState >= 2 && video.videoWidth) {
      if (native) {
        const found = await native.detect(video).catch(() => []);
        scanned = found.length ? found[0].rawValue : null;
      } else {
        scanned = await readWithZxing(pixels(video, video.videoWidth, video.videoHeight, 1280), false);
      }
    }
    if (scanned && camera && camera.stream === stream) {
      stopCamera();
      await check(scanned);
    } else if (camera && camera.stream === stream) {
      camera.timer = setTimeout(tick, 250);
    }
  };
  tick();
}

// ------------------------------------------------------ without network

// Without network, the worker shows its copy of the page in this language.
function tellLanguage(worker) {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    worker.postMessage({ type: "ATELIER_SCANNER_LANGUAGE", language }, [channel.port2]);
    setTimeout(resolve, 2000);
  });
}

async function keepOffline() {
  const state = root.querySelector("[data-offline-state]");
  if (!("serviceWorker" in navigator)) {
    state.textContent = strings.noWorker;
    return;
  }
  try {
    await navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope });
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      // The first visit: the worker takes the page once it is active.
      await new Promise((resolve) =>
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true })
      );
    }
    if (registration.active) {
      await tellLanguage(navigator.serviceWorker.controller || registration.active);
      state.textContent = strings.ready;
      root.dataset.offlineReady = "";
    }
  } catch (error) {
    state.textContent = strings.noWorker;
  }
}

root.querySelector("[data-scan-actions]").hidden = false;
root.querySelector("[data-action=camera]").addEventListener("click", startCamera);
root.querySelector("[data-action=stop]").addEventListener("click", stopCamera);
root.querySelector("[data-photo]").addEventListener("change", (event) => {
  const [file] = event.target.files;
  event.target.value = "";
  if (file) readPhoto(file);
});
root.querySelector("[data-scan-text]").addEventListener("submit", (event) => {
  event.preventDefault();
  check(root.querySelector("#scan-text").value);
});
root.querySelector("[data-action=refresh]").addEventListener("click", loadLists);
window.addEventListener("pagehide", stopCamera);
loadLists().then(keepOffline);
