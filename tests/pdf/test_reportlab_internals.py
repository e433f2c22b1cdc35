"""What the PDF renderers rely on in ReportLab beyond its public API, pinned
to the one version it was checked against (requirements.txt: reportlab==5.1.0).

Only objects the renderers own touch these internals, nothing shared:
- `training.pdf.certificate_fonts.CertificateFont` (the certificate's own font
  instances) follows `TTFont.addObjects`, `TTFontFace.addSubsetObjects` and
  uses `TTFont.state`, `TTFont.State` and the document's "BasicFonts"
  dictionary; it gives its face its own `name` because
  `pdfmetrics.registerFont` shares one font object between the names of a
  face;
- `training.pdf.certificate._new_canvas` sets `defaultStreamFilters` on its
  own canvas's `_doc` (zlib without ASCII85, for that document only);
- `training.pdf.qr` builds symbols from ReportLab's tables: it calls
  `QRCode.makeImpl` (for the function patterns) and
  `QRCode._dataPosIterator` (the order of the data modules), and reads
  `QRRSBlock.getRSBlocks`, `QRUtil.getErrorCorrectPolynomial`,
  `QRUtil.getMask` and the GF(256) tables; tests/pdf/test_certificate.py
  checks its symbols against ReportLab's module for module.
- `training.pdf.fonts.ShapingFont` (the Arabic faces) adds private code
  points to its own face's `charToGlyph` and `charWidths`, and rewrites the
  ToUnicode streams `TTFont.addObjects` registers in the document as
  "toUnicodeCMap:<subset name>"; `training.pdf.arabic.shape` builds
  `ttfonts.ShapedStr` / `ShapeData` as ReportLab's own shaping does, for
  `PDFTextObject._formatText` to draw (tests/pdf/test_arabic.py reads the
  letters back from a PDF).

On another ReportLab version this test fails: re-read those ReportLab
functions against ours, run tests/pdf and bench/bench_certificates.py, then
update the version below.
"""

from __future__ import annotations

import io
import re

import reportlab
from pypdf import PdfReader

from training.pdf.certificate import render_certificate, sample_certificate

CHECKED_VERSION = "5.1.0"


def test_reportlab_is_the_version_the_internals_were_checked_against():
    assert reportlab.Version == CHECKED_VERSION, (
        f"ReportLab {reportlab.Version}: check what training/pdf relies on "
        f"(see this module's docstring) before moving the pin from {CHECKED_VERSION}"
    )


def test_the_certificate_is_zlib_compressed_without_ascii85():
    pdf = render_certificate(sample_certificate(5))
    filters = re.findall(rb"/Filter\s*\[([^\]]*)\]", pdf)
    assert filters  # the page, the artwork, the fonts and their Unicode maps
    assert all(entry.split() == [b"/FlateDecode"] for entry in filters)
    assert b"ASCII85" not in pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert "Aïcha Maïga-Traoré 5" in reader.pages[0].extract_text()
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()} - {"/Helvetica"}
    # Subsets named by the faces' PostScript names, as before (not by the
    # names the certificate's fonts go by in ReportLab's registry).
    assert {re.sub(r"^/[A-Z]{6}\+", "", name) for name in names} in (
        {"DejaVuSans", "DejaVuSans-Bold"},
        {"BitstreamVeraSans-Roman", "BitstreamVeraSans-Bold"},
    )
