"""The certificate's fonts: its own instances of the Atelier faces, whose
per-file PDF objects (each subset's widths, Unicode map and compressed font
program) come from per-process caches, and the characters a document of
many certificates assigns first so that its subsets are built once.

Only the certificate (training.pdf.certificate) uses them; what leans on
ReportLab's internals is pinned in tests/pdf/test_reportlab_internals.py."""

from __future__ import annotations

import copy
import zlib
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts

from training.pdf.fonts import FONT_BOLD, FONT_REGULAR, font_file

# The certificate's own instances of the Atelier faces, registered under
# names no other document uses. What makes them fast (the caches below) is
# theirs alone: the fonts the sign-in sheet and the donor report use, and
# ReportLab's settings, are left as ReportLab made them.
REGULAR = "AtelierCertificateSans"
BOLD = "AtelierCertificateSans-Bold"
_FACES = {REGULAR: FONT_REGULAR, BOLD: FONT_BOLD}

# Every character a certificate is likely to need: ASCII, Latin-1 and
# Latin Extended-A (West African and European names), typographic marks.
# Assigned first in a document of many certificates (`render_certificates`),
# they give each font the same subsets whatever the names, built and
# compressed once per process (`_font_file`). A single certificate, the
# stored one, is not primed: its fonts carry only what its page prints.
_PRIMED_CHARACTERS = (
    "".join(chr(code) for code in range(0x20, 0x7F))
    + "".join(chr(code) for code in range(0xA1, 0x180) if code != 0xAD)
    + "‘’“”–—…·•€"
)


@lru_cache(maxsize=64)
def _font_file(face: ttfonts.TTFontFace, subset: tuple[int, ...]) -> tuple[bytes, int]:
    """(zlib-compressed font program, its uncompressed length) of a subset."""
    program = face.makeSubset(list(subset))
    return zlib.compress(program), len(program)


@lru_cache(maxsize=64)
def _subset_tables(
    face: ttfonts.TTFontFace, subset: tuple[int, ...], base_font_name: str
) -> tuple[bytes, bytes]:
    """(the Widths array, written out; the compressed ToUnicode map) of a
    subset: hundreds of numbers ReportLab would format again per file."""
    widths = b"[" + b" ".join(str(face.getCharWidth(code)).encode() for code in subset) + b"]"
    cmap = ttfonts.makeToUnicodeCMap(base_font_name, list(subset))
    return widths, zlib.compress(cmap.encode("latin-1"))


def _flate_stream(content: bytes) -> pdfdoc.PDFStream:
    """A stream of content already compressed: a stream whose dictionary
    names its filter is written as is."""
    stream = pdfdoc.PDFStream(content=content)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


class CertificateFont(ttfonts.TTFont):
    """ReportLab's TrueType font, whose per-file PDF objects (each subset's
    widths, Unicode map and font program) come from per-process caches
    instead of being rebuilt and recompressed in every file.

    Only the certificate's own instances (`REGULAR`, `BOLD`) are of this
    class. `addObjects` and `prime` follow ReportLab 5.1's `TTFont` and use
    its per-document `state`, `TTFont.State` and the document's
    "BasicFonts" dictionary, which are not public API:
    tests/pdf/test_reportlab_internals.py fails on any other ReportLab
    version, so that an upgrade re-reads `TTFont.addObjects` first."""

    _primed: ttfonts.TTFont.State | None = None

    def __init__(self, name: str, filename: str) -> None:
        # Not "ASCII-readable": ReportLab would otherwise put all of ASCII
        # in every file's first subset, used or not. Code 32 stays the
        # space either way.
        super().__init__(name, filename, asciiReadable=False)
        # pdfmetrics.registerFont hands out the font first registered for a
        # face under any later name of the same face: the certificate would
        # then draw with the shared AtelierSans object, or, registered first,
        # lend this one to the sign-in sheet. So the face goes by a name of
        # its own in that registry; the PDF still names it by its PostScript
        # name (`addObjects`), as before.
        self.postscript_name = self.face.name
        self.face.name = self.face.name + b"." + name.encode("ascii")

    def compute_primed_state(self) -> None:
        """The primed characters' codes, assigned once per process (by
        `_fonts`, before any document uses the font). ASCII-readable, as
        before issue 18, so that a document of many certificates keeps
        the bytes it had: `splitString` reads the setting from the font."""
        scratch = pdfdoc.PDFDocument()
        self._asciiReadable = True
        try:
            self.splitString(_PRIMED_CHARACTERS, scratch)
        finally:
            self._asciiReadable = False
        self._primed = self.state.pop(scratch)

    def prime(self, doc: pdfdoc.PDFDocument) -> None:
        """Give the document's state of this font the primed characters'
        codes (a copy of the state computed once)."""
        if self._primed is None:
            self.compute_primed_state()
        state = copy.copy(cast(ttfonts.TTFont.State, self._primed))
        # `assignments` is set in State.__init__ but missing from the stubs.
        state.assignments = dict(state.assignments)  # type: ignore[attr-defined]
        state.subsets = [list(subset) for subset in state.subsets]
        self.state[doc] = state

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        """ReportLab's TTFont.addObjects, with each subset's tables and font
        program taken from the caches, already compressed."""
        # `_asciiReadable` is TTFont's own (private) setting, False here.
        ascii_readable = self._asciiReadable
        state = self.state.get(doc) or ttfonts.TTFont.State(ascii_readable)
        self.state[doc] = state
        state.frozen = 1
        face = self.face
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_font_name = b"".join(
                (ttfonts.SUBSETN(index), b"+", self.postscript_name, face.subfontNameX)
            ).decode("pdfdoc")
            widths, cmap = _subset_tables(face, tuple(subset), base_font_name)
            # A PDF object takes its dictionary's keys as attributes, which
            # the stubs do not declare.
            pdf_font: Any = pdfdoc.PDFTrueTypeFont()
            pdf_font.Name = internal_name
            pdf_font.BaseFont = base_font_name
            pdf_font.FirstChar = 0
            pdf_font.LastChar = len(subset) - 1
            pdf_font.Widths = widths
            pdf_font.ToUnicode = doc.Reference(
                _flate_stream(cmap), "toUnicodeCMap:" + base_font_name
            )
            pdf_font.FontDescriptor = self._descriptor(doc, base_font_name, subset)
            doc.Reference(pdf_font, internal_name)
            basic_fonts = cast(pdfdoc.PDFDictionary, doc.idToObject["BasicFonts"])
            basic_fonts.dict[internal_name] = pdf_font
        del self.state[doc]

    def _descriptor(
        self, doc: pdfdoc.PDFDocument, fontname: str, subset: list[int]
    ) -> pdfdoc.PDFObjectReference:
        """ReportLab's TTFontFace.addSubsetObjects, with the font program
        from the cache."""
        face = self.face
        content, length = _font_file(face, tuple(subset))
        font_file = _flate_stream(content)
        font_file.dictionary["Length1"] = length
        font_file_ref = doc.Reference(font_file, f"fontFile:{face.filename}({fontname})")
        flags = (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": face.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


@lru_cache(maxsize=1)
def certificate_fonts() -> tuple[CertificateFont, ...]:
    """Once per process: the certificate's fonts, loaded from the files of
    the Atelier faces and registered under the certificate's own names."""
    fonts = tuple(CertificateFont(name, str(font_file(face))) for name, face in _FACES.items())
    for font in fonts:
        font.compute_primed_state()
        pdfmetrics.registerFont(font)
    return fonts


__all__: Sequence[str] = ("BOLD", "REGULAR", "CertificateFont", "certificate_fonts")
