"""Fonts for every PDF, registered once per process.

DejaVu Sans covers French, the accents of Sahelian names and Arabic letters;
where the system has no DejaVu, ReportLab's own Vera (Latin only) stands in.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import reportlab
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_REGULAR = "AtelierSans"
FONT_BOLD = "AtelierSans-Bold"
FONT_ITALIC = "AtelierSans-Oblique"
FONT_BOLD_ITALIC = "AtelierSans-BoldOblique"

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
