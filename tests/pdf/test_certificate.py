"""The certificate renderer: plain data in, a one-page A4 landscape PDF out;
text read back with pypdf."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.graphics.barcode import qrencoder

from training.pdf import qr
from training.pdf.certificate import (
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
    assert data.serial in text
    assert data.grouped_code in text
    assert data.verify_url in text
    assert "2–6 mars 2026" in text
    assert "Niamey, Niger" in text
    assert "30 heures" in text
    assert "UNODC" in text and "DPO" in text and "G5 SAHEL DEFENCE COLLEGE" in text
    assert "Amina Diallo" in text and "Head, Terrorism Prevention Branch, UNODC" in text


def test_the_qr_code_is_a_link_to_the_verification_page():
    data = sample_certificate(3)
    annotations = read(render_certificate(data)).pages[0]["/Annots"]
    uris = [annotation.get_object()["/A"]["/URI"] for annotation in annotations]
    assert uris == [data.verify_url]


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


@pytest.mark.parametrize("level", ["L", "M", "Q", "H"])
@pytest.mark.parametrize(
    "value", ["https://atelier.example.org/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "é" * 40]
)
def test_fixed_mask_qr_equals_reportlabs_encoding_with_that_mask(level, value):
    """The fast encoder gives exactly ReportLab's symbol for mask 0 (any of
    the eight masks is a valid QR code; only the search is skipped)."""
    ours = qr.FixedMaskQrCodeWidget(value, barLevel=level).qr
    ours.make()
    theirs = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    theirs.addData(qrencoder.QR8bitByte(value))
    theirs.version = theirs.calculate_version()
    theirs.makeImpl(False, qr.FIXED_MASK_PATTERN)
    assert ours.modules == theirs.modules
    assert ours.version == theirs.version


def test_qr_path_draws_every_dark_module_once():
    value = "https://atelier.example.org/verify/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    modules = qr.qr_modules(value)
    count, operators = qr.qr_path_operators(value)
    assert count == len(modules)
    runs = [line.split() for line in operators.splitlines() if line.endswith(" re")]
    assert sum(int(run[2]) for run in runs) == sum(sum(row) for row in modules)
