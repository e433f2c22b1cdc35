"""The printed QR code, read as a checkpoint would: the issued PDF rendered
at 300 dpi by pdftoppm, decoded by a real decoder (zbar's zbarimg), its
signature checked; at least 30 mm wide, error correction Q."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from tests.certificates.conftest import completed_session, graduate
from training.certificates import services, signing
from training.pdf import qr
from training.pdf.certificate import PAGE_HEIGHT, QR_SIZE, QR_X, QR_Y
from training.sessions.models import SessionLanguage

DPI = 300
MM_PER_INCH = 25.4


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is needed (bash .ci/system-deps.sh installs it)")
    return path


def render_png(pdf: bytes, folder: Path, dpi: int = DPI) -> Path:
    source = folder / "certificate.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            tool("pdftoppm"),
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            str(source),
            str(folder / "page"),
        ],
        check=True,
        timeout=60,
    )
    return folder / "page.png"


def decode(png: Path) -> list[str]:
    done = subprocess.run(
        [tool("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if line]


def symbol_width_mm(png: Path) -> float:
    """The width of the QR code's dark modules on the page, in millimetres:
    the box of near-black pixels inside the QR code's square."""
    scale = DPI / 72
    with Image.open(png) as page:
        box = (
            round(QR_X * scale),
            round((PAGE_HEIGHT - QR_Y - QR_SIZE) * scale),
            round((QR_X + QR_SIZE) * scale),
            round((PAGE_HEIGHT - QR_Y) * scale),
        )
        dark = page.convert("L").crop(box).point(lambda value: 255 if value < 96 else 0)
        left, _top, right, _bottom = dark.getbbox()
    return (right - left) / DPI * MM_PER_INCH


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_printed_qr_code_reads_at_300_dpi_and_its_signature_checks(
    app, client, tmp_path, language
):
    certificate = services.issue_certificate(
        graduate(completed_session(language=SessionLanguage(language))), None
    )
    png = render_png(certificate.pdf, tmp_path)
    (text,) = decode(png)
    assert text == signing.qr_text(app.config["ATELIER_PUBLIC_URL"], certificate.signed_payload)
    assert text.startswith("HTTP://127.0.0.1:5000/V/")
    message = signing.parse_sign1(signing.message_from_code(text))
    key = signing.load_public_key(certificate.signing_key.public_key)
    assert signing.signature_matches(message, key)
    claims = signing.decode_claims(message.payload)
    assert claims.serial == certificate.serial and claims.holder_name == certificate.holder_name
    # What the camera opens: the same page as /verify, valid.
    page = client.get(text.removeprefix("HTTP://127.0.0.1:5000"))
    assert 'data-verification="valid"' in page.text
    symbol = qr.qr_symbol(text, "Q")
    assert symbol.alphanumeric and 10 <= symbol.version <= 20
    assert symbol_width_mm(png) >= 30


def test_a_long_name_and_title_still_read_at_300_dpi(app, tmp_path):
    training_session = completed_session()
    training_session.curriculum.title_fr = (
        "Enquêtes financières, saisie et confiscation des avoirs criminels liés au terrorisme "
        "et à la criminalité organisée transnationale dans le Sahel"
    )
    enrollment = graduate(training_session)
    enrollment.participant.given_name = "Mahamat Saleh Abdelkerim Ousmane"
    enrollment.participant.family_name = "Brahim Al-Hassan Ould Mohamed Lemine"
    certificate = services.issue_certificate(enrollment, None)
    png = render_png(certificate.pdf, tmp_path)
    (text,) = decode(png)
    assert signing.message_from_code(text) == certificate.signed_payload
    assert symbol_width_mm(png) >= 30


def test_the_printed_symbol_is_the_level_q_encoding_of_the_signed_address(app):
    certificate = services.issue_certificate(graduate(completed_session()), None)
    text = signing.qr_text(app.config["ATELIER_PUBLIC_URL"], certificate.signed_payload)
    symbol = qr.qr_symbol(text, "Q")
    content = PdfReader(io.BytesIO(certificate.pdf)).pages[0].get_contents().get_data()
    header = f"BI /W {symbol.size} /H {symbol.size} /IM true /BPC 1 /D [1 0] /F /AHx"
    hex_data = content.decode("latin-1").split(header, 1)[1].split("ID ", 1)[1].split(">", 1)[0]
    width = -(-symbol.size // 8) * 8
    bits = bin(int(hex_data, 16))[2:].zfill(width * symbol.size)
    assert [bits[row * width : row * width + symbol.size] for row in range(symbol.size)] == (
        symbol.rows()
    )


def test_the_signatories_names_and_titles_come_from_the_configuration(app):
    from tests.certificates.test_services import pdf_text

    changes = {
        "ATELIER_SIGNATORY_1_NAME": "Amadou Diallo",
        "ATELIER_SIGNATORY_1_TITLE": "Head, UNODC Sahel Programme",
        "ATELIER_SIGNATORY_1_TITLE_FR": "Chef du Programme Sahel de l’ONUDC",
        "ATELIER_SIGNATORY_2_NAME": "Claire Martin",
    }
    saved = {name: app.config[name] for name in changes}
    app.config.update(changes)
    try:
        french = services.issue_certificate(graduate(completed_session()), None)
        english = services.issue_certificate(
            graduate(completed_session(language=SessionLanguage("en"))), None
        )
    finally:
        app.config.update(saved)
    text = pdf_text(french.pdf)
    assert "Amadou Diallo" in text and "Claire Martin" in text
    assert text.index("Chef du Programme Sahel de l’ONUDC") < text.index(
        "Head, UNODC Sahel Programme"
    )
    assert "Département des opérations de paix" in text  # the default's French
    assert "ONUDC  ·  DOP" in text
    english_text = pdf_text(english.pdf)
    assert english_text.index("Head, UNODC Sahel Programme") < english_text.index(
        "Chef du Programme Sahel"
    )
    assert "UNODC  ·  DPO" in english_text
