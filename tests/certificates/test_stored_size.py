"""Issue 18, item 3: a stored certificate is at most 50 KB, each font
embedded once and subset to what the page prints; certificates issued
before keep their stored bytes."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from training.certificates import services, statements
from training.extensions import db
from training.pdf.certificate import render_certificates

LIMIT = 50 * 1024


def _embedded_fonts(pdf: bytes) -> list[tuple[str, int]]:
    """(PostScript name without its subset tag, glyph codes) of every
    embedded font of the first page."""
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    embedded = []
    for font in fonts.values():
        font = font.get_object()
        if "/FontDescriptor" in font:
            name = str(font["/BaseFont"]).split("+", 1)[1]
            embedded.append((name, int(font["/LastChar"]) + 1))
    return embedded


def test_a_newly_issued_certificate_is_small_and_states_what_it_certifies(client, login_as, world):
    certificate = services.issue_certificate(world.enrollment, world.coordinator)
    db.session.commit()
    login_as(world.owner)
    response = client.get(f"/certificates/{certificate.serial}.pdf")
    assert response.status_code == 200
    pdf = response.data
    assert len(pdf) <= LIMIT, f"{len(pdf)} bytes"
    fonts = _embedded_fonts(pdf)
    names = [name for name, _ in fonts]
    # One subset per face, never the same face twice.
    assert len(names) == len(set(names)) >= 2
    # Subset to the page: a few dozen glyphs, not all of ASCII and Latin-1.
    assert all(glyphs < 100 for _, glyphs in fonts), fonts
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    participant = world.owner.participant
    assert participant.family_name.upper() in text.upper()
    assert participant.given_name in text
    assert world.training_session.curriculum.title_en in text
    assert certificate.serial in text


def test_a_previously_issued_certificate_keeps_its_bytes(client, auth, login_as, world):
    certificate = services.issue_certificate(world.enrollment, world.coordinator)
    db.session.commit()
    # As issued before issue 18: the same page with the fonts primed with
    # all of Latin-1 (two subsets of each face), some 100 KB.
    data = statements.certificate_data(certificate, statements.certificate_settings())
    old = render_certificates([data], title=f"Certificate of Completion {certificate.serial}")
    assert len(old) > 2 * LIMIT
    certificate.pdf, certificate.pdf_sha256 = old, hashlib.sha256(old).hexdigest()
    db.session.commit()
    login_as(world.owner)
    for _ in range(2):
        response = client.get(f"/certificates/{certificate.serial}.pdf")
        assert response.status_code == 200
        assert response.data == old
    auth.logout()
    login_as(world.coordinator)
    response = client.get(f"/sessions/{world.training_session.id}/certificates.zip")
    assert response.status_code == 200
    assert old in response.data
