"""The certificate renderer: plain data in, a one-page A4 landscape PDF out;
text read back with pypdf."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode import qrencoder

from training.pdf import qr
from training.pdf.certificate import (
    Signatory,
    render_certificate,
    render_certificates,
    sample_certificate,
)


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes, page: int = 0) -> str:
    return read(data).pages[page].extract_text()


def test_one_a4_landscape_page_with_what_it_must_state():
    data = sample_certificate(7)
    pdf = render_certificate(data)
    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    text = text_of(pdf)
    assert data.holder_name in text  # Aïcha Maïga-Traoré 7: accents intact
    assert "Commissaire divisionnaire" in text and "Police nationale du Mali" in text
    assert data.course_title_fr in text and data.course_title_en in text
    assert f"N° {data.serial}" in text
    assert "atelier.example.org/verify" in text
    assert "2–6 mars 2026" in text
    assert "Niamey, Niger" in text
    assert "30 heures" in text
    assert "G5 SAHEL DEFENCE COLLEGE" in text
    assert "Amina Diallo" in text and "Marc Lefèvre" in text


def test_a_french_certificate_names_the_issuers_and_signatories_in_french_first():
    text = text_of(render_certificate(sample_certificate(7, language="fr")))
    assert "ONUDC  ·  DOP" in text and "UNODC" not in text.split("\n")[0]
    assert "Cheffe du Service de la prévention du" in text  # the French title first
    assert "Head, Terrorism Prevention Branch, UNODC" in text  # then the English one
    assert re.search(r"Pour vérifier\s: scannez le code QR", text)
    assert "To verify: scan the QR code, or type the serial" in text


def test_an_english_certificate_names_them_in_english_first():
    text = text_of(render_certificate(sample_certificate(7, language="en", bilingual=False)))
    assert text.startswith("UNODC  ·  DPO")
    assert "Head, Terrorism Prevention Branch, UNODC" in text
    assert "Cheffe" not in text and "ONUDC" not in text
    assert "Serial ATL-2026-000007" in text
    assert "the serial and the holder’s family name at" in text


def test_a_signatory_without_a_french_title_keeps_the_english_one():
    signatory = Signatory("Awa Sow", "Programme Manager")
    text = text_of(render_certificate(sample_certificate(signatories=(signatory,))))
    assert "Awa Sow" in text and text.count("Programme Manager") == 1


def test_the_qr_code_is_a_link_to_the_signed_address():
    data = sample_certificate(3)
    annotations = read(render_certificate(data)).pages[0]["/Annots"]
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in annotations]
    assert uris == [data.qr_text]


@pytest.mark.parametrize(
    "kind, french, english",
    [
        ("completion", "CERTIFICAT DE RÉUSSITE", "Certificate of Completion"),
        ("participation", "CERTIFICAT DE PARTICIPATION", "Certificate of Participation"),
        ("trainer", "CERTIFICAT DE FORMATEUR", "Trainer Certificate"),
    ],
)
def test_title_by_kind_in_the_sessions_language_first(kind, french, english):
    text = text_of(render_certificate(sample_certificate(kind=kind, language="fr")))
    assert french in text and english in text
    text = text_of(render_certificate(sample_certificate(kind=kind, language="en")))
    assert english.upper() in text


def test_english_only_when_not_bilingual():
    text = text_of(render_certificate(sample_certificate(language="en", bilingual=False)))
    assert "CERTIFICATE OF COMPLETION" in text
    assert "Certificat" not in text and "Nous certifions" not in text
    assert "2–6 March 2026" in text


def test_validity_and_replacement_are_stated():
    text = text_of(
        render_certificate(
            sample_certificate(valid_until=date(2029, 3, 6), replaces_serial="ATL-2026-000007")
        )
    )
    assert "Valable jusqu’au 6 mars 2029" in text
    assert "remplace le certificat ATL-2026-000007" in text


def test_markup_in_names_prints_literally():
    name = '<font color="red">Evil</font> & <b>Co</b>'
    text = text_of(render_certificate(sample_certificate(holder_name=name, city="<i>Niamey</i>")))
    assert name in text
    assert "<i>Niamey</i>" in text


def test_names_outside_latin1_render():
    text = text_of(render_certificate(sample_certificate(holder_name="Şerban Ţărână Øster")))
    assert "Şerban Ţărână Øster" in text


def test_a_long_name_and_title_still_fit_on_one_page():
    pdf = render_certificate(
        sample_certificate(
            holder_name="Mahamat Saleh Abdelkerim Ousmane Brahim Al-Hassan Ould Mohamed Lemine",
            course_title_fr="Enquêtes financières, saisie et confiscation des avoirs criminels "
            "liés au terrorisme et à la criminalité organisée transnationale dans le Sahel",
        )
    )
    assert len(read(pdf).pages) == 1
    assert "Ould Mohamed Lemine" in text_of(pdf)


def test_many_certificates_in_one_print_file_share_the_artwork():
    pdf = render_certificates([sample_certificate(index) for index in range(1, 6)])
    reader = read(pdf)
    assert len(reader.pages) == 5
    for index, page in enumerate(reader.pages, start=1):
        assert f"ATL-2026-{index:06d}" in page.extract_text()
    forms = {
        page["/Resources"]["/XObject"].raw_get(name).idnum
        for page in reader.pages
        for name in page["/Resources"]["/XObject"]
    }
    assert len(forms) == 1  # one form XObject drawn on every page


def test_dates_across_months_and_years():
    text = text_of(
        render_certificate(
            sample_certificate(start_date=date(2026, 3, 30), end_date=date(2026, 4, 3))
        )
    )
    assert "30 mars – 3 avril 2026" in text
    text = text_of(
        render_certificate(
            sample_certificate(
                start_date=date(2025, 12, 29), end_date=date(2026, 1, 2), language="en"
            )
        )
    )
    assert "29 December 2025 – 2 January 2026" in text


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        sample_certificate(kind="honorary")


# ------------------------------------------------------------------ QR codes


SIGNED = "HTTPS://ATELIER.EXAMPLE.ORG/V/" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" * 12


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
@pytest.mark.parametrize(
    "value",
    [
        "https://atelier.example.org/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "é" * 40,
        SIGNED,
        SIGNED[:-1],  # an odd number of alphanumeric characters
        "A",
        "x" * 900,
    ],
)
def test_the_fast_encoder_equals_reportlabs_encoding_with_the_fixed_mask(level, value):
    """Module for module, ReportLab's symbol for mask 0 in the same mode
    (any of the eight masks is a valid QR code; only the search is skipped)."""
    ours = qr.qr_symbol(value, level)
    theirs = qrencoder.QRCode(None, qr.LEVELS[level])
    segment = qrencoder.QRAlphaNum if qr.is_alphanumeric(value) else qrencoder.QR8bitByte
    theirs.addData(segment(value))
    theirs.version = theirs.calculate_version()
    theirs.makeImpl(False, qr.FIXED_MASK_PATTERN)
    assert ours.version == theirs.version
    assert ours.modules == "".join("1" if dark else "0" for row in theirs.modules for dark in row)
    assert qr.qr_modules(value, level) == tuple(tuple(row) for row in theirs.modules)


def test_upper_case_text_is_encoded_in_alphanumeric_mode():
    """5.5 bits a character instead of 8: the signed address of a
    certificate (here 414 characters) is a version 15 symbol at level Q
    rather than a version 19 one."""
    assert qr.qr_symbol(SIGNED, "Q").alphanumeric
    assert qr.qr_symbol(SIGNED, "Q").version == 15
    assert qr.qr_symbol(SIGNED.lower(), "Q").version == 19
    assert not qr.qr_symbol("https://atelier.example.org", "Q").alphanumeric


def test_the_qr_code_is_one_image_mask_of_its_modules():
    symbol = qr.qr_symbol(SIGNED, "Q")
    pdf = render_certificate(sample_certificate(qr_text=SIGNED))
    content = read(pdf).pages[0].get_contents().get_data().decode("latin-1")
    header = f"BI /W {symbol.size} /H {symbol.size} /IM true /BPC 1 /D [1 0] /F /AHx"
    assert content.count(header) == 1
    hex_data = content.split(header, 1)[1].split("ID ", 1)[1].split(">", 1)[0]
    width = -(-symbol.size // 8) * 8
    bits = bin(int(hex_data, 16))[2:].zfill(width * symbol.size)
    rows = [bits[row * width : row * width + symbol.size] for row in range(symbol.size)]
    assert rows == symbol.rows()
