"""A browser checks a certificate with no network, as docs/verification.md
says: the documentation's JavaScript, run as it is in Chromium, against the
live server's own certificates, trust list and status list, with the
context offline (WebCrypto, no library). And the verification pages, on a
390 px phone, in French and English."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from training.certificates import keys, signing
from training.certificates.models import Certificate, CertificateStatus
from training.extensions import db

DOC = Path(__file__).resolve().parents[2] / "docs" / "verification.md"


def browser_script() -> str:
    """The JavaScript blocks of "Verifying in a browser", in order."""
    text = DOC.read_text()
    section = text.split("## Verifying in a browser (WebCrypto)", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```js\n(.*?)```", section, re.S)
    assert len(blocks) >= 5
    return "\n".join(blocks)


@pytest.fixture
def certificate(live_app, live_server):
    with live_app.app_context():
        found = db.session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.status == CertificateStatus.VALID,
                Certificate.signed_payload.is_not(None),
                sa.or_(Certificate.valid_until.is_(None), Certificate.valid_until >= date.today()),
            )
            .order_by(Certificate.id)
            .limit(1)
        ).one()
        db.session.expunge(found)
        return found


@pytest.fixture
def offline_verifier(browser, live_server):
    """A tab that fetched the three documents while online, then went
    offline; `verify(scanned, trust_list=..., status=..., now=...)` runs the
    documentation's script there."""
    context = browser.new_context(base_url=live_server)
    tab = context.new_page()
    tab.goto("/verify")
    fetched = tab.evaluate(
        """async () => {
            const get = async (name) => (await fetch(`/verify/${name}.json`)).json();
            return {root: await get("root-key"), trust: await get("trust-list"),
                    status: await get("status")};
        }"""
    )
    context.set_offline(True)
    script = browser_script()

    def verify(scanned: str, trust_list=None, status=None, now: datetime | None = None) -> dict:
        moment = (now or datetime.now(UTC)).isoformat()
        return tab.evaluate(
            "async ([scanned, root, trust, status, now]) => {\n"
            + script
            + "\nreturn await verifyCertificate(scanned, root, trust, status, new Date(now));\n}",
            [
                scanned,
                fetched["root"],
                trust_list or fetched["trust"],
                status or fetched["status"],
                moment,
            ],
        )

    verify.documents = fetched  # type: ignore[attr-defined]
    yield verify
    context.close()


def scanned(live_app, certificate) -> str:
    return signing.qr_text(live_app.config["ATELIER_PUBLIC_URL"], certificate.signed_payload)


def resigned(live_app, document: dict, change) -> dict:
    """The document's body changed by `change` and signed again by the
    server's root key (as a later download would be)."""
    with live_app.app_context():
        root = keys.root_signer()
        body = signing.open_document(document, signing.load_public_key(root.key.public_key))
        change(body)
        return signing.sign_document(body, root.kid, root.private_key)


def test_offline_the_browser_verifies_a_valid_certificate(live_app, certificate, offline_verifier):
    result = offline_verifier(scanned(live_app, certificate))
    assert result["state"] == "valid"
    assert result["certificate"]["serial"] == certificate.serial
    assert result["certificate"]["holder"] == certificate.holder_name
    assert result["certificate"]["issued"] == certificate.issued_at.date().isoformat()
    assert not result["stale"]
    # The same in lower case, as some scanners give it.
    assert offline_verifier(scanned(live_app, certificate).lower())["state"] == "valid"


def test_offline_an_altered_code_is_forged(live_app, certificate, offline_verifier):
    text = scanned(live_app, certificate)
    position = len(text) - 20
    altered = text[:position] + ("B" if text[position] != "B" else "C") + text[position + 1 :]
    assert offline_verifier(altered)["state"] == "forged"
    assert offline_verifier(text[:-8])["state"] == "forged"
    assert offline_verifier("HTTPS://ATELIER.EXAMPLE.ORG/V/NOT-BASE32!")["state"] == "forged"


def test_offline_a_code_signed_by_an_unlisted_key_is_forged(
    live_app, certificate, offline_verifier
):
    claims = signing.decode_claims(signing.parse_sign1(certificate.signed_payload).payload)
    stranger = signing.new_private_key()
    message = signing.sign_claims(claims, signing.key_id(stranger.public_key()), stranger)
    text = signing.qr_text(live_app.config["ATELIER_PUBLIC_URL"], message)
    assert offline_verifier(text)["state"] == "forged"


def test_offline_a_revoked_serial(live_app, certificate, offline_verifier):
    status = resigned(
        live_app,
        offline_verifier.documents["status"],
        lambda body: body["revoked"].append(certificate.serial),
    )
    assert offline_verifier(scanned(live_app, certificate), status=status)["state"] == "revoked"


def test_offline_a_compromised_key(live_app, certificate, offline_verifier):
    def compromise(body):
        for key in body["keys"]:
            key["status"] = "compromised"

    trust_list = resigned(live_app, offline_verifier.documents["trust"], compromise)
    result = offline_verifier(scanned(live_app, certificate), trust_list=trust_list)
    assert result["state"] == "compromised"


def test_offline_a_key_outside_its_window(live_app, certificate, offline_verifier):
    later = (certificate.issued_at.date() + timedelta(days=1)).isoformat()

    def shift(body):
        for key in body["keys"]:
            key["not_before"] = later
            key["not_after"] = max(later, key["not_after"])

    trust_list = resigned(live_app, offline_verifier.documents["trust"], shift)
    result = offline_verifier(scanned(live_app, certificate), trust_list=trust_list)
    assert result["state"] == "outside_window"


def test_offline_a_stale_status_list_is_flagged(live_app, certificate, offline_verifier):
    status = offline_verifier.documents["status"]
    body = json.loads(signing.from_b64url(status["payload"]))
    after = datetime.fromisoformat(body["next_update"].replace("Z", "+00:00")) + timedelta(hours=1)
    result = offline_verifier(scanned(live_app, certificate), now=after)
    assert result["state"] == "valid" and result["stale"]
    assert result["statusAsOf"] == body["issued_at"]


def test_offline_documents_not_signed_by_the_root_are_refused(
    live_app, certificate, offline_verifier
):
    status = dict(offline_verifier.documents["status"])
    status["payload"] = signing.b64url(b'{"type":"atelier-status","version":1,"revoked":[]}')
    with pytest.raises(Exception, match="untrusted atelier-status"):
        offline_verifier(scanned(live_app, certificate), status=status)
    trust = offline_verifier.documents["trust"]
    with pytest.raises(Exception, match="untrusted atelier-trust-list"):
        offline_verifier(
            scanned(live_app, certificate), trust_list=offline_verifier.documents["status"]
        )
    assert trust  # the genuine one still opens (the other tests)


# ------------------------------------------------ the pages, on a phone


@pytest.mark.parametrize(
    "locale, valid", [("fr-FR", "Certificat valide"), ("en-GB", "Valid certificate")]
)
def test_the_verification_pages_on_a_390_px_phone(
    browser, live_server, live_app, certificate, screenshot, locale, valid
):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale=locale,
    )
    tab = context.new_page()
    try:
        # What a phone's camera opens: the QR code's own address.
        text = scanned(live_app, certificate)
        tab.goto("/V/" + text.rsplit("/V/", 1)[1])
        assert valid in tab.locator("[data-verification]").inner_text()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(tab, f"verify-signed-{locale}")
        # Typed: the serial, then the family name.
        tab.goto("/verify")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        tab.fill("input[name=code]", certificate.serial.lower().replace("-", " "))
        tab.locator("form[method=get] button[type=submit]").click()
        tab.wait_for_selector("[data-step=family-name]")
        screenshot(tab, f"verify-family-name-{locale}")
        tab.fill("input[name=family_name]", certificate.holder_family_name.upper())
        tab.locator("[data-step=family-name] button[type=submit]").click()
        tab.wait_for_selector("[data-verification]")
        assert valid in tab.locator("[data-verification]").inner_text()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(tab, f"verify-typed-{locale}")
        # A wrong name says only that nothing matches.
        tab.goto("/verify?code=" + certificate.serial)
        tab.fill("input[name=family_name]", "Nobody")
        tab.locator("[data-step=family-name] button[type=submit]").click()
        tab.wait_for_selector("[data-verification=no_match]")
    finally:
        context.close()
