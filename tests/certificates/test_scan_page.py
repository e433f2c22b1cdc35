"""The offline verifier's page (/verify/scan) and its service worker
(/verify/scan/sw.js): public to every role, the root key carried in the
page, the camera allowed on that page alone, the worker's scope kept to
the page, and nothing personal in what the worker keeps."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.certificates.test_views import ROLES, issued, sign_in
from training.certificates import keys, scanner, signing
from training.certificates.views import SCAN_LANGUAGE_HEADER

SITE_CAMERA = "camera=(), microphone=(), geolocation=()"
LINKED = re.compile(r'(?:src|href)="(/(?:static|bootstrap/static)/[^"]+)"')


def directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def embedded(page: str, element_id: str):
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page)
    assert found, element_id
    return json.loads(found.group(1))


def worker_config(script: str) -> dict:
    found = re.search(r"self\.ATELIER_SCANNER = (\{.*?\});\n", script, re.S)
    assert found
    return json.loads(found.group(1))


@pytest.fixture
def signed(world):
    return issued(world)


# ------------------------------------------------------------- who may open


@pytest.mark.parametrize("role", ROLES)
def test_the_scanner_and_its_worker_are_public_to_every_role(client, auth, world, signed, role):
    sign_in(client, auth, world, role)
    page = client.get("/verify/scan")
    assert page.status_code == 200
    assert "Verify a certificate offline" in page.text
    worker = client.get("/verify/scan/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"


# ------------------------------------------------------------------ the page


def test_the_page_carries_the_root_key_and_its_strings(client, signed):
    page = client.get("/verify/scan").text
    root = embedded(page, "scanner-root-key")
    assert root["kid"] == keys.root_key().kid
    assert root["jwk"] == signing.jwk(signing.load_public_key(keys.root_key().public_key))
    strings = embedded(page, "scanner-strings")
    assert strings["expired"] == "Expired on {date}"
    assert strings["statusAsOf"] == "Revocation data as of {date}."
    assert set(strings["kinds"]) == {"completion", "participation", "trainer"}
    # Its own worker, not the attendance one.
    assert 'data-worker="/verify/scan/sw.js"' in page
    assert 'data-scope="/verify/scan"' in page
    assert "js/offline.js" not in page and "workbox-window" not in page
    assert re.search(r'<script type="module" src="/static/js/scan\.js\?v=[0-9a-f]+">', page)


def test_the_page_in_french(client, signed):
    page = client.get("/verify/scan", headers={"Accept-Language": "fr-FR"})
    assert page.headers["Content-Language"] == "fr"
    assert "Vérifier un certificat hors ligne" in page.text
    strings = embedded(page.text, "scanner-strings")
    assert strings["statusAsOf"] == "Données de révocation au {date}."
    assert strings["issuerNames"] == {"UNODC": "ONUDC", "DPO": "DOP"}


def test_the_worker_asks_for_a_language_with_a_header(client, signed):
    french = client.get("/verify/scan", headers={SCAN_LANGUAGE_HEADER: "fr"})
    assert french.headers["Content-Language"] == "fr"
    assert '<html lang="fr">' in french.text
    assert SCAN_LANGUAGE_HEADER in french.headers["Vary"]
    # Any other value is the visitor's own language, never an error.
    for value in ("xx", "", "fr, en", "a" * 500):
        other = client.get("/verify/scan", headers={SCAN_LANGUAGE_HEADER: value})
        assert other.status_code == 200
        assert other.headers["Content-Language"] == "en"


def test_without_keys_the_page_says_it_is_not_ready(client):
    page = client.get("/verify/scan")
    assert page.status_code == 200
    assert "data-scanner-unavailable" in page.text
    assert "scanner-root-key" not in page.text and "js/scan.js" not in page.text


def test_the_verify_page_links_to_the_scanner(client):
    assert 'href="/verify/scan"' in client.get("/verify").text


def test_the_page_shows_no_personal_data_to_the_worker(client, auth, world, signed):
    """The worker's copies are fetched without cookies: as an anonymous
    visitor sees the page, whoever is signed in."""
    sign_in(client, auth, world, "participant")
    mine = client.get("/verify/scan").text
    assert world.owner.name in mine  # the signed-in user's own menu
    anonymous = client.application.test_client()
    kept = anonymous.get("/verify/scan", headers={SCAN_LANGUAGE_HEADER: "en"}).text
    assert world.owner.name not in kept and world.owner.email not in kept
    assert 'data-user=""' in kept


# --------------------------------------------------------------- the headers


def test_the_camera_is_allowed_on_the_scanner_alone(client, signed):
    scanner = client.get("/verify/scan")
    assert scanner.headers["Permissions-Policy"] == "camera=(self), microphone=(), geolocation=()"
    for url in ("/verify", "/login", "/verify/scan/sw.js", "/verify/status.json", "/nowhere"):
        response = client.get(url)
        assert response.headers["Permissions-Policy"] == SITE_CAMERA, url


def test_the_scanner_policy_is_the_sites_with_webassembly(client, signed):
    site = directives(client.get("/verify").headers["Content-Security-Policy"])
    scanner = directives(client.get("/verify/scan").headers["Content-Security-Policy"])
    assert scanner.pop("script-src") == "'self' 'wasm-unsafe-eval'"
    assert site.pop("script-src") == "'self'"
    assert scanner == site  # no blob:, no other origin, frames refused alike
    for url in ("/verify", "/login", "/verify/scan/sw.js"):
        assert "wasm" not in client.get(url).headers["Content-Security-Policy"], url


def test_the_worker_is_limited_to_the_page(client, signed):
    worker = client.get("/verify/scan/sw.js")
    assert worker.headers["Service-Worker-Allowed"] == "/verify/scan"
    # The browser checks for a new worker on each visit: never kept stale.
    assert worker.headers["Cache-Control"] in ("no-cache", "no-store")
    config = worker_config(worker.text)
    assert config["page"] == "/verify/scan"
    assert config["lists"] == ["/verify/trust-list.json", "/verify/status.json"]
    assert config["languages"] == ["en", "fr", "ar"]
    assert "importScripts(" in worker.text and "js/scan-worker.js" in worker.text


def test_the_worker_keeps_every_file_the_page_loads(app, client, signed):
    page = client.get("/verify/scan").text
    files = worker_config(client.get("/verify/scan/sw.js").text)["files"]
    linked = LINKED.findall(page)
    assert linked and set(linked) <= set(files)
    # The WebAssembly decoder and every CBOR module scan.js imports.
    assert any(
        re.fullmatch(r"/static/vendor/zxing-wasm/zxing_reader\.wasm\?v=\w+", f) for f in files
    )
    folder = Path(app.static_folder) / "vendor" / "cborg" / "lib"
    modules = {f"/static/vendor/cborg/lib/{path.name}" for path in folder.glob("*.js")}
    assert modules and modules <= set(files)
    imported = set(re.findall(r"from '\./([\w-]+\.js)'", (folder / "decode.js").read_text()))
    for path in folder.glob("*.js"):
        imported |= set(re.findall(r"from '\./([\w-]+\.js)'", path.read_text()))
    assert {f"/static/vendor/cborg/lib/{name}" for name in imported} <= modules
    # Each is served.
    for url in files:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_the_webassembly_is_served_as_such(client):
    with client.get("/static/vendor/zxing-wasm/zxing_reader.wasm") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/wasm"
        assert response.data[:4] == b"\0asm"


def test_the_worker_holds_no_one_s_data_and_nothing_from_elsewhere(client, auth, world, signed):
    sign_in(client, auth, world, "participant")
    script = client.get("/verify/scan/sw.js").text
    assert world.owner.name not in script and world.owner.email not in script
    assert "csrf" not in script.lower()
    assert not re.search(r"https?://", script)
    source = (Path(client.application.static_folder) / "js" / "scan-worker.js").read_text()
    assert 'credentials: "omit"' in source
    assert not re.search(r"https?://", source)


def test_the_worker_changes_when_a_module_changes(app, tmp_path, monkeypatch):
    """The CBOR modules are imported without fingerprints: the worker's
    version follows their content, so a new one is installed and kept."""
    files = ["/static/js/scan.js?v=0123456789abcdef"]
    with app.test_request_context():
        before = scanner.worker_version(files)
        static = tmp_path / "static"
        shutil.copytree(app.static_folder, static)
        (static / "vendor" / "cborg" / "lib" / "decode.js").write_text("// changed\n")
        monkeypatch.setattr(app, "static_folder", str(static))
        assert scanner.worker_version(files) != before


def test_the_vendored_libraries_carry_their_licences(app):
    vendor = Path(app.static_folder) / "vendor"
    assert "Apache License" in (vendor / "cborg" / "LICENSE").read_text()
    assert "MIT License" in (vendor / "zxing-wasm" / "LICENSE").read_text()
    assert "Apache License" in (vendor / "zxing-wasm" / "LICENSE-zxing-cpp").read_text()
    readme = (vendor / "README.md").read_text()
    assert "cborg" in readme and "6.1.5" in readme
    assert "zxing-wasm" in readme and "3.1.4" in readme
    # The decoder's WebAssembly is read from Atelier only (scan.js says
    # where), never from the CDN the library names by default.
    script = (Path(app.static_folder) / "js" / "scan.js").read_text()
    assert "locateFile" in script and "dataset.wasm" in script
