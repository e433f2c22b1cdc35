"""Slow networks (issue 11, item 10): static files are fingerprinted and
cached for a year, personal pages stay `no-store`, pages are compressed."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest

IMMUTABLE = "public, max-age=31536000, immutable"

ASSET = re.compile(r'(?:href|src)="(/(?:static|bootstrap/static)/[^"?]+)\?v=([0-9a-f]+)"')


def assets(html: str) -> list[tuple[str, str]]:
    return ASSET.findall(html)


def file_of(app, path: str) -> Path:
    if path.startswith("/bootstrap/static/"):
        return Path(app.blueprints["bootstrap"].static_folder) / path.removeprefix(
            "/bootstrap/static/"
        )
    return Path(app.static_folder) / path.removeprefix("/static/")


@pytest.fixture
def signed_in(client, login_as):
    login_as("coordinator")
    return client


def test_pages_link_fingerprinted_static_files(app, client):
    found = dict(assets(client.get("/login").text))
    # Bootstrap-Flask's files and the application's own.
    assert "/bootstrap/static/css/bootstrap.min.css" in found
    assert "/bootstrap/static/js/bootstrap.min.js" in found
    assert "/static/css/atelier.css" in found
    for path, version in found.items():
        content = file_of(app, path).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:16], path


@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_fingerprinted_files_are_cached_for_a_year(client, login_as, who):
    if who == "signed in":
        login_as("trainer")
    page = client.get("/")
    links = assets(client.get("/login").text if who == "anonymous" else page.text)
    assert links
    for path, version in links:
        with client.get(f"{path}?v={version}") as response:
            assert response.status_code == 200, path
            assert response.headers["Cache-Control"] == IMMUTABLE, path
            # A response kept by shared caches for a year carries no session.
            assert "Set-Cookie" not in response.headers, path


def test_personal_pages_stay_no_store(signed_in):
    for url in ["/", "/sessions"]:
        response = signed_in.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"


def test_old_and_stale_addresses_still_work_without_long_caching(signed_in):
    for url in ["/static/css/atelier.css", "/static/css/atelier.css?v=0123456789abcdef"]:
        with signed_in.get(url) as response:
            assert response.status_code == 200 and response.data
            assert "immutable" not in response.headers.get("Cache-Control", "")
            assert response.headers.get("Cache-Control") != "no-store"


def test_an_unknown_static_file_is_not_found(client):
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_are_compressed(signed_in, encoding):
    plain = signed_in.get("/sessions").data
    response = signed_in.get("/sessions", headers={"Accept-Encoding": encoding})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in response.headers["Vary"]
    body = (
        gzip.decompress(response.data) if encoding == "gzip" else brotli.decompress(response.data)
    )
    # Same page (the CSRF token differs from one response to the next).
    assert body.split(b"csrf_token")[0] == plain.split(b"csrf_token")[0]
    assert len(response.data) < len(body) / 3
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_are_compressed_too(client):
    path, version = next(
        (p, v) for p, v in assets(client.get("/login").text) if p.endswith("bootstrap.min.css")
    )
    with client.get(f"{path}?v={version}", headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.headers["Content-Encoding"] in {"br", "gzip"}
        assert response.headers["Cache-Control"] == IMMUTABLE


def test_the_right_to_left_bootstrap_is_bootstrap_flasks_version(app):
    """Arabic pages load static/vendor/bootstrap's RTL build instead of
    Bootstrap-Flask's: the two stay the same Bootstrap."""
    version = re.compile(rb"Bootstrap\s+v(\d+\.\d+\.\d+)")
    served = Path(app.blueprints["bootstrap"].static_folder) / "css" / "bootstrap.min.css"
    vendored = Path(app.static_folder) / "vendor" / "bootstrap" / "bootstrap.rtl.min.css"
    assert version.search(vendored.read_bytes()[:300]).group(1) == (
        version.search(served.read_bytes()[:300]).group(1)
    )
    assert (vendored.parent / "LICENSE").read_text().startswith("The MIT License")
