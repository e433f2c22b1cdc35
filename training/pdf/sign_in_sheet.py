"""The sign-in sheet: one A4 landscape sheet per day, with a morning and an
afternoon signature column, to be signed on paper and scanned back.

Plain data in (frozen dataclasses), PDF bytes out: no Flask, no database.
Labels are chosen by the sheet's own language, not the user's: "fr",
"en" and "ar" print in that language, "both" prints French then English.
An Arabic sheet reads right to left: its columns in mirror order, its text
laid out by training.pdf.arabic. A participant's name in Arabic script
prints under the Latin one (above it on an Arabic sheet). Every text is
escaped before it reaches a Paragraph, whose markup parser would otherwise
interpret it; Arabic text goes to a BidiParagraph, which parses none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING, Any, Literal, cast
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from training.dates import format_day
from training.pdf.arabic import (
    BidiParagraph,
    date_range,
    draw_line,
    mirrored_commands,
    rtl_cell,
)
from training.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts
from training.pdf.qr import draw_qr
from training.text import clean

if TYPE_CHECKING:
    from reportlab.platypus.tables import _TableCommand

SheetLanguage = Literal["fr", "en", "both", "ar"]


@dataclass(frozen=True)
class SheetParticipant:
    family_name: str
    given_name: str
    organisation: str = ""
    rank: str = ""
    name_ar: str = ""  # the name in Arabic script, when known


@dataclass(frozen=True)
class SignInSheet:
    """Everything printed on the sheets of one session."""

    code: str
    title_fr: str
    title_en: str
    language: SheetLanguage
    start_date: date
    end_date: date
    city: str
    days: tuple[date, ...]
    participants: tuple[SheetParticipant, ...]
    country: str = ""
    venue: str = ""
    trainers: tuple[str, ...] = ()
    blank_rows: int = 5
    organiser: str = "UNODC – DPO"
    title_ar: str = ""  # an Arabic sheet prints the French title without it
    # (day, address): the page that keys that day's sheet back once signed,
    # printed as a QR code beside the day's heading (none for a day without).
    links: tuple[tuple[date, str], ...] = ()


_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "sheet": "Feuille d'émargement",
        "code": "Code",
        "dates": "Dates",
        "place": "Lieu",
        "trainers": "Formateurs",
        "number": "N°",
        "name": "NOM Prénom",
        "organisation": "Organisation",
        "rank": "Grade",
        "am": "Signature\nmatin",
        "pm": "Signature\naprès-midi",
        "page": "page {page} sur {pages}",
        "dates_value": "du {start} au {end}",
        "late": "Arrivées tardives : ajouter nom, organisation et grade.",
        "qr": "Saisie dans Atelier :\nscannez ce code ou tapez\ncelui du bas de page.",
    },
    "en": {
        "sheet": "Sign-in sheet",
        "code": "Code",
        "dates": "Dates",
        "place": "Venue",
        "trainers": "Trainers",
        "number": "No.",
        "name": "FAMILY NAME Given name",
        "organisation": "Organisation",
        "rank": "Rank",
        "am": "Signature\nmorning",
        "pm": "Signature\nafternoon",
        "page": "page {page} of {pages}",
        "dates_value": "{start} to {end}",
        "late": "Late arrivals: add name, organisation and rank.",
        "qr": "To key it into Atelier,\nscan this code or type\nthe one at the foot.",
    },
    "ar": {
        "sheet": "ورقة التوقيع على الحضور",
        "code": "الرمز",
        "dates": "التواريخ",
        "place": "المكان",
        "trainers": "المدربون",
        "number": "م",
        "name": "الاسم واللقب",
        "organisation": "الجهة",
        "rank": "الرتبة",
        "am": "توقيع\nالفترة الصباحية",
        "pm": "توقيع\nالفترة المسائية",
        "page": "الصفحة {page} من {pages}",
        "dates_value": "من {start} إلى {end}",
        "late": "المتأخرون: يُرجى إضافة الاسم والجهة والرتبة.",
        "qr": "للإدخال في Atelier:\nيُمسح هذا الرمز أو يُكتب\nالرمز المطبوع أسفل الصفحة.",
    },
}

_INK = colors.HexColor("#1b2733")
_UN_BLUE = colors.HexColor("#0b5ea8")
_RULE = colors.HexColor("#8c99a6")
_HEAD_BG = colors.HexColor("#e3ecf5")
_STRIPE = colors.HexColor("#f5f7fa")
_NOTE_INK = colors.HexColor("#4a5866")

# The QR code beside a day's heading, its quiet zone included: some 0.4 mm a
# module for an address of 60 to 80 characters, read by a phone or a USB
# scanner from a photocopy.
_QR_SIZE = 18 * mm
_QR_CAPTION_WIDTH = 40 * mm
_QR_CAPTION_SIZE = 7

_PAGE = landscape(A4)
_MARGIN = 12 * mm
_FOOTER_Y = 7 * mm
# No., name, organisation, rank, AM, PM: the signature columns get the room.
_COLUMNS = (9 * mm, 62 * mm, 80 * mm, 39 * mm, 39 * mm, 39 * mm)
_CELL_PADDING = 4
_CELL_SIZE = 9
_DETAIL_SIZE = 8  # organisation and rank: long official names fit in two lines
_HEADER_SIZE = 8.5


def _languages(language: SheetLanguage) -> tuple[str, ...]:
    return ("fr", "en") if language == "both" else (language,)


def _label(language: SheetLanguage, key: str, **values: str) -> str:
    """The label in the sheet's language; bilingual labels read "fr / en",
    line by line, and once when both languages say the same ("Code")."""
    texts = [_LABELS[code][key].format(**values).split("\n") for code in _languages(language)]
    if len({len(lines) for lines in texts}) != 1:
        return " / ".join("\n".join(lines) for lines in texts)
    return "\n".join(" / ".join(dict.fromkeys(parts)) for parts in zip(*texts, strict=True))


# UN English writes "23 November 2026".
_DATE_LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar"}


def _day_text(language: SheetLanguage, day: date) -> str:
    texts = (format_day(day, "full", locale=_DATE_LOCALES[code]) for code in _languages(language))
    return " / ".join(text[:1].upper() + text[1:] for text in texts)


def _dates_text(language: SheetLanguage, start: date, end: date) -> str:
    if language == "ar":
        return date_range(start, end)
    return " / ".join(
        _LABELS[code]["dates_value"].format(
            start=format_day(start, "long", locale=_DATE_LOCALES[code]),
            end=format_day(end, "long", locale=_DATE_LOCALES[code]),
        )
        for code in _languages(language)
    )


def sheet_code(code: str, day: date) -> str:
    """The short code printed on every page, to match a scan to its day."""
    return f"{code} · {day.isoformat()}"


class _Styles:
    """Paragraph styles, made once per process (fonts registered first)."""

    _instance: _Styles | None = None

    def __init__(self) -> None:
        register_fonts()
        base: dict[str, Any] = {"fontName": FONT_REGULAR, "textColor": _INK, "alignment": TA_LEFT}
        self.organiser = ParagraphStyle(
            "organiser",
            fontSize=8.5,
            leading=11,
            **{**base, "textColor": _UN_BLUE, "fontName": FONT_BOLD},
        )
        self.heading = ParagraphStyle(
            "heading", fontSize=15, leading=18, **{**base, "fontName": FONT_BOLD}
        )
        self.title = ParagraphStyle(
            "title", fontSize=11.5, leading=14, **{**base, "fontName": FONT_BOLD}
        )
        self.title_second = ParagraphStyle(
            "title2", fontSize=10, leading=13, **{**base, "fontName": FONT_ITALIC}
        )
        # Size of the session details (drawn as plain table text).
        self.info = ParagraphStyle("info", fontSize=8.5, leading=11, **base)

    @classmethod
    def get(cls) -> _Styles:
        if cls._instance is None:
            cls._instance = _Styles()
        return cls._instance


class _DayMarker(Flowable):
    """Zero-size flowable telling the canvas which day's sheet the current
    page belongs to, for the footer drawn once the page count is known."""

    width = height = 0

    def __init__(self, key: str, footer_left: str) -> None:
        super().__init__()
        self.key = key
        self.footer_left = footer_left

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv._atelier_sheet = (self.key, self.footer_left)  # type: ignore[attr-defined]


def _canvas_maker(language: SheetLanguage, font_name: str) -> type[Canvas]:
    page_label = _LABELS
    rtl = language == "ar"

    class NumberedCanvas(Canvas):
        """Defers each page until the end so that the footer can say
        "page x of y" for the day's sheet (pages of one day are counted
        together: a day is one physical sheet to sign)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._atelier_pages: list[dict[str, Any]] = []
            self._atelier_sheet = ("", "")

        def showPage(self) -> None:
            self._atelier_pages.append(dict(self.__dict__))
            # Canvas._startPage is private, absent from the stubs.
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            totals = Counter(state["_atelier_sheet"][0] for state in self._atelier_pages)
            seen: Counter[str] = Counter()
            for state in self._atelier_pages:
                self.__dict__.update(state)
                key, left = state["_atelier_sheet"]
                seen[key] += 1
                self._footer(left, seen[key], totals[key])
                if seen[key] > 1:
                    self._running_head(left)
                super().showPage()
            super().save()

        def _running_head(self, text: str) -> None:
            """Continuation pages name their day at the top as well."""
            # Canvas._pagesize is private, absent from the stubs.
            _width, height = self._pagesize  # type: ignore[attr-defined]
            self.saveState()
            self.setFillColor(_UN_BLUE)
            if rtl:
                width, _height = self._pagesize  # type: ignore[attr-defined]
                draw_line(
                    self, width - _MARGIN, height - 8 * mm, text, font_name, 8.5, "right", True
                )
            else:
                self.setFont(font_name, 8.5)
                self.drawString(_MARGIN, height - 8 * mm, text)
            self.restoreState()

        def _footer(self, left: str, page: int, pages: int) -> None:
            right = " / ".join(
                page_label[code]["page"].format(page=page, pages=pages)
                for code in _languages(language)
            )
            # Canvas._pagesize is private, absent from the stubs.
            width, _height = self._pagesize  # type: ignore[attr-defined]
            self.saveState()
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.5)
            self.line(_MARGIN, _FOOTER_Y + 10, width - _MARGIN, _FOOTER_Y + 10)
            self.setFillColor(_INK)
            if rtl:  # the sheet's code where a right-to-left line starts
                draw_line(self, width - _MARGIN, _FOOTER_Y, left, font_name, 8.5, "right", True)
                draw_line(self, _MARGIN, _FOOTER_Y, right, font_name, 8.5, "left", True)
            else:
                self.setFont(font_name, 8.5)
                self.drawString(_MARGIN, _FOOTER_Y, left)
                self.drawRightString(width - _MARGIN, _FOOTER_Y, right)
            self.restoreState()

    return NumberedCanvas


# A cell shows at most this many lines, the last one ending in "…": whatever
# is stored (a 2,000-character name), a row never grows taller than a page.
MAX_CELL_LINES = 4


def _wrapped(paragraph: str, font_name: str, font_size: float, width: float) -> list[str]:
    """simpleSplit's lines, with any word wider than the column cut into
    pieces that fit (simpleSplit leaves such a word whole)."""
    lines = []
    for line in simpleSplit(" ".join(paragraph.split()), font_name, font_size, width):
        if stringWidth(line, font_name, font_size) <= width:
            lines.append(line)
            continue
        piece, piece_width = "", 0.0
        for character in line:
            character_width = stringWidth(character, font_name, font_size)
            if piece and piece_width + character_width > width:
                lines.append(piece)
                piece, piece_width = "", 0.0
            piece += character
            piece_width += character_width
        lines.append(piece)
    return lines


@lru_cache(maxsize=4096)
def _lines(text: str, font_name: str, font_size: float, width: float) -> str:
    """Text wrapped to the column width, as the plain multi-line string a
    Table cell draws literally (no markup parsing, and far faster than a
    Paragraph per cell). Control characters are dropped; at most
    MAX_CELL_LINES lines."""
    # Cleaned, and cut to what MAX_CELL_LINES lines could ever show.
    text = clean(text[: MAX_CELL_LINES * 200], multiline=True)
    if not text:
        return ""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += _wrapped(paragraph, font_name, font_size, width)
        if len(lines) > MAX_CELL_LINES:
            break
    if len(lines) > MAX_CELL_LINES:
        last = lines[MAX_CELL_LINES - 1]
        while last and stringWidth(last + "…", font_name, font_size) > width:
            last = last[:-1]
        lines = [*lines[: MAX_CELL_LINES - 1], last + "…"]
    return "\n".join(lines)


def _paragraph(text: str, style: ParagraphStyle, language: SheetLanguage) -> Flowable:
    """A line of the heading: a Paragraph of escaped text, or, on an Arabic
    sheet, a right-to-left BidiParagraph (which parses no markup)."""
    if language == "ar":
        return BidiParagraph(text, style, rtl=True)
    return Paragraph(escape(text), style)


def _day_heading(sheet: SignInSheet, day: date, styles: _Styles) -> list[Flowable]:
    """What names the day: the sheet's title and the date, in full."""
    language = sheet.language
    flowables: list[Flowable] = [_paragraph(sheet.organiser, styles.organiser, language)]
    if language == "both":
        flowables += [
            Paragraph(escape(_label(language, "sheet")), styles.heading),
            Paragraph(escape(_day_text(language, day)), styles.heading),
        ]
    else:
        text = f"{_label(language, 'sheet')} — {_day_text(language, day)}"
        flowables.append(_paragraph(text, styles.heading, language))
    flowables.append(Spacer(1, 2))
    return flowables


def _cell(text: str, font: str, size: float, leading: float) -> Flowable:
    """A cell of an Arabic sheet: right to left, at most MAX_CELL_LINES lines."""
    style = _cell_style(font, size, leading)
    return rtl_cell(clean(text[: MAX_CELL_LINES * 200]), style, MAX_CELL_LINES)


@lru_cache(maxsize=32)
def _cell_style(font: str, size: float, leading: float) -> ParagraphStyle:
    return ParagraphStyle(
        f"sheet-cell-{font}-{size}", fontName=font, fontSize=size, leading=leading, textColor=_INK
    )


def _titles(sheet: SignInSheet, styles: _Styles) -> list[Flowable]:
    """The course's title in the sheet's language (both: French, then English;
    Arabic: the Arabic title, then the French one, or the French one alone)."""
    language = sheet.language
    if language == "en":
        return [Paragraph(escape(sheet.title_en), styles.title)]
    if language == "ar":
        flowables: list[Flowable] = [
            BidiParagraph(sheet.title_ar or sheet.title_fr, styles.title, rtl=True)
        ]
        if sheet.title_ar and sheet.title_fr != sheet.title_ar:
            flowables.append(BidiParagraph(sheet.title_fr, styles.title_second, rtl=True))
        return flowables
    flowables = [Paragraph(escape(sheet.title_fr), styles.title)]
    if language == "both" and sheet.title_en != sheet.title_fr:
        flowables.append(Paragraph(escape(sheet.title_en), styles.title_second))
    return flowables


class _QrCode(Flowable):
    """A QR code, `size` points wide with its quiet zone, on white."""

    def __init__(self, value: str, size: float) -> None:
        super().__init__()
        self.value, self.size = value, size
        self.width = self.height = size

    def draw(self) -> None:
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        draw_qr(canvas, self.value, 0, 0, self.size)


def _header(sheet: SignInSheet, day: date, styles: _Styles) -> list[Flowable]:
    """A day's heading and the course's title; with the day's link, its QR
    code on the right (on the left of an Arabic sheet), captioned in the
    sheet's language."""
    heading = _day_heading(sheet, day, styles) + _titles(sheet, styles)
    link = dict(sheet.links).get(day)
    if not link:
        return heading
    rtl = sheet.language == "ar"
    # Three short lines a language, written to fit the caption's width.
    caption_text = "\n".join(_LABELS[code]["qr"] for code in _languages(sheet.language))
    caption: Any = caption_text
    if rtl:
        style = _cell_style(FONT_REGULAR, _QR_CAPTION_SIZE, _QR_CAPTION_SIZE + 1.5)
        caption = BidiParagraph(caption_text, style, rtl=True, align="left")
    side = sum(_COLUMNS) - _QR_CAPTION_WIDTH - _QR_SIZE
    commands: list[_TableCommand] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (1, 0), (1, 0), "MIDDLE"),
        ("ALIGN", (1, 0), (1, 0), "RIGHT"),
        ("FONTNAME", (1, 0), (1, 0), FONT_REGULAR),
        ("FONTSIZE", (1, 0), (1, 0), _QR_CAPTION_SIZE),
        ("LEADING", (1, 0), (1, 0), _QR_CAPTION_SIZE + 1.5),
        ("TEXTCOLOR", (1, 0), (1, 0), _NOTE_INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (1, 0), (1, 0), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    cells: list[Any] = [heading, caption, _QrCode(link, _QR_SIZE)]
    widths = (side, _QR_CAPTION_WIDTH, _QR_SIZE)
    if rtl:  # the code on the left, its caption beside it, the heading on the right
        cells, widths = cells[::-1], widths[::-1]
        commands = [
            *mirrored_commands(commands, 3),
            ("LEFTPADDING", (1, 0), (1, 0), 4),
            ("RIGHTPADDING", (1, 0), (1, 0), 0),
        ]
    table = Table([cells], colWidths=widths)
    table.setStyle(TableStyle(commands))
    return [table]


def _session_block(sheet: SignInSheet, styles: _Styles) -> list[Flowable]:
    """The session's code, dates, place and trainers: the same on every
    day's sheet, so made once and placed under each day's heading."""
    language = sheet.language
    separator = "، " if language == "ar" else ", "
    place = separator.join(part for part in (sheet.venue, sheet.city, sheet.country) if part)
    label_width, value_width = 30 * mm, (sum(_COLUMNS) - 60 * mm) / 2
    size = styles.info.fontSize
    info = [
        (_label(language, "code"), sheet.code, _label(language, "place"), place),
        (
            _label(language, "dates"),
            _dates_text(language, sheet.start_date, sheet.end_date),
            _label(language, "trainers"),
            ", ".join(sheet.trainers),
        ),
    ]
    widths = (label_width, value_width, label_width, value_width)
    rows: list[list[Any]]
    if language == "ar":
        leading = styles.info.leading
        rows = [
            [
                _cell(text, FONT_BOLD if column % 2 == 0 else FONT_REGULAR, size, leading)
                for column, text in reversed(list(enumerate(row)))
            ]
            for row in info
        ]
        widths = widths[::-1]
    else:
        rows = [
            [
                _lines(a, FONT_BOLD, size, label_width - 4),
                _lines(b, FONT_REGULAR, size, value_width - 4),
                _lines(c, FONT_BOLD, size, label_width - 4),
                _lines(d, FONT_REGULAR, size, value_width - 4),
            ]
            for a, b, c, d in info
        ]
    commands: list[_TableCommand] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTNAME", (0, 0), (0, -1), FONT_BOLD),
        ("FONTNAME", (2, 0), (2, -1), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("LEADING", (0, 0), (-1, -1), styles.info.leading),
        ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    if language == "ar":  # no padding where a right-to-left cell starts
        commands = [
            *mirrored_commands(commands, 4),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ]
    table = Table(rows, colWidths=widths)
    table.setStyle(TableStyle(commands))
    return [Spacer(1, 4), table, Spacer(1, 6)]


class _RosterPage(Flowable):
    """One page's share of the roster, cut in advance (see _paginate) and
    drawn once as a PDF form XObject: every day's roster is the same, so
    the days after the first cost only a reference to the page already
    drawn, and the PDF stays small."""

    def __init__(self, table: Table, forms: dict[int, str]) -> None:
        super().__init__()
        self.table = table
        self.forms = forms

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width, self.height = self.table.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []  # already cut to fit its page

    def draw(self) -> None:
        name = self.forms.get(id(self.table))
        if name is None:
            name = f"roster{len(self.forms)}"
            self.canv.beginForm(name, 0, 0, self.width, self.height)
            self.table.drawOn(self.canv, 0, 0)
            self.canv.endForm()
            self.forms[id(self.table)] = name
        self.canv.doForm(name)


def _paginate(
    roster: Table, width: float, first_height: float, later_height: float
) -> list[Table | None]:
    """The roster cut into pages: the first below the day's header, the
    others full height (each repeats the header row). None stands for a
    page break before the first part, when not one row fits under the header."""
    parts: list[Table | None] = []
    rest, height = roster, first_height
    while True:
        if rest.wrap(width, height)[1] <= height:
            parts.append(rest)
            return parts
        pieces = rest.split(width, height)
        if not pieces:
            if height == later_height:
                raise ValueError("a roster row is taller than a page")
            parts.append(None)
        else:
            # A table splits into tables; the stubs say Flowable.
            first, rest = cast(list[Table], pieces)
            parts.append(first)
        height = later_height


def _name_cell(participant: SheetParticipant, language: SheetLanguage, width: float) -> Any:
    """FAMILY Given, and the name in Arabic script under it (above it on an
    Arabic sheet): a plain string when there is no Arabic name and the sheet
    is not Arabic, as it always was."""
    latin = f"{participant.family_name.upper()} {participant.given_name}"
    name_ar = clean(participant.name_ar)
    if language != "ar" and not name_ar:
        return _lines(latin, FONT_REGULAR, _CELL_SIZE, width)
    leading = _CELL_SIZE + 2
    style = _cell_style(FONT_REGULAR, _CELL_SIZE, leading)
    side = "right" if language == "ar" else "left"  # where the column's lines start
    latin_line = BidiParagraph(clean(latin[:400]), style, False, 2, align=side)
    if not name_ar:
        return [latin_line]
    arabic_line = BidiParagraph(name_ar[:400], style, True, 2, align=side)
    return [arabic_line, latin_line] if language == "ar" else [latin_line, arabic_line]


def _roster(sheet: SignInSheet) -> Table:
    language = sheet.language
    rtl = language == "ar"
    inner = [width - 2 * _CELL_PADDING for width in _COLUMNS]
    keys = ("number", "name", "organisation", "rank", "am", "pm")
    header: list[Any]
    if rtl:
        header = [
            _cell(_label(language, key), FONT_BOLD, _HEADER_SIZE, _HEADER_SIZE + 2) for key in keys
        ]
    else:
        header = [
            _lines(_label(language, key), FONT_BOLD, _HEADER_SIZE, inner[index])
            for index, key in enumerate(keys)
        ]
    rows: list[list[Any]] = [header]
    for number, participant in enumerate(sheet.participants, start=1):
        details: list[Any]
        if rtl:
            details = [
                _cell(participant.organisation, FONT_REGULAR, _DETAIL_SIZE, _DETAIL_SIZE + 1.5),
                _cell(participant.rank, FONT_REGULAR, _DETAIL_SIZE, _DETAIL_SIZE + 1.5),
            ]
        else:
            details = [
                _lines(participant.organisation, FONT_REGULAR, _DETAIL_SIZE, inner[2]),
                _lines(participant.rank, FONT_REGULAR, _DETAIL_SIZE, inner[3]),
            ]
        rows.append([str(number), _name_cell(participant, language, inner[1]), *details, "", ""])
    first_blank = len(rows)
    count = len(sheet.participants)
    rows += [
        [str(number), "", "", "", "", ""]
        for number in range(count + 1, count + sheet.blank_rows + 1)
    ]
    # The instruction for late arrivals travels with the roster's last page.
    if rtl:
        note: Any = _cell(_label(language, "late"), FONT_REGULAR, _DETAIL_SIZE, _DETAIL_SIZE + 2)
    else:
        note = _lines(_label(language, "late"), FONT_REGULAR, _DETAIL_SIZE, sum(inner))
    rows.append([note, "", "", "", "", ""])
    style: list[_TableCommand] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), _CELL_SIZE),
        ("FONTSIZE", (0, 0), (-1, 0), _HEADER_SIZE),
        ("LEADING", (0, 0), (-1, -1), _CELL_SIZE + 2),
        ("FONTSIZE", (2, 1), (3, -1), _DETAIL_SIZE),
        ("LEADING", (2, 1), (3, -1), _DETAIL_SIZE + 1.5),
        ("TEXTCOLOR", (0, 0), (-1, -1), _INK),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -2), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        # Room to sign: every row is at least 8.5 mm high.
        ("TOPPADDING", (0, 1), (-1, -1), 6.5),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 6.5),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG),
        ("GRID", (0, 0), (-1, -2), 0.5, _RULE),
        ("SPAN", (0, -1), (-1, -1)),
        ("FONTSIZE", (0, -1), (-1, -1), _DETAIL_SIZE),
        ("TEXTCOLOR", (0, -1), (-1, -1), _NOTE_INK),
        ("TOPPADDING", (0, -1), (-1, -1), 3),
        ("BOTTOMPADDING", (0, -1), (-1, -1), 0),
        ("LEFTPADDING", (0, -1), (-1, -1), 0),
        ("LINEBELOW", (0, 0), (-1, 0), 1.2, _UN_BLUE),
        ("ROWBACKGROUNDS", (0, 1), (-1, first_blank - 1), [colors.white, _STRIPE]),
    ]
    if not rtl:
        return Table(rows, colWidths=_COLUMNS, repeatRows=1, style=TableStyle(style))
    # Right to left: the columns in mirror order, the number where a line
    # starts, the note for late arrivals flush right.
    rows = [row[::-1] for row in rows[:-1]] + rows[-1:]  # the note spans the row
    style = [
        *mirrored_commands(style, len(_COLUMNS)),
        ("LEFTPADDING", (0, -1), (-1, -1), _CELL_PADDING),
        ("RIGHTPADDING", (0, -1), (-1, -1), 0),
    ]
    return Table(rows, colWidths=_COLUMNS[::-1], repeatRows=1, style=TableStyle(style))


def render_sign_in_sheet(sheet: SignInSheet) -> bytes:
    """The PDF of the sheet: one or more pages per day, a page break between
    days; the roster's header row repeats on every page and the footer holds
    the sheet code and "page x of y" of that day."""
    styles = _Styles.get()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=_PAGE,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 6 * mm,
        title=f"{_label(sheet.language, 'sheet')} {sheet.code}",
        author=sheet.organiser,
        subject=sheet.title_fr if sheet.language != "en" else sheet.title_en,
        creator="Atelier",
    )
    frame_width, frame_height = document.width - 12, document.height - 12  # frame padding
    roster = _roster(sheet)
    session_block = _session_block(sheet, styles)
    pages: dict[float, list[Table | None]] = {}  # by the height left under the header
    forms: dict[int, str] = {}
    story: list[Flowable] = []
    for index, day in enumerate(sheet.days):
        if index:
            story.append(PageBreak())
        code = sheet_code(sheet.code, day)
        footer = f"{code} — {_label(sheet.language, 'sheet')} — {_day_text(sheet.language, day)}"
        story.append(_DayMarker(code, footer))
        header = _header(sheet, day, styles) + session_block
        story += header
        room = round(frame_height - sum(f.wrap(frame_width, frame_height)[1] for f in header), 1)
        if room not in pages:
            pages[room] = _paginate(roster, frame_width, room - 1, frame_height - 1)
        for number, part in enumerate(pages[room]):
            if number:
                story.append(PageBreak())
            if part is not None:
                story.append(_RosterPage(part, forms))
    try:
        document.build(story, canvasmaker=_canvas_maker(sheet.language, FONT_REGULAR))
    finally:
        _lines.cache_clear()  # names stay no longer than the render that printed them
    return buffer.getvalue()
