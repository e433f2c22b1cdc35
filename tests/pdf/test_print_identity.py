"""A page drawn again into a print PDF is the page that was stored: each
page of `render_certificates` looks, pixel for pixel, like the one-page PDF
`render_certificate` made from the same data (rendered by pdftoppm), and
`render_digest` changes with anything that changes the drawing."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from training.pdf.certificate import (
    Signatory,
    render_certificate,
    render_certificates,
    sample_arabic_certificate,
    sample_certificate,
)
from training.pdf.certificate_digest import render_digest

DPI = 60  # enough to see any glyph, line or QR module move


def pixels(pdf: bytes, folder: Path, name: str) -> list[bytes]:
    """Each page of `pdf` as pdftoppm's PPM bytes (header and pixels)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        pytest.fail("pdftoppm is needed (bash .ci/system-deps.sh installs it)")
    source = folder / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run([tool, "-r", str(DPI), str(source), str(folder / name)], check=True, timeout=120)
    return [path.read_bytes() for path in sorted(folder.glob(f"{name}-*.ppm"))]


def various() -> list:
    """Certificates that print differently: kinds, languages, an Arabic
    name and title, a replacement, a validity, a long name, two numbers of
    hours."""
    return [
        sample_certificate(1),
        sample_certificate(2, language="en", kind="participation"),
        sample_certificate(3, kind="trainer", valid_until=sample_certificate(3).end_date),
        sample_certificate(
            4,
            holder_name="Mahamat Abdelkerim Ousmane Ali Haroun Zakaria Brahim Djibrine",
            total_hours=Decimal("22.5"),
            replaces_serial="ATL-2026-000123",
        ),
        sample_arabic_certificate(5),
        sample_certificate(6, holder_name_ar="عائشة مايغا"),
        sample_certificate(7, bilingual=False),
    ]


def test_each_page_of_the_print_pdf_is_the_stored_page(tmp_path):
    certificates = various()
    print_pages = pixels(render_certificates(certificates), tmp_path, "print")
    assert len(print_pages) == len(certificates)
    for index, data in enumerate(certificates):
        (stored,) = pixels(render_certificate(data), tmp_path, f"one{index}")
        assert print_pages[index] == stored, f"page {index + 1} ({data.serial}) differs"


def test_the_print_pdf_says_what_each_stored_page_says():
    certificates = various()
    reader = PdfReader(io.BytesIO(render_certificates(certificates)))
    for page, data in zip(reader.pages, certificates, strict=True):
        stored = PdfReader(io.BytesIO(render_certificate(data))).pages[0]
        assert page.extract_text() == stored.extract_text()


def test_the_digest_changes_with_what_is_drawn(tmp_path):
    data = sample_certificate(1)
    digest = render_digest(data)
    assert digest == render_digest(sample_certificate(1))  # the same drawing
    # The same number of hours, however it was read back.
    assert render_digest(dataclasses.replace(data, total_hours=Decimal("30.0"))) == (
        render_digest(dataclasses.replace(data, total_hours=Decimal("30")))
    )
    changed = [
        dataclasses.replace(data, holder_name=data.holder_name + "e"),
        dataclasses.replace(data, qr_text=data.qr_text[:-1] + "A"),  # another address
        dataclasses.replace(data, verify_address="certificats.example.org/verify"),
        dataclasses.replace(data, signatories=(Signatory("Someone Else", "Director"),)),
        dataclasses.replace(data, total_hours=Decimal("31")),
        dataclasses.replace(data, language="en"),
        dataclasses.replace(data, issued_on=data.issued_on.replace(day=1)),
    ]
    assert len({digest, *(render_digest(one) for one in changed)}) == len(changed) + 1
    # A logo is its file: the same path with other contents is another drawing.
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG first")
    with_logo = dataclasses.replace(data, logo_left=str(logo))
    first = render_digest(with_logo)
    logo.write_bytes(b"\x89PNG second, another size")
    assert render_digest(with_logo) != first
