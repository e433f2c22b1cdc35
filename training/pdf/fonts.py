"""Fonts for every PDF, registered once per process.

DejaVu Sans covers French and the accents of Sahelian names; where the
system has no DejaVu, ReportLab's own Vera (Latin only) stands in.

Arabic is printed in Noto Naskh Arabic (Debian's fonts-noto-core), else
Amiri (fonts-hosny-amiri), else DejaVu Sans's own Arabic letters: a
`ShapingFont`, whose glyphs HarfBuzz chooses (training.pdf.arabic). Only
text holding Arabic letters is drawn in it; Latin text never is.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FONT_REGULAR = "AtelierSans"
FONT_BOLD = "AtelierSans-Bold"
FONT_ITALIC = "AtelierSans-Oblique"
FONT_BOLD_ITALIC = "AtelierSans-BoldOblique"
ARABIC_REGULAR = "AtelierArabic"
ARABIC_BOLD = "AtelierArabic-Bold"

_DEJAVU_DIRS = (
    Path(os.environ.get("ATELIER_FONT_DIR", "/usr/share/fonts/truetype/dejavu")),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
_DEJAVU = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
}
_VERA = {
    FONT_REGULAR: "Vera.ttf",
    FONT_BOLD: "VeraBd.ttf",
    FONT_ITALIC: "VeraIt.ttf",
    FONT_BOLD_ITALIC: "VeraBI.ttf",
}


# Arabic faces, best first: (folder, regular, bold).
_ARABIC_FACES = (
    *(
        (Path(folder), "NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf")
        for folder in (
            os.environ.get("ATELIER_ARABIC_FONT_DIR", "/usr/share/fonts/truetype/noto"),
            "/usr/share/fonts/noto",
            "/usr/share/fonts/TTF",
        )
    ),
    *(
        (Path(folder), "Amiri-Regular.ttf", "Amiri-Bold.ttf")
        for folder in (
            "/usr/share/fonts/opentype/fonts-hosny-amiri",
            "/usr/share/fonts/truetype/fonts-hosny-amiri",
            "/usr/share/fonts/amiri",
            "/usr/share/fonts/TTF",
        )
    ),
)

# Code points of Supplementary Private Use Area-A stand for the glyphs that
# no character maps to (joining forms, ligatures): U+F0000 + the glyph id.
PRIVATE_GLYPH_BASE = 0xF0000


class ShapingFont(TTFont):
    """A TrueType font drawn as HarfBuzz shapes it (training.pdf.arabic).

    A shaped glyph that the font's character map reaches from the very
    letter it stands for is drawn by that letter; any other one (a letter's
    initial, medial or final form, a ligature) by a private code point, one
    per glyph (`PRIVATE_GLYPH_BASE` + its id, the same in every document
    and process). The document's ToUnicode map gives each private code the
    letters it stands for, so that a reader searching or copying the PDF
    gets the Arabic text, not presentation forms or private characters.

    What leans on ReportLab: the face's `charToGlyph` and `charWidths`
    learn each private code (as ReportLab's own shaping does), and
    `addObjects` rewrites the ToUnicode streams `TTFont.addObjects` has
    just made (tests/pdf/test_reportlab_internals.py)."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename, shapable=True)
        self.path = filename
        # What each private code stands for, in logical order.
        self.glyph_text: dict[int, str] = {}

    def glyph_code(self, glyph: int, text: str, advance: float) -> str:
        """The character that draws `glyph`, standing for `text`; `advance`
        is the glyph's own width in thousandths of an em."""
        face = self.face
        if len(text) == 1 and face.charToGlyph.get(ord(text)) == glyph:
            return text
        code = PRIVATE_GLYPH_BASE + glyph
        if code not in face.charToGlyph:
            face.charToGlyph[code] = glyph
            face.charWidths[code] = advance
            self.glyph_text[code] = text
        return chr(code)

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        """ReportLab's TTFont.addObjects, then each subset's ToUnicode map
        written again with what the private codes stand for."""
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        face = self.face
        for index, subset in enumerate(subsets):
            base_font_name = b"".join(
                (ttfonts.SUBSETN(index), b"+", face.name, face.subfontNameX)
            ).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base_font_name)
            if isinstance(stream, pdfdoc.PDFStream):
                stream.content = to_unicode_cmap(base_font_name, subset, self.glyph_text)


def to_unicode_cmap(font_name: str, subset: list[int], texts: dict[int, str]) -> str:
    """A ToUnicode CMap of one subset: code `i` stands for `subset[i]`, or
    for the letters `texts` gives a private code (UTF-16BE, several
    characters for a ligature)."""
    entries = []
    for index, code in enumerate(subset):
        text = texts.get(code, chr(code))
        entries.append(f"<{index:02X}> <{text.encode('utf-16-be').hex().upper()}>")
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo << /Registry ({font_name}) /Ordering ({font_name}) "
            "/Supplement 0 >> def",
            f"/CMapName /{font_name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(entries)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


def _find_dejavu() -> Path | None:
    for folder in _DEJAVU_DIRS:
        if all((folder / name).is_file() for name in _DEJAVU.values()):
            return folder
    return None


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, dict[str, Path]]:
    """(the face's family name, the file of each Atelier font name)."""
    folder = _find_dejavu()
    if folder is not None:
        return "DejaVu Sans", {name: folder / file for name, file in _DEJAVU.items()}
    vera_dir = Path(reportlab.__file__).parent / "fonts"
    return "Vera", {name: vera_dir / file for name, file in _VERA.items()}


def font_file(name: str) -> Path:
    """The TrueType file behind one of the Atelier font names, for a
    renderer that registers its own instance of the face."""
    return _font_files()[1][name]


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register the Atelier font family and return the name of the face used
    ("DejaVu Sans" or "Vera")."""
    family, files = _font_files()
    for name, path in files.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT_REGULAR, 0, 0, FONT_REGULAR)
    addMapping(FONT_REGULAR, 1, 0, FONT_BOLD)
    addMapping(FONT_REGULAR, 0, 1, FONT_ITALIC)
    addMapping(FONT_REGULAR, 1, 1, FONT_BOLD_ITALIC)
    return family


@lru_cache(maxsize=1)
def arabic_font_files() -> tuple[str, Path, Path]:
    """(the face's family name, its regular file, its bold file)."""
    for folder, regular, bold in _ARABIC_FACES:
        if (folder / regular).is_file() and (folder / bold).is_file():
            family = regular.split("-")[0]
            return family, folder / regular, folder / bold
    family, files = _font_files()
    return family, files[FONT_REGULAR], files[FONT_BOLD]


@lru_cache(maxsize=1)
def register_arabic_fonts() -> str:
    """Register the Arabic faces (`ARABIC_REGULAR`, `ARABIC_BOLD`), each as a
    ShapingFont with a face of its own, and return the family's name
    ("NotoNaskhArabic", "Amiri", or the Latin family's when neither is
    installed)."""
    family, regular, bold = arabic_font_files()
    latin_files = set(_font_files()[1].values())
    for name, path in ((ARABIC_REGULAR, regular), (ARABIC_BOLD, bold)):
        font = ShapingFont(name, str(path))
        if path in latin_files:
            # pdfmetrics.registerFont hands out the font first registered
            # for a face under any later name: when the Arabic faces fall
            # back to the Latin family's files, the face goes by a name of
            # its own, or the Latin TTFont would stand in for this one.
            font.face.name = font.face.name + b"." + name.encode("ascii")
        pdfmetrics.registerFont(font)
    return family


def arabic_counterpart(font_name: str) -> str:
    """The Arabic face that goes with a Latin one: bold with bold (and the
    certificate's bold), regular with anything else, Arabic having no
    oblique."""
    return ARABIC_BOLD if "Bold" in font_name else ARABIC_REGULAR
