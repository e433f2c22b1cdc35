"""The offline verifier at /verify/scan (static/js/scan.js): what its page
and its service worker (static/js/scan-worker.js) are served with.

The page is public and the same for everyone but its navigation bar; the
worker keeps an anonymous copy of it per language (fetched without
cookies, `?lang=`), the files it loads and the two signed lists, and
nothing else: no one's name, no cookie, no sign-in.

Two headers differ from the rest of the site, for this page only: the
camera is allowed to the page's own origin (Permissions-Policy), and the
QR decoder, ZXing-C++ compiled to WebAssembly, may be compiled
(`'wasm-unsafe-eval'`, which allows WebAssembly and not JavaScript's eval).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import current_app, url_for

# The site's policy (training/__init__.py) with WebAssembly allowed.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=()"

# The CBOR decoder's modules (vendored cborg): scan.js imports decode.js,
# which imports the others by relative addresses, without fingerprints.
CBOR_FOLDER = "vendor/cborg/lib"
QR_DECODER = "vendor/zxing-wasm/reader.iife.js"
QR_DECODER_WASM = "vendor/zxing-wasm/zxing_reader.wasm"

_LINKED = re.compile(r'(?:src|href)="(/[^"]+)"')


def cbor_modules() -> list[str]:
    folder = Path(current_app.static_folder or "") / CBOR_FOLDER
    return sorted(f"{CBOR_FOLDER}/{path.name}" for path in folder.glob("*.js"))


def _plain_static_url(filename: str) -> str:
    return url_for("static", filename=filename).split("?", 1)[0]


def worker_files(page_html: str) -> list[str]:
    """Every file the page needs without network: the static files it links
    (fingerprinted), the QR decoder's WebAssembly, and the CBOR modules."""
    prefixes = (url_for("static", filename=""), url_for("bootstrap.static", filename=""))
    linked = [url for url in _LINKED.findall(page_html) if url.startswith(prefixes)]
    wasm = url_for("static", filename=QR_DECODER_WASM)
    modules = [_plain_static_url(name) for name in cbor_modules()]
    return list(dict.fromkeys([*linked, wasm, *modules]))


def worker_version(files: list[str]) -> str:
    """Changes when any file changes, the unfingerprinted modules included,
    so that the browser installs the worker again and keeps the new files."""
    digest = hashlib.sha256()
    static = Path(current_app.static_folder or "")
    for name in cbor_modules():
        digest.update(name.encode() + hashlib.sha256((static / name).read_bytes()).digest())
    digest.update("\n".join(files).encode())
    return digest.hexdigest()[:16]
