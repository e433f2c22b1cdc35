"""Rendering a certificate changes nothing for the other documents: the
sign-in sheet and the donor report come out byte for byte the same whether
or not a certificate was rendered earlier in the process, and ReportLab's
settings and the shared registered fonts are left as they were."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from reportlab import rl_config, rl_settings
from reportlab.pdfbase import pdfmetrics

from training.pdf import certificate_fonts
from training.pdf.certificate import render_certificate, render_certificates, sample_certificate
from training.pdf.fonts import (
    FONT_BOLD,
    FONT_BOLD_ITALIC,
    FONT_ITALIC,
    FONT_REGULAR,
    register_fonts,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED_FONTS = (FONT_REGULAR, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC)

# Run in a fresh interpreter: renders (certificates first when asked) and
# prints a digest of the other documents. invariant=1 fixes the dates and
# the document ID that would otherwise differ between two runs.
_SCRIPT = """
import hashlib, json, sys
from reportlab import rl_config
rl_config.invariant = 1
from tests.pdf.test_donor_report import _report
from tests.pdf.test_sign_in_sheet import make_sheet
from training.pdf.donor_report import render_donor_report
from training.pdf.sign_in_sheet import render_sign_in_sheet
if sys.argv[1] == "certificate first":
    from training.pdf.certificate import render_certificate, render_certificates, sample_certificate
    render_certificate(sample_certificate(1))
    render_certificates([sample_certificate(2), sample_certificate(3)])
documents = {
    "sign-in sheet": render_sign_in_sheet(make_sheet(participants=30, days=2)),
    "donor report": render_donor_report(_report()),
}
print(json.dumps({name: hashlib.sha256(pdf).hexdigest() for name, pdf in documents.items()}))
"""


def _digests(order: str) -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, order],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


def test_the_sheet_and_the_report_are_the_same_bytes_after_a_certificate():
    alone = _digests("alone")
    assert alone == _digests("alone")  # deterministic, or the comparison means nothing
    assert _digests("certificate first") == alone


def _font_snapshot() -> dict[str, tuple[int, dict[str, int], dict[str, int]]]:
    """Each shared font: the object, and what its and its face's attributes
    are bound to (a patched method shows up as a new attribute)."""
    snapshot = {}
    for name in SHARED_FONTS:
        font = pdfmetrics.getFont(name)
        attributes = {key: id(value) for key, value in vars(font).items() if key != "state"}
        face = {key: id(value) for key, value in vars(font.face).items()}
        snapshot[name] = (id(font), attributes, face)
    return snapshot


def _settings() -> dict[str, object]:
    return {name: getattr(rl_config, name) for name in rl_settings.__all__}


def test_rl_config_and_the_shared_fonts_are_unchanged_by_a_certificate():
    register_fonts()
    settings, fonts = _settings(), _font_snapshot()
    registered = set(pdfmetrics.getRegisteredFontNames())
    render_certificate(sample_certificate(1))
    render_certificates([sample_certificate(2), sample_certificate(3)])
    assert _settings() == settings
    assert rl_config.useA85 == rl_settings.useA85
    assert _font_snapshot() == fonts
    for name in SHARED_FONTS:
        assert not pdfmetrics.getFont(name).state  # no document state left behind
    # The certificate adds its own fonts, under its own names, and nothing else.
    assert set(pdfmetrics.getRegisteredFontNames()) - registered <= {
        certificate_fonts.REGULAR,
        certificate_fonts.BOLD,
    }


def test_the_certificate_uses_only_its_own_fonts():
    pdf = render_certificate(sample_certificate(4))
    for font in certificate_fonts.certificate_fonts():
        assert type(font) is certificate_fonts.CertificateFont
        assert pdfmetrics.getFont(font.fontName) is font
        assert font.fontName not in SHARED_FONTS
        assert not font.state  # each document's state is dropped once written
    assert b"/FontFile2" in pdf
