"""The offline verifier (/verify/scan) on a 390 px phone, as a checkpoint
uses it: opened once online, then with the network gone (the context
offline, the page reloaded from its service worker), a photo of the QR code
chosen from the phone. The photos are the issued PDFs rendered by pdftoppm,
or QR codes drawn by Atelier's own encoder for codes no PDF carries (an
altered payload, a key outside its window, a compromised key). Headless
Chromium has no BarcodeDetector: the photos are read by the WebAssembly
decoder Atelier serves."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from PIL import Image

from training.certificates import keys, signing, trust
from training.certificates.models import (
    Certificate,
    CertificateStatus,
    KeyPurpose,
    KeyStatus,
    SigningKey,
)
from training.extensions import db
from training.pdf import qr
from training.pdf.certificate import PAGE_HEIGHT, QR_SIZE, QR_X, QR_Y

PHONE = {"width": 390, "height": 844}
RENDER_DPI = 150
TIMEOUT_MS = 30_000


# ---------------------------------------------------------------- pictures


def pdf_photo(pdf: bytes, folder: Path, name: str, crop: bool = False) -> Path:
    """The certificate's PDF as pdftoppm renders it: the whole page, or the
    corner around its QR code (a close-up)."""
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(RENDER_DPI), "-png", "-singlefile", str(source), str(folder / name)],
        check=True,
        timeout=60,
    )
    png = folder / f"{name}.png"
    if crop:
        scale = RENDER_DPI / 72
        margin = 20 * scale
        with Image.open(png) as page:
            page.crop(
                (
                    round(QR_X * scale - margin),
                    round((PAGE_HEIGHT - QR_Y - QR_SIZE) * scale - margin),
                    round((QR_X + QR_SIZE) * scale + margin),
                    round((PAGE_HEIGHT - QR_Y) * scale + margin),
                )
            ).save(png)
    return png


def code_photo(text: str, folder: Path, name: str) -> Path:
    """A QR code of `text` drawn by Atelier's encoder, as the certificates
    print it (error correction Q), 6 pixels a module, quiet zone included."""
    modules = qr.qr_modules(text, "Q")
    size = len(modules) + 2 * qr.QUIET_ZONE
    image = Image.new("L", (size, size), 255)
    for row, line in enumerate(modules):
        for column, dark in enumerate(line):
            if dark:
                image.putpixel((column + qr.QUIET_ZONE, row + qr.QUIET_ZONE), 0)
    path = folder / f"{name}.png"
    image.resize((size * 6, size * 6), Image.NEAREST).save(path)
    return path


# ---------------------------------------------------------------- fixtures


def _certificate(live_app, expired: bool = False, offset: int = 0) -> Certificate:
    today = date.today()
    with live_app.app_context():
        state = (
            Certificate.valid_until < today
            if expired
            else sa.or_(
                Certificate.valid_until.is_(None),
                Certificate.valid_until > today + timedelta(days=7),
            )
        )
        found = db.session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.status == CertificateStatus.VALID,
                Certificate.signed_payload.is_not(None),
                Certificate.pdf.is_not(None),
                state,
            )
            .options(sa.orm.undefer(Certificate.pdf))
            .order_by(Certificate.id.desc() if offset else Certificate.id)
            .offset(max(offset - 1, 0))
            .limit(1)
        ).one()
        db.session.expunge(found)
        return found


@pytest.fixture
def certificate(live_app, live_server) -> Certificate:
    return _certificate(live_app)


@pytest.fixture
def photos(tmp_path) -> Path:
    return tmp_path


@pytest.fixture
def open_scanner(browser, live_server):
    """A phone's tab on /verify/scan, opened once online: its worker active
    and controlling, the lists checked."""
    contexts = []

    def _open(locale: str = "en-GB"):
        context = browser.new_context(
            base_url=live_server,
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale=locale,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        tab = context.new_page()
        tab.goto("/verify/scan")
        tab.wait_for_selector("[data-scanner][data-offline-ready]")
        tab.wait_for_selector("[data-scanner][data-lists-ready=fetched]")
        return context, tab

    yield _open
    for context in contexts:
        context.close()


def offline(context, tab, now: datetime | None = None) -> None:
    """No network: the page reloaded from the worker, the lists from its cache."""
    context.set_offline(True)
    if now is not None:
        tab.clock.set_fixed_time(now)
    tab.reload()
    tab.wait_for_selector("[data-scanner][data-lists-ready=kept]")
    assert tab.evaluate("navigator.onLine") is False


def scan(tab, photo: Path) -> tuple[str, str]:
    """Choose the photo; the state shown and the result's text."""
    tab.set_input_files("#scan-photo", str(photo))
    card = tab.wait_for_selector("[data-scan-result] [data-scan-state]")
    return card.get_attribute("data-scan-state"), card.inner_text()


def day(value: date, locale: str = "en-GB") -> str:
    """A date as the page writes it: Intl's long style in the page's
    language, the same CLDR data as Babel's."""
    return format_date(value, "long", locale=locale[:2])


def claims_of(certificate: Certificate) -> signing.Claims:
    return signing.decode_claims(signing.parse_sign1(certificate.signed_payload).payload)


def qr_text(live_app, message: bytes) -> str:
    return signing.qr_text(live_app.config["ATELIER_PUBLIC_URL"], message)


# -------------------------------------------------------------- the states


@pytest.mark.parametrize(
    "locale, valid, as_of",
    [
        ("en-GB", "Valid certificate", "Revocation data as of"),
        ("fr-FR", "Certificat valide", "Données de révocation au"),
    ],
)
def test_offline_a_photo_of_a_genuine_certificate_is_valid(
    open_scanner, live_app, certificate, photos, screenshot, locale, valid, as_of
):
    context, tab = open_scanner(locale)
    screenshot(tab, f"scanner-ready-{locale}")
    offline(context, tab)
    assert tab.locator("html").get_attribute("lang") == locale[:2]
    state, shown = scan(tab, pdf_photo(certificate.pdf, photos, "certificate"))
    assert state == "valid"
    claims = claims_of(certificate)
    assert valid in shown
    assert certificate.holder_name in shown
    assert claims.course_title in shown and claims.course_code in shown
    assert day(claims.start_date, locale) in shown and day(claims.end_date, locale) in shown
    assert day(claims.issued_on, locale) in shown
    assert certificate.serial in shown
    assert as_of in shown
    assert tab.locator("[data-stale-warning]").count() == 0
    assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(tab, f"scanner-valid-offline-{locale}")


def test_offline_an_altered_payload_is_forged(open_scanner, live_app, certificate, photos):
    message = bytearray(certificate.signed_payload)
    holder = certificate.holder_name.encode()
    at = bytes(message).index(holder)  # the holder's name, inside the signed claims
    message[at] = ord("X") if message[at] != ord("X") else ord("Y")
    context, tab = open_scanner()
    offline(context, tab)
    state, shown = scan(tab, code_photo(qr_text(live_app, bytes(message)), photos, "altered"))
    assert state == "forged"
    assert "Not genuine." in shown and "it was altered" in shown
    assert certificate.holder_name not in shown  # an unsigned text is never shown


def test_offline_a_code_signed_outside_its_keys_window(open_scanner, live_app, certificate, photos):
    with live_app.app_context():
        signer = keys.certificate_signer()
        before = signer.key.not_before - timedelta(days=1)
        claims = claims_of(certificate)
        backdated = signing.Claims(**{**claims.__dict__, "issued_on": before})
        message = signing.sign_claims(backdated, signer.kid, signer.private_key)
    context, tab = open_scanner()
    offline(context, tab)
    state, shown = scan(tab, code_photo(qr_text(live_app, message), photos, "outside"))
    assert state == "outside_window"
    assert "Not genuine." in shown and "not valid on the date" in shown


def test_offline_a_code_signed_by_a_compromised_key(open_scanner, live_app, certificate, photos):
    private = signing.new_private_key()
    kid = signing.key_id(private.public_key())
    today = date.today()
    with live_app.app_context():
        key = SigningKey(
            kid=kid.hex(),
            purpose=KeyPurpose.CERTIFICATES,
            public_key=signing.public_key_bytes(private.public_key()),
            not_before=today - timedelta(days=400),
            not_after=today + timedelta(days=400),
            status=KeyStatus.COMPROMISED,
            status_changed_at=datetime.now(UTC),
            status_reason="test: the key left on a lost laptop",
        )
        db.session.add(key)
        db.session.commit()
        key_id = key.id
    try:
        message = signing.sign_claims(claims_of(certificate), kid, private)
        context, tab = open_scanner()  # the trust list now names it compromised
        offline(context, tab)
        state, shown = scan(tab, code_photo(qr_text(live_app, message), photos, "compromised"))
        assert state == "compromised"
        assert "Cannot be trusted." in shown and "reported compromised" in shown
    finally:
        with live_app.app_context():
            db.session.execute(sa.delete(SigningKey).where(SigningKey.id == key_id))
            db.session.commit()
            trust.forget_documents()


def test_offline_a_serial_revoked_since_the_last_visit(open_scanner, live_app, photos, screenshot):
    chosen = _certificate(live_app, offset=1)  # the latest, not the one other tests read
    context, tab = open_scanner()
    photo = pdf_photo(chosen.pdf, photos, "revoked", crop=True)
    # Online, the close-up reads as valid.
    assert scan(tab, photo)[0] == "valid"
    with live_app.app_context():
        row = db.session.get(Certificate, chosen.id)
        row.status = CertificateStatus.REVOKED
        row.revoked_at = datetime.now(UTC)
        row.revocation_reason = "test: issued in error"
        db.session.commit()
    try:
        # Back online once: the page and its worker fetch the new status list.
        tab.reload()
        tab.wait_for_selector("[data-scanner][data-lists-ready=fetched]")
        offline(context, tab)
        state, shown = scan(tab, photo)
        assert state == "revoked"
        assert "Revoked" in shown and "withdrawn by the issuing programme" in shown
        assert chosen.serial in shown
        screenshot(tab, "scanner-revoked-offline")
    finally:
        with live_app.app_context():
            row = db.session.get(Certificate, chosen.id)
            row.status = CertificateStatus.VALID
            row.revoked_at = None
            row.revocation_reason = None
            db.session.commit()
            trust.forget_documents()


def test_offline_an_expired_certificate(open_scanner, live_app, photos):
    expired = _certificate(live_app, expired=True)
    context, tab = open_scanner()
    offline(context, tab)
    state, shown = scan(tab, pdf_photo(expired.pdf, photos, "expired"))
    assert state == "expired"
    assert f"Expired on {day(expired.valid_until)}" in shown
    assert expired.holder_name in shown


def test_offline_a_stale_status_list_is_shown_as_such(
    open_scanner, live_app, certificate, photos, screenshot
):
    context, tab = open_scanner()
    next_update = datetime.fromisoformat(
        tab.evaluate(
            """async () => {
                const document = await (await fetch("/verify/status.json")).json();
                const bytes = atob(document.payload.replace(/-/g, "+").replace(/_/g, "/"));
                return JSON.parse(bytes).next_update;
            }"""
        ).replace("Z", "+00:00")
    )
    # The phone's clock past the list's next update, the network still gone.
    offline(context, tab, now=next_update + timedelta(hours=2))
    assert tab.locator("[data-stale]").is_visible()
    assert "older than its next update" in tab.locator("[data-stale]").inner_text()
    state, shown = scan(tab, pdf_photo(certificate.pdf, photos, "stale"))
    assert state == "valid"
    assert "Revocation data as of" in shown
    assert "older than its next update" in tab.locator("[data-stale-warning]").inner_text()
    screenshot(tab, "scanner-stale-offline")


def test_a_photo_without_a_qr_code_says_so(open_scanner, photos):
    blank = photos / "blank.png"
    Image.new("RGB", (800, 600), (240, 240, 240)).save(blank)
    context, tab = open_scanner()
    offline(context, tab)
    tab.set_input_files("#scan-photo", str(blank))
    tab.wait_for_selector("[data-scan-message] .alert-warning")
    assert "No QR code was found" in tab.locator("[data-scan-message]").inner_text()
    assert tab.locator("[data-scan-state]").count() == 0


def test_the_scanner_on_a_desktop_without_network(
    browser, live_server, live_app, certificate, photos, screenshot
):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 1280, "height": 860}, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        tab.goto("/verify/scan")
        tab.wait_for_selector("[data-scanner][data-offline-ready]")
        offline(context, tab)
        assert scan(tab, pdf_photo(certificate.pdf, photos, "desktop"))[0] == "valid"
        screenshot(tab, "scanner-valid-offline-desktop")
    finally:
        context.close()


def test_the_scanner_and_the_attendance_worker_keep_apart(
    browser, live_server, live_app, certificate, photos, sign_in
):
    """A coordinator signed in: the attendance worker takes the site, the
    scanner's own worker the scan page alone; without network the scan page
    is the anonymous copy (no one's name), and the attendance pages are
    still the attendance worker's."""
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB"
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        tab = context.new_page()
        sign_in(tab, "coordinator@example.org")
        tab.wait_for_function("() => navigator.serviceWorker.controller !== null")
        home_worker = tab.evaluate("navigator.serviceWorker.controller.scriptURL")
        assert home_worker.endswith("/sw.js")
        name = tab.locator("nav .navbar-text").text_content().strip()
        tab.goto("/verify/scan")
        assert name in tab.content()  # online, the signed-in user's own menu
        tab.wait_for_selector("[data-scanner][data-offline-ready]")
        scopes = tab.evaluate(
            "navigator.serviceWorker.getRegistrations()"
            ".then((all) => all.map((r) => new URL(r.scope).pathname).sort())"
        )
        assert scopes == ["/", "/verify/scan"]
        assert tab.evaluate("navigator.serviceWorker.controller.scriptURL").endswith(
            "/verify/scan/sw.js"
        )
        # What the scanner's worker keeps holds no one's name.
        kept = tab.evaluate(
            """async () => {
                const texts = [];
                for (const name of await caches.keys()) {
                    if (!name.startsWith("atelier-scanner-")) continue;
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) {
                        const response = await cache.match(request);
                        const type = response.headers.get("Content-Type") || "";
                        if (type.startsWith("text/html")) texts.push(await response.text());
                    }
                }
                return texts;
            }"""
        )
        assert len(kept) == 3  # English, French and Arabic
        assert all(name not in page and 'data-user=""' in page for page in kept)
        offline(context, tab)
        assert name not in tab.content()
        assert scan(tab, pdf_photo(certificate.pdf, photos, "apart"))[0] == "valid"
        context.set_offline(False)
        tab.goto("/")  # the attendance worker's, as before
        assert tab.evaluate("navigator.serviceWorker.controller.scriptURL") == home_worker
    finally:
        context.close()
