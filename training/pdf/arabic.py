"""Arabic in the PDFs: letters joined by HarfBuzz (uharfbuzz), lines put in
reading order by the Unicode bidirectional algorithm (python-bidi's
implementation of UAX #9), neither done by hand.

A line becomes `Piece`s laid out left to right, each in one font: the
bidirectional algorithm gives every character its level and the visual
order; each run of one level and one font is then shaped by HarfBuzz in its
direction (Arabic letters in the Arabic face, `fonts.ARABIC_REGULAR` or
`ARABIC_BOLD`), or, for the Latin face, drawn as a plain string (reversed and
mirrored inside a right-to-left run: a parenthesis, a dash). So "محمد
ATL-2026-000042" reads right to left with the serial left to right inside
it, and a French sentence holding an Arabic name keeps its own order.

Only text that holds right-to-left letters, or that is set in a
right-to-left paragraph (an Arabic document), takes this path. Any other
text is measured and drawn by ReportLab as before, and no text in Latin
letters is ever shaped: the documents of French and English sessions come
out byte for byte as they did.

`BidiParagraph` is the flowable of such text (plain text, never markup, so
nothing needs escaping); `draw_line` draws one line on a canvas.
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import uharfbuzz
from babel.dates import format_date
from bidi import algorithm as uba
from bidi.mirror import MIRRORED
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapeData, ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from training.pdf.fonts import (
    ARABIC_BOLD,
    ARABIC_REGULAR,
    ShapingFont,
    arabic_counterpart,
    register_arabic_fonts,
)

if TYPE_CHECKING:
    from reportlab.platypus.tables import _TableCommand

# Letters written right to left: Hebrew, Arabic and its supplements, Syriac,
# Thaana, N'Ko, and the presentation forms.
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# The Arabic script, drawn in the Arabic face.
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufefc]")
# Characters without a direction of their own (spaces, punctuation): in a
# right-to-left run they take the Arabic face when it has them.
_NEUTRAL = frozenset({"WS", "ON", "CS", "ES", "ET", "S", "B", "NSM", "BN"})
# Digits and what joins them ("10:30", "2,5", "30 %"): after Arabic words,
# in the Arabic face's digits.
_NUMBER = frozenset({"EN", "CS", "ES", "ET"})

# Invisible characters that only steer the bidirectional algorithm (marks,
# embeddings, isolates) or break nothing visible: never drawn. The Arabic
# face keeps the joiners, which HarfBuzz reads (U+200C, U+200D).
_STEERING = frozenset(
    "\u061c\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u00ad"
)
_JOINERS = frozenset("\u200c\u200d")

Spans = tuple[tuple[str, str], ...]  # (text, Latin font name), in logical order
ARABIC_FACES = frozenset({ARABIC_REGULAR, ARABIC_BOLD})
# Naskh letters are small on their body: set a size up, they match the
# Latin text's x-height beside them (Noto Naskh Arabic beside DejaVu Sans).
ARABIC_SCALE = 1.12


def has_rtl(text: str) -> bool:
    """Whether `text` holds a right-to-left letter (Arabic, Hebrew...)."""
    return _RIGHT_TO_LEFT.search(text) is not None


def has_arabic(text: str | None) -> bool:
    """Whether `text` holds a letter of the Arabic script."""
    return bool(text) and _ARABIC_SCRIPT.search(text or "") is not None


def starts_rtl(text: str) -> bool:
    """The paragraph direction UAX #9 gives `text` (rules P2, P3): that of
    its first letter with a direction; left to right without one."""
    return uba.get_base_level(text) == 1


@dataclass(frozen=True)
class Piece:
    """A stretch of a line in one font, as drawn: a ShapedStr (glyphs in
    visual order) or a plain string; `advance` in thousandths of an em."""

    text: str
    font: str
    advance: float  # at the line's size, this piece's scale included
    scale: float = 1.0  # of the line's size: the Arabic face is set larger


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]  # left to right
    advance: float  # thousandths of an em

    def width(self, size: float) -> float:
        return self.advance * size / 1000

    @property
    def text(self) -> str:
        """The characters as drawn, left to right (private codes for shaped
        glyphs): for tests of the order."""
        return "".join(piece.text for piece in self.pieces)


def _visual_order(text: str, base_level: int) -> list[tuple[int, int]]:
    """(logical index, resolved level) of each character of `text`, in
    visual order, left to right: python-bidi's steps of UAX #9 (X1-X10,
    W1-W7, N1-N2, I1-I2, L1-L2), each character tagged with its index
    before the reordering. Explicit embedding controls and boundary
    neutrals (rule X9) are left out, as the algorithm removes them."""
    storage = uba.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = ("L", "R")[base_level]
    uba.get_embedding_levels(text, storage)
    for index, character in enumerate(storage["chars"]):
        character["index"] = index
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    return [(character["index"], character["level"]) for character in storage["chars"]]


@lru_cache(maxsize=8)
def _harfbuzz_font(font_name: str) -> tuple[ShapingFont, Any, float]:
    """(the ShapingFont, its HarfBuzz font, thousandths of an em per font
    unit), made once per process."""
    register_arabic_fonts()
    font = cast(ShapingFont, pdfmetrics.getFont(font_name))
    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(font.path))
    return font, uharfbuzz.Font(face), 1000 / face.upem


# Per face: (glyph, the letters it stands for, right to left) -> (the
# character that draws it, its width). Bounded by the glyphs of two faces.
_GLYPHS: dict[str, dict[tuple[int, str, bool], tuple[str, float]]] = {}


@lru_cache(maxsize=16384)
def shape(text: str, font_name: str, rtl: bool) -> tuple[str, float]:
    """(`text` shaped by HarfBuzz in the ShapingFont `font_name`, as a
    ShapedStr of its glyphs in visual order; its advance in thousandths of
    an em)."""
    font, hb_font, scale = _harfbuzz_font(font_name)
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.script = "Arab"
    buffer.language = "ar"
    buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    uharfbuzz.shape(hb_font, buffer, {})
    infos, positions = buffer.glyph_infos, buffer.glyph_positions
    # Each cluster stands for the characters from its start to the next one's.
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    given: set[int] = set()
    characters, shape_data = [], []
    total = 0.0
    glyphs = _GLYPHS.setdefault(font_name, {})
    for info, position in zip(infos, positions, strict=True):
        cluster = info.cluster
        # The first glyph of a cluster stands for its characters, any other
        # glyph of it for nothing more.
        letters = "" if cluster in given else text[cluster : ends[cluster]]
        given.add(cluster)
        glyph = info.codepoint
        known = glyphs.get((glyph, letters, rtl))
        if known is None:
            drawn_letters = letters
            if rtl and sum(not unicodedata.combining(letter) for letter in letters) > 1:
                # A ligature of letters ("الله"): its letters in the order its
                # glyph is drawn, as text extractors (poppler, pypdf) reverse
                # a right-to-left run character by character, a ligature's
                # letters included. Vowel marks stacked on one letter are not.
                drawn_letters = letters[::-1]
            glyph_width = hb_font.get_glyph_h_advance(glyph) * scale
            code = font.glyph_code(glyph, drawn_letters, glyph_width)
            known = glyphs[(glyph, letters, rtl)] = (code, font.face.charWidths[ord(code)])
        code, width = known
        advance = position.x_advance * scale
        characters.append(code)
        shape_data.append(
            ShapeData(
                cluster,
                advance,
                position.y_advance * scale,
                position.x_offset * scale,
                position.y_offset * scale,
                width,
            )
        )
        total += advance
    # The stubs type shapeData as one ShapeData; ReportLab takes a list.
    return ShapedStr("".join(characters), shapeData=shape_data), total  # type: ignore[arg-type]


def _arabic_context(text: str, rtl: bool) -> list[bool]:
    """For each character, whether the last letter with a direction before
    it is Arabic (or, with none, whether the paragraph is right to left):
    numbers written in Arabic text take the Arabic face's digits, those of
    a Latin serial ("ATL-2026-000042") the Latin face's."""
    context, arabic = [], rtl
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            arabic = True
        elif kind == "L":
            arabic = False
        context.append(arabic)
    return context


def _font_of(character: str, level: int, latin_font: str, arabic_context: bool) -> str:
    """The face a character is drawn in: Arabic letters in the Arabic face
    matching `latin_font` (bold with bold); spaces and punctuation of a
    right-to-left run, and numbers after Arabic words, in it too when it has
    them; anything else in `latin_font`."""
    if _ARABIC_SCRIPT.match(character):
        return arabic_counterpart(latin_font)
    kind = unicodedata.bidirectional(character)
    if (level % 2 and kind in _NEUTRAL) or (arabic_context and kind in _NUMBER):
        arabic = arabic_counterpart(latin_font)
        font, _hb_font, _scale = _harfbuzz_font(arabic)
        if ord(character) in font.face.charToGlyph:
            return arabic
    return latin_font


def lay_out(text: str, font: str, rtl: bool | None = None) -> Line:
    """One line of `text` in the Latin `font` (see `lay_out_spans`)."""
    return lay_out_spans(((text, font),), rtl)


@lru_cache(maxsize=8192)
def lay_out_spans(spans: Spans, rtl: bool | None = None) -> Line:
    """One line of (text, Latin font) spans, in logical order, laid out
    left to right. `rtl` is the paragraph's direction: True in a document
    written right to left, None to take it from the text (UAX #9's first
    letter with a direction). Text without right-to-left letters in a
    left-to-right paragraph is returned as the plain strings it was."""
    text = "".join(part for part, _font in spans)
    if rtl is None:
        rtl = starts_rtl(text)
    if not rtl and not has_rtl(text):
        pieces = tuple(
            Piece(part, font, stringWidth(part, font, 1000)) for part, font in spans if part
        )
        return Line(pieces, sum(piece.advance for piece in pieces))
    register_arabic_fonts()
    single = _single_run(text, spans)
    if single is not None:
        return single
    return _laid_out(text, spans, rtl)


def _laid_out(text: str, spans: Spans, rtl: bool) -> Line:
    """lay_out_spans by the bidirectional algorithm, character by character."""
    latin_fonts = [font for part, font in spans for _character in part]
    order = _visual_order(text, 1 if rtl else 0)
    context = _arabic_context(text, rtl)
    # Runs of one level, one face and consecutive characters, left to right.
    runs: list[tuple[int, str, int, int]] = []  # (level, font, first index, last index)
    for index, level in order:
        font = _font_of(text[index], level, latin_fonts[index], context[index])
        step = -1 if level % 2 else 1
        if runs:
            last_level, last_font, first, last = runs[-1]
            # A character the algorithm left out (X9) between two of one
            # run belongs to it: a zero-width joiner inside a word.
            gap = index - last
            if last_level == level and last_font == font and 0 < gap * step <= 2:
                runs[-1] = (level, font, first, index)
                continue
        runs.append((level, font, index, index))
    laid: list[Piece] = []
    for level, font, first, last in runs:
        start, end = min(first, last), max(first, last) + 1
        drop = _STEERING if font in ARABIC_FACES else _STEERING | _JOINERS
        logical = "".join(character for character in text[start:end] if character not in drop)
        if not logical:
            continue
        right_to_left = bool(level % 2)
        if font in ARABIC_FACES:
            drawn, advance = shape(logical, font, right_to_left)
            laid.append(Piece(drawn, font, advance * ARABIC_SCALE, ARABIC_SCALE))
            continue
        drawn = (
            "".join(MIRRORED.get(character, character) for character in reversed(logical))
            if right_to_left
            else logical
        )
        laid.append(Piece(drawn, font, stringWidth(drawn, font, 1000)))
    return Line(tuple(laid), sum(piece.advance for piece in laid))


# Arabic letters (AL), their vowel marks (NSM, which take the letter's
# direction) and spaces.
_ARABIC_WORDS = re.compile("[\u0621-\u065f\u066e-\u06d3\u06fa-\u06ff ]*")
_SINGLE_RUN_ENDS = frozenset({"L", "AL"})


def _single_run(text: str, spans: Spans) -> Line | None:
    """The layout of a text that is one run whatever the paragraph's
    direction, without running the algorithm (a name, a serial: a few
    tenths of a millisecond each), or None. Two cases, as UAX #9 resolves
    them: no right-to-left letter, a letter (L) first and last: every
    character in between resolves to L (W7, N1), one left-to-right run;
    Arabic letters and spaces only, an Arabic letter (AL) first and last:
    the spaces between resolve to R (N1), one right-to-left run.
    tests/pdf/test_arabic.py checks both against the full algorithm."""
    if len(spans) != 1 or not text:
        return None
    first, last = unicodedata.bidirectional(text[0]), unicodedata.bidirectional(text[-1])
    if first != last or first not in _SINGLE_RUN_ENDS:
        return None
    font = spans[0][1]
    if first == "L":
        if has_rtl(text):
            return None
        return Line(
            (Piece(text, font, stringWidth(text, font, 1000)),), stringWidth(text, font, 1000)
        )
    if _ARABIC_WORDS.fullmatch(text) is None or "  " in text:
        return None
    face = arabic_counterpart(font)
    drawn, advance = shape(text, face, True)
    piece = Piece(drawn, face, advance * ARABIC_SCALE, ARABIC_SCALE)
    return Line((piece,), piece.advance)


def needs_layout(text: str, rtl: bool | None) -> bool:
    """Whether `text` must go through `lay_out` rather than ReportLab's own
    string drawing: it holds right-to-left letters, or sits in a
    right-to-left paragraph."""
    return bool(rtl) or has_rtl(text)


def text_width(text: str, font: str, size: float, rtl: bool | None = None) -> float:
    """The width of one line of `text`, shaped where it needs to be."""
    if not needs_layout(text, rtl):
        return stringWidth(text, font, size)
    return lay_out(text, font, rtl).width(size)


# The text operators of each line drawn, per document: a certificate's
# wording is the same on every page of a print file, and ReportLab writes a
# shaped string glyph by glyph. A line's operators depend only on the
# document (its fonts' subsets), the line and the size; the position is
# written before them.
_OPERATORS: weakref.WeakKeyDictionary[Any, dict[tuple[Line, float], str]] = (
    weakref.WeakKeyDictionary()
)


def draw_spans(
    canvas: Canvas, x: float, y: float, line: Line, size: float, align: str = "left"
) -> None:
    """Draw a laid-out line at `x`, its left end ("left"), middle ("centre")
    or right end ("right"), on the baseline `y`, in one text object."""
    width = line.width(size)
    if align == "centre":
        x -= width / 2
    elif align == "right":
        x -= width
    # The canvas's document is private to ReportLab and absent from the stubs.
    document = canvas._doc  # type: ignore[attr-defined]
    operators = _OPERATORS.setdefault(document, {})
    body = operators.get((line, size))
    if body is None:
        text = canvas.beginText(0, 0)
        for piece in line.pieces:
            text.setFont(piece.font, size * piece.scale)
            text.textOut(piece.text)
        code = text.getCode()
        # "BT 1 0 0 1 0 0 Tm <the line> ET": each TrueType text object sets
        # its own font (Tf), so the line stands on its own.
        prefix, suffix = "BT 1 0 0 1 0 0 Tm ", " ET"
        if not (code.startswith(prefix) and code.endswith(suffix)):
            canvas.addLiteral(code.replace(" 0 0 Tm ", f" {fp_str(x, y)} Tm ", 1))
            return
        body = operators[(line, size)] = code[len(prefix) : -len(suffix)]
    canvas.addLiteral(f"BT 1 0 0 1 {fp_str(x, y)} Tm {body} ET")


def draw_line(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    align: str = "left",
    rtl: bool | None = None,
) -> float:
    """Draw one line of plain text (see `draw_spans`); returns its width.
    Text that needs no layout is drawn by ReportLab's own string methods."""
    if not needs_layout(text, rtl):
        canvas.setFont(font, size)
        if align == "centre":
            canvas.drawCentredString(x, y, text)
        elif align == "right":
            canvas.drawRightString(x, y, text)
        else:
            canvas.drawString(x, y, text)
        return stringWidth(text, font, size)
    line = lay_out(text, font, rtl)
    draw_spans(canvas, x, y, line, size, align)
    return line.width(size)


# ------------------------------------------------------------------ wrapping


def _slice(spans: Spans, start: int, end: int) -> Spans:
    """The characters [start, end) of the spans, as spans."""
    sliced, offset = [], 0
    for part, font in spans:
        low, high = max(start - offset, 0), min(end - offset, len(part))
        if low < high:
            sliced.append((part[low:high], font))
        offset += len(part)
    return tuple(sliced)


def _strip(spans: Spans) -> Spans:
    text = "".join(part for part, _font in spans)
    start = len(text) - len(text.lstrip(" "))
    end = len(text.rstrip(" "))
    return _slice(spans, start, end) if start < end else ()


def wrap_spans(spans: Spans, size: float, width: float, rtl: bool) -> list[Spans]:
    """The spans cut into lines no wider than `width` at `size`, in logical
    order, at spaces and line breaks (a word wider than the line is cut
    where it must). Each line is measured as it is drawn, shaped."""
    return list(_wrapped(spans, size, width, rtl))


@lru_cache(maxsize=4096)
def _wrapped(spans: Spans, size: float, width: float, rtl: bool) -> tuple[Spans, ...]:
    text = "".join(part for part, _font in spans)
    lines: list[Spans] = []
    offset = 0
    for paragraph in text.split("\n"):
        start, end = offset, offset + len(paragraph)
        offset = end + 1
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", paragraph)]
        if not words:
            lines.append(())
            continue
        line_start = words[0][0]
        line_end = words[0][1]
        for word_start, word_end in words[1:]:
            candidate = _slice(spans, line_start, word_end)
            if lay_out_spans(candidate, rtl).width(size) <= width:
                line_end = word_end
                continue
            lines += _cut(_slice(spans, line_start, line_end), size, width, rtl)
            line_start, line_end = word_start, word_end
        lines += _cut(_slice(spans, line_start, line_end), size, width, rtl)
    return tuple(_strip(line) for line in lines)


def _cut(spans: Spans, size: float, width: float, rtl: bool) -> list[Spans]:
    """A line as it is, or cut into pieces that fit when it is one word too
    wide (a 2,000-character name)."""
    if lay_out_spans(spans, rtl).width(size) <= width:
        return [spans]
    text = "".join(part for part, _font in spans)
    pieces, start = [], 0
    while start < len(text):
        end = start + 1
        while end < len(text) and lay_out_spans(_slice(spans, start, end + 1), rtl).width(
            size
        ) <= max(width, 1):
            end += 1
        pieces.append(_slice(spans, start, end))
        start = end
    return pieces


# ---------------------------------------------------------------- flowable


class BidiParagraph(Flowable):
    """A paragraph of plain text (never markup: printed as typed) in one
    style, or in (text, font) spans, wrapped and laid out by `lay_out`. In a
    right-to-left paragraph the style's alignment reads from the start of
    the line: TA_LEFT is flush right, TA_RIGHT flush left; a justified one
    is flush right (start), its words never stretched."""

    def __init__(
        self,
        text: str | Spans,
        style: ParagraphStyle,
        rtl: bool | None = None,
        max_lines: int | None = None,
        _lines: list[Spans] | None = None,
        align: str | None = None,
    ) -> None:
        super().__init__()
        self.align = align  # "left", "centre" or "right", whatever the style says
        self.spans: Spans = ((text, style.fontName),) if isinstance(text, str) else text
        self.style = style
        plain = "".join(part for part, _font in self.spans)
        self.rtl = starts_rtl(plain) if rtl is None else rtl
        self.max_lines = max_lines
        self._lines = _lines
        self._wrapped_width: float | None = None

    @property
    def text(self) -> str:
        return "".join(part for part, _font in self.spans)

    def _wrap_lines(self, width: float) -> list[Spans]:
        if self._lines is not None and self._wrapped_width is None:
            return self._lines
        if self._wrapped_width != width or self._lines is None:
            style = self.style
            inner = width - style.leftIndent - style.rightIndent
            lines = wrap_spans(self.spans, style.fontSize, inner, self.rtl)
            if self.max_lines is not None and len(lines) > self.max_lines:
                lines = lines[: self.max_lines]
                last = lines[-1]
                while (
                    last
                    and lay_out_spans((*last, ("…", style.fontName)), self.rtl).width(
                        style.fontSize
                    )
                    > inner
                ):
                    last = _slice(last, 0, len("".join(p for p, _f in last)) - 1)
                lines[-1] = (*last, ("…", style.fontName))
            self._lines, self._wrapped_width = lines, width
        return self._lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        lines = self._wrap_lines(available_width)
        self.width = available_width
        self.height = len(lines) * self.style.leading
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        lines = self._wrap_lines(available_width)
        fit = int(available_height // self.style.leading)
        if fit <= 0:
            return []
        if fit >= len(lines):
            return [self]
        first, rest = lines[:fit], lines[fit:]
        return [
            BidiParagraph(self.spans, self.style, self.rtl, _lines=first, align=self.align),
            BidiParagraph(self.spans, self.style, self.rtl, _lines=rest, align=self.align),
        ]

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)

    def _align(self) -> str:
        """Where each line sits: "left", "centre" or "right"."""
        if self.align is not None:
            return self.align
        alignment = self.style.alignment
        if alignment == TA_CENTER:
            return "centre"
        at_end = alignment == TA_RIGHT
        if self.rtl:
            return "left" if at_end else "right"
        return "right" if at_end else "left"

    def draw(self) -> None:
        style = self.style
        lines = self._wrap_lines(self.width)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(style.textColor)
        align = self._align()
        left, right = style.leftIndent, self.width - style.rightIndent
        x = {"left": left, "right": right, "centre": (left + right) / 2}[align]
        y = self.height - style.fontSize
        for spans in lines:
            if spans:
                draw_spans(canvas, x, y, lay_out_spans(spans, self.rtl), style.fontSize, align)
            y -= style.leading
        canvas.restoreState()


def mirrored_commands(commands: list[_TableCommand], columns: int) -> list[_TableCommand]:
    """Table style commands for the same table with its columns in mirror
    order (a document written right to left): column c becomes
    columns - 1 - c. Every command is (name, (column, row), (column, row),
    *values)."""

    def column(index: int) -> int:
        return columns - 1 - (index % columns)

    mirrored: list[_TableCommand] = []
    for command in commands:
        name, start, end, *values = cast(tuple[Any, ...], command)
        left, right = sorted((column(start[0]), column(end[0])))
        mirrored.append(cast("_TableCommand", (name, (left, start[1]), (right, end[1]), *values)))
    return mirrored


def rtl_cell(text: str, style: ParagraphStyle, max_lines: int | None = None) -> BidiParagraph:
    """A paragraph of a document written right to left (a table cell, a
    value): flush right, right to left when it holds right-to-left letters,
    left to right otherwise ("Police nationale (Tchad)" keeps its brackets
    where French puts them)."""
    return BidiParagraph(text, style, has_rtl(text), max_lines, align="right")


def paragraph_text(flowables: Sequence[Flowable]) -> str:
    """The plain text of BidiParagraphs, for tests."""
    return "\n".join(f.text for f in flowables if isinstance(f, BidiParagraph))


# ------------------------------------------------------------------ wording


def plural(count: float, forms: dict[str, str]) -> str:
    """The Arabic form for `count` (CLDR's rules: one, two, few for 3-10,
    many for 11-99, other), with {n} its number: `forms` holds "one",
    "two", "few", "many" and "other" ("ساعة واحدة", "ساعتان", "{n} ساعات",
    "{n} ساعة", "{n} ساعة")."""
    number = f"{count:g}"
    if count != int(count):
        key = "other"
    else:
        whole = int(count)
        if whole == 1:
            key = "one"
        elif whole == 2:
            key = "two"
        elif 3 <= whole % 100 <= 10:
            key = "few"
        elif 11 <= whole % 100 <= 99:
            key = "many"
        else:
            key = "other"
    return forms[key].replace("{n}", number)


@lru_cache(maxsize=1024)
def date_range(start: date, end: date) -> str:
    """A span of days in Arabic words, unambiguous right to left: "6 مارس
    2026", "من 2 إلى 6 مارس 2026", "من 30 مارس إلى 3 أبريل 2026"."""
    if start == end:
        return format_date(end, "d MMMM y", locale="ar")
    if (start.year, start.month) == (end.year, end.month):
        first = str(start.day)
    elif start.year == end.year:
        first = format_date(start, "d MMMM", locale="ar")
    else:
        first = format_date(start, "d MMMM y", locale="ar")
    return f"من {first} إلى {format_date(end, 'd MMMM y', locale='ar')}"
