"""The programme of a session: the curriculum's modules laid out day by day,
with their times and durations, to hand out on the first morning.

Plain data in (frozen dataclasses), PDF bytes out: no Flask, no database.
`lay_out` places the modules in the days (a pure function, tested on its
own); `render_programme` prints them. The programme speaks its own
language, not the reader's: "fr", "en", "ar" (right to left, its tables in
mirror order, laid out by training.pdf.arabic), or "both" (French then
English). Every text is escaped before it reaches a Paragraph, whose markup
parser would otherwise interpret it; Arabic goes to a BidiParagraph, which
parses none.

The day: teaching from 9:00 to 12:30 and from 14:00 to 17:00, with a coffee
break in the middle of each half-day and lunch between them; the first day
opens at 8:30 with registration, and the session closes after its last
activity. With a test, a pre-test opens the teaching and a post-test ends
it. A module longer than the time left in a half-day continues after the
break; what the days cannot hold is listed as still to schedule.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from training.dates import format_day
from training.pdf.arabic import BidiParagraph, date_range, draw_line, has_rtl, plural
from training.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts
from training.text import clean

if TYPE_CHECKING:
    from reportlab.platypus.tables import _TableCommand

ProgrammeLanguage = Literal["fr", "en", "both", "ar"]
SlotKind = Literal["opening", "pre_test", "module", "break", "lunch", "post_test", "closing"]


@dataclass(frozen=True)
class ProgrammeModule:
    title_fr: str
    title_en: str
    duration_minutes: int
    aim: str = ""
    title_ar: str = ""  # an Arabic programme prints the French title without it


@dataclass(frozen=True)
class Programme:
    """Everything printed on a session's programme."""

    code: str
    title_fr: str
    title_en: str
    language: ProgrammeLanguage
    start_date: date
    end_date: date
    city: str
    days: tuple[date, ...]
    modules: tuple[ProgrammeModule, ...]
    country: str = ""
    venue: str = ""
    trainers: tuple[str, ...] = ()
    organiser: str = "UNODC – DPO"
    has_test: bool = False
    title_ar: str = ""


@dataclass(frozen=True)
class Slot:
    """One line of a day: from `start` to `end` (minutes since midnight).
    A module's line names it by its index in Programme.modules, and which
    part of it this is when it runs over a break."""

    start: int
    end: int
    kind: SlotKind
    module: int | None = None
    part: int = 1
    parts: int = 1

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class ProgrammeDay:
    day: date
    slots: tuple[Slot, ...]


@dataclass(frozen=True)
class Layout:
    days: tuple[ProgrammeDay, ...]
    # Modules (by index) and minutes the days could not hold.
    unscheduled: tuple[tuple[int, int], ...] = ()


def _at(hours: int, minutes: int = 0) -> int:
    return hours * 60 + minutes


# The teaching half-day blocks and what separates them.
TEACHING_BLOCKS = (
    (_at(9), _at(10, 30)),
    (_at(10, 45), _at(12, 30)),
    (_at(14), _at(15, 30)),
    (_at(15, 45), _at(17)),
)
BETWEEN_BLOCKS: tuple[SlotKind, ...] = ("break", "lunch", "break")
OPENING = (_at(8, 30), _at(9))
TEST_MINUTES = 30
CLOSING_MINUTES = 30
# A module does not start in the last minutes of a half-day block when the
# days have time to spare: it waits for the next block rather than print a
# 15-minute fragment.
SHORTEST_START = 45


def lay_out(programme: Programme) -> Layout:
    """The programme's days, each with its timed lines (see the module's
    docstring for the day's shape)."""
    # What is to be placed, in order: (kind, module index, minutes).
    items: list[tuple[SlotKind, int | None, int]] = []
    if programme.has_test:
        items.append(("pre_test", None, TEST_MINUTES))
    items += [
        ("module", index, max(0, module.duration_minutes))
        for index, module in enumerate(programme.modules)
        if module.duration_minutes > 0
    ]
    if programme.has_test:
        items.append(("post_test", None, TEST_MINUTES))

    placed: dict[date, list[tuple[int, Slot]]] = {day: [] for day in programme.days}
    # Minutes the days hold beyond what is to be placed: a module may leave
    # that much of a half-day empty rather than start in its last minutes.
    capacity = len(programme.days) * sum(end - start for start, end in TEACHING_BLOCKS)
    slack = max(0, capacity - sum(minutes for _kind, _module, minutes in items))
    position, left = 0, items[0][2] if items else 0
    last_end: tuple[date, int] | None = None
    for day in programme.days:
        for block_index, (block_start, block_end) in enumerate(TEACHING_BLOCKS):
            cursor = block_start
            while position < len(items):
                room = block_end - cursor
                kind, module, minutes = items[position]
                if room <= 0:
                    break
                if left > room and kind != "module":
                    break  # a test is not cut in two
                starting = left == minutes
                if left > room and starting and room < SHORTEST_START and room <= slack:
                    slack -= room  # the next module starts after the break
                    break
                taken = min(room, left)
                placed[day].append((block_index, Slot(cursor, cursor + taken, kind, module)))
                cursor += taken
                left -= taken
                last_end = (day, cursor)
                if left == 0:
                    position += 1
                    left = items[position][2] if position < len(items) else 0
    unscheduled: list[tuple[int, int]] = []
    while position < len(items):
        kind, module, _minutes = items[position]
        if kind == "module" and module is not None:
            unscheduled.append((module, left))
        position += 1
        left = items[position][2] if position < len(items) else 0

    days = []
    for index, day in enumerate(programme.days):
        slots = _with_breaks(placed[day])
        if index == 0 and programme.days:
            slots.insert(0, Slot(*OPENING, "opening"))
        if last_end is not None and last_end[0] == day:
            slots.append(Slot(last_end[1], last_end[1] + CLOSING_MINUTES, "closing"))
        elif last_end is None and index == len(programme.days) - 1:
            start = OPENING[1] if index == 0 else TEACHING_BLOCKS[0][0]
            slots.append(Slot(start, start + CLOSING_MINUTES, "closing"))
        days.append(ProgrammeDay(day, tuple(slots)))
    return Layout(_numbered_parts(tuple(days)), tuple(unscheduled))


def _with_breaks(pieces: list[tuple[int, Slot]]) -> list[Slot]:
    """The day's teaching lines with a break (or lunch) wherever two of them
    sit in different blocks."""
    slots: list[Slot] = []
    previous_block: int | None = None
    for block, slot in pieces:
        if previous_block is not None and block != previous_block:
            for between in range(previous_block, block):
                start, end = TEACHING_BLOCKS[between][1], TEACHING_BLOCKS[between + 1][0]
                slots.append(Slot(start, end, BETWEEN_BLOCKS[between]))
        slots.append(slot)
        previous_block = block
    return slots


def _numbered_parts(days: tuple[ProgrammeDay, ...]) -> tuple[ProgrammeDay, ...]:
    """Each piece of a module that runs over a break learns which part of
    how many it is."""
    totals = Counter(slot.module for day in days for slot in day.slots if slot.kind == "module")
    seen: Counter[int | None] = Counter()
    numbered = []
    for day in days:
        slots = []
        for slot in day.slots:
            if slot.kind == "module":
                seen[slot.module] += 1
                slot = Slot(
                    slot.start,
                    slot.end,
                    slot.kind,
                    slot.module,
                    part=seen[slot.module],
                    parts=totals[slot.module],
                )
            slots.append(slot)
        numbered.append(ProgrammeDay(day.day, tuple(slots)))
    return tuple(numbered)


# --- printing ----------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "heading": "Programme",
        "code": "Code",
        "dates": "Dates",
        "place": "Lieu",
        "trainers": "Formateurs",
        "duration": "Durée",
        "duration_value": "{hours} sur {days}",
        "days_one": "{num} jour",
        "days_other": "{num} jours",
        "dates_value": "du {start} au {end}",
        "day": "Jour {num}",
        "time": "Horaire",
        "activity": "Activité",
        "length": "Durée",
        "module": "Module {num}",
        "continued": "(suite)",
        "opening": "Accueil, enregistrement des participants et ouverture",
        "pre_test": "Test initial\u00a0: évaluation des connaissances de départ",
        "post_test": "Test final\u00a0: évaluation des connaissances acquises",
        "break": "Pause-café",
        "lunch": "Déjeuner",
        "closing": "Évaluation de la formation et clôture",
        "nothing": "Aucune activité prévue ce jour.",
        "unscheduled": "À programmer\u00a0: les journées ne contiennent pas ces modules\u00a0:",
        "page": "page {page} sur {pages}",
    },
    "en": {
        "heading": "Programme",
        "code": "Code",
        "dates": "Dates",
        "place": "Venue",
        "trainers": "Trainers",
        "duration": "Duration",
        "duration_value": "{hours} over {days}",
        "days_one": "{num} day",
        "days_other": "{num} days",
        "dates_value": "{start} to {end}",
        "day": "Day {num}",
        "time": "Time",
        "activity": "Activity",
        "length": "Length",
        "module": "Module {num}",
        "continued": "(continued)",
        "opening": "Welcome, registration of participants and opening",
        "pre_test": "Pre-test: what participants know on arrival",
        "post_test": "Post-test: what participants have learnt",
        "break": "Coffee break",
        "lunch": "Lunch",
        "closing": "Course evaluation and closing",
        "nothing": "No activity planned on this day.",
        "unscheduled": "To schedule: the days do not hold these modules:",
        "page": "page {page} of {pages}",
    },
    "ar": {
        "heading": "البرنامج",
        "code": "الرمز",
        "dates": "التواريخ",
        "place": "المكان",
        "trainers": "المدربون",
        "duration": "المدة",
        "duration_value": "{hours} على مدى {days}",
        "days_one": "يوم واحد",
        "days_other": "{num} أيام",
        "dates_value": "من {start} إلى {end}",
        "day": "اليوم {num}",
        "time": "التوقيت",
        "activity": "النشاط",
        "length": "المدة",
        "module": "الوحدة {num}",
        "continued": "(تابع)",
        "opening": "الاستقبال وتسجيل المشاركين والافتتاح",
        "pre_test": "الاختبار القبلي: تقييم المعارف عند الوصول",
        "post_test": "الاختبار البعدي: تقييم المعارف المكتسبة",
        "break": "استراحة قهوة",
        "lunch": "غداء",
        "closing": "تقييم الدورة التدريبية والاختتام",
        "nothing": "لا نشاط مقرر في هذا اليوم.",
        "unscheduled": "للبرمجة: لا تتسع الأيام لهذه الوحدات:",
        "page": "الصفحة {page} من {pages}",
    },
}
# Arabic counts days as its grammar does (two: يومان; 3 to 10: أيام; 11 on: يومًا).
_DAYS_AR = {
    "one": "يوم واحد",
    "two": "يومان",
    "few": "{n} أيام",
    "many": "{n} يومًا",
    "other": "{n} يوم",
}
_NBSP = "\u00a0"

_INK = colors.HexColor("#1b2733")
_UN_BLUE = colors.HexColor("#0b5ea8")
_RULE = colors.HexColor("#c3ccd5")
_BREAK_BG = colors.HexColor("#f1f3f5")
_MUTED = colors.HexColor("#5a6774")
_WARNING = colors.HexColor("#8a4b00")

_MARGIN = 16 * mm
_FOOTER_Y = 9 * mm
_COLUMNS = (36 * mm, None, 18 * mm)
_DATE_LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar"}
# Whatever is stored, a line of the programme never outgrows a page.
_TITLE_LIMIT, _AIM_LIMIT = 250, 400


def _languages(language: ProgrammeLanguage) -> tuple[str, ...]:
    return ("fr", "en") if language == "both" else (language,)


def _label(language: ProgrammeLanguage, key: str, **values: Any) -> str:
    texts = [_LABELS[code][key].format(**values) for code in _languages(language)]
    return " / ".join(dict.fromkeys(texts))


def _text(value: str, limit: int) -> str:
    text = clean(value or "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _clock(minutes: int, language: ProgrammeLanguage) -> str:
    hours, rest = divmod(minutes, 60)
    if language == "fr":
        return f"{hours}{_NBSP}h{_NBSP}{rest:02d}"
    return f"{hours:02d}:{rest:02d}"


def _length_ar(minutes: int) -> str:
    """1 س 30 د (hours, minutes), as Arabic timetables abbreviate them."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}{_NBSP}د"
    return f"{hours}{_NBSP}س{_NBSP}{rest:02d}{_NBSP}د" if rest else f"{hours}{_NBSP}س"


def _span(slot: Slot, language: ProgrammeLanguage) -> str:
    return f"{_clock(slot.start, language)} – {_clock(slot.end, language)}"


def _length(minutes: int, language: ProgrammeLanguage = "fr") -> str:
    if language == "ar":
        return _length_ar(minutes)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest}{_NBSP}min"
    return f"{hours}{_NBSP}h{_NBSP}{rest:02d}" if rest else f"{hours}{_NBSP}h"


def _hours(minutes: int, language: ProgrammeLanguage) -> str:
    """30 h, 22 h 30."""
    if language == "ar":
        return _length_ar(minutes)
    return _length(minutes) if minutes >= 60 else f"{minutes}{_NBSP}min"


def _day_title(language: ProgrammeLanguage, number: int, day: date) -> str:
    parts = []
    for code in _languages(language):
        text = format_day(day, "full", locale=_DATE_LOCALES[code])
        parts.append(f"{_LABELS[code]['day'].format(num=number)} — {text[:1].upper()}{text[1:]}")
    return " / ".join(parts)


class _Styles:
    """Paragraph styles, made once per process (fonts registered first)."""

    _instance: _Styles | None = None

    def __init__(self) -> None:
        register_fonts()
        base: dict[str, Any] = {"fontName": FONT_REGULAR, "textColor": _INK}
        self.organiser = ParagraphStyle(
            "p-organiser", fontSize=9, leading=12, **{**base, "fontName": FONT_BOLD}
        )
        self.heading = ParagraphStyle(
            "p-heading", fontSize=20, leading=24, **{**base, "textColor": _UN_BLUE}
        )
        self.title = ParagraphStyle(
            "p-title", fontSize=13, leading=16.5, **{**base, "fontName": FONT_BOLD}
        )
        self.title_second = ParagraphStyle(
            "p-title2", fontSize=11, leading=14, **{**base, "fontName": FONT_ITALIC}
        )
        self.info_label = ParagraphStyle(
            "p-info-label", fontSize=8.5, leading=11, **{**base, "fontName": FONT_BOLD}
        )
        self.info = ParagraphStyle("p-info", fontSize=8.5, leading=11, **base)
        self.day = ParagraphStyle(
            "p-day",
            fontSize=10.5,
            leading=13,
            **{**base, "fontName": FONT_BOLD, "textColor": colors.white},
        )
        self.head = ParagraphStyle(
            "p-head", fontSize=8, leading=10, **{**base, "fontName": FONT_BOLD, "textColor": _MUTED}
        )
        self.head_right = ParagraphStyle("p-head-right", parent=self.head, alignment=2)
        self.time = ParagraphStyle("p-time", fontSize=9, leading=11.5, **base)
        self.module = ParagraphStyle(
            "p-module", fontSize=9.5, leading=12, **{**base, "fontName": FONT_BOLD}
        )
        self.module_second = ParagraphStyle(
            "p-module2", fontSize=8.5, leading=11, **{**base, "fontName": FONT_ITALIC}
        )
        self.aim = ParagraphStyle(
            "p-aim", fontSize=8, leading=10.5, **{**base, "textColor": _MUTED}
        )
        self.activity = ParagraphStyle("p-activity", fontSize=9.5, leading=12, **base)
        self.pause = ParagraphStyle(
            "p-pause", fontSize=8.5, leading=11, **{**base, "textColor": _MUTED}
        )
        self.length = ParagraphStyle("p-length", fontSize=9, leading=11.5, alignment=2, **base)
        self.warning = ParagraphStyle(
            "p-warning", fontSize=9, leading=12, **{**base, "textColor": _WARNING}
        )

    @classmethod
    def get(cls) -> _Styles:
        if cls._instance is None:
            cls._instance = _Styles()
        return cls._instance


def _paragraph(text: str, style: ParagraphStyle, rtl: bool = False) -> Flowable:
    """Escaped text in a Paragraph; in an Arabic programme, a right-to-left
    BidiParagraph (which parses no markup)."""
    if rtl:
        return rtl_paragraph(text, style)
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def rtl_paragraph(text: str, style: ParagraphStyle) -> Flowable:
    """A paragraph of an Arabic programme: right to left, its alignment read
    from the line's start (training.pdf.arabic.BidiParagraph); a value in
    Latin letters alone keeps its own order, flush right like the rest."""
    if has_rtl(text):
        return BidiParagraph(text, style, rtl=True)
    align = {TA_LEFT: "right", TA_CENTER: "centre", TA_RIGHT: "left"}.get(
        int(style.alignment), "right"
    )
    return BidiParagraph(text, style, rtl=False, align=align)


def _title(title_fr: str, title_en: str, title_ar: str, language: ProgrammeLanguage) -> str:
    """The title printed first: in Arabic, the French one without an Arabic one."""
    if language == "ar":
        return title_ar or title_fr
    return title_en if language == "en" else title_fr


def _second_title(
    title_fr: str, title_en: str, title_ar: str, language: ProgrammeLanguage
) -> str | None:
    """The title printed under the first: English on a bilingual programme,
    French under an Arabic title."""
    if language == "both" and title_en != title_fr:
        return title_en
    if language == "ar" and title_ar and title_ar != title_fr:
        return title_fr
    return None


def _header(programme: Programme, styles: _Styles, width: float) -> list[Flowable]:
    language = programme.language
    rtl = language == "ar"
    flowables: list[Flowable] = [
        _paragraph(programme.organiser, styles.organiser, rtl),
        Spacer(1, 2 * mm),
        _paragraph(_label(language, "heading"), styles.heading, rtl),
        Spacer(1, 1.5 * mm),
    ]
    titles = (programme.title_fr, programme.title_en, programme.title_ar, language)
    flowables.append(_paragraph(_text(_title(*titles), _TITLE_LIMIT), styles.title, rtl))
    second = _second_title(*titles)
    if second:
        flowables.append(_paragraph(_text(second, _TITLE_LIMIT), styles.title_second, rtl))
    total = sum(max(0, module.duration_minutes) for module in programme.modules)
    count = len(programme.days)
    if rtl:
        duration = _LABELS["ar"]["duration_value"].format(
            hours=_hours(total, language), days=plural(count, _DAYS_AR)
        )
        dates = date_range(programme.start_date, programme.end_date)
    else:
        days_text = " / ".join(
            _LABELS[code]["days_one" if count == 1 else "days_other"].format(num=count)
            for code in _languages(language)
        )
        duration = " / ".join(
            dict.fromkeys(
                _LABELS[code]["duration_value"].format(hours=_hours(total, language), days=days)
                for code, days in zip(_languages(language), days_text.split(" / "), strict=True)
            )
        )
        dates = " / ".join(
            _LABELS[code]["dates_value"].format(
                start=format_day(programme.start_date, "long", locale=_DATE_LOCALES[code]),
                end=format_day(programme.end_date, "long", locale=_DATE_LOCALES[code]),
            )
            for code in _languages(language)
        )
    separator = "، " if rtl else ", "
    place = separator.join(
        part for part in (programme.venue, programme.city, programme.country) if part
    )
    rows = [
        ("code", programme.code, "dates", dates),
        ("place", place, "duration", duration),
    ]
    if programme.trainers:
        rows.append(("trainers", ", ".join(programme.trainers), "", ""))
    label_width = 24 * mm
    value_width = (width - 2 * label_width) / 2
    cells: list[list[Any]] = [
        [
            _paragraph(_label(language, a) if a else "", styles.info_label, rtl),
            _paragraph(_text(b, 600), styles.info, rtl),
            _paragraph(_label(language, c) if c else "", styles.info_label, rtl),
            _paragraph(_text(d, 600), styles.info, rtl),
        ]
        for a, b, c, d in rows
    ]
    widths = (label_width, value_width, label_width, value_width)
    style: list[_TableCommand] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, _UN_BLUE),
        ("TOPPADDING", (0, 0), (-1, 0), 5),
    ]
    if programme.trainers:
        style.append(("SPAN", (1, -1), (-1, -1)))
    if rtl:  # columns in mirror order: labels on the right of their values
        cells = [row[::-1] for row in cells]
        if programme.trainers:  # the trainers' value spans from its label leftwards
            cells[-1] = [
                _paragraph(", ".join(programme.trainers), styles.info, rtl),
                "",
                "",
                _paragraph(_label(language, "trainers"), styles.info_label, rtl),
            ]
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LINEABOVE", (0, 0), (-1, 0), 0.8, _UN_BLUE),
            ("TOPPADDING", (0, 0), (-1, 0), 5),
        ]
        if programme.trainers:
            style.append(("SPAN", (0, -1), (2, -1)))
        widths = widths[::-1]
    table = Table(cells, colWidths=widths)
    table.setStyle(TableStyle(style))
    return [*flowables, Spacer(1, 3 * mm), table, Spacer(1, 5 * mm)]


def _module_cell(programme: Programme, slot: Slot, styles: _Styles) -> list[Flowable]:
    language = programme.language
    rtl = language == "ar"
    module = programme.modules[slot.module or 0]
    number = _label(language, "module", num=(slot.module or 0) + 1)
    titles = (module.title_fr, module.title_en, module.title_ar, language)
    heading = f"{number} · {_text(_title(*titles), _TITLE_LIMIT)}"
    if slot.part > 1:
        heading += " " + _label(language, "continued", part=slot.part, parts=slot.parts)
    cell: list[Flowable] = [_paragraph(heading, styles.module, rtl)]
    second = _second_title(*titles)
    if second:
        cell.append(_paragraph(_text(second, _TITLE_LIMIT), styles.module_second, rtl))
    if module.aim and slot.part == 1:
        cell.append(_paragraph(_text(module.aim, _AIM_LIMIT), styles.aim, rtl))
    return cell


def _day_table(
    programme: Programme, number: int, day: ProgrammeDay, styles: _Styles, width: float
) -> Flowable:
    language = programme.language
    rtl = language == "ar"
    activity_width = width - _COLUMNS[0] - _COLUMNS[2]
    rows: list[list[Any]] = [
        [_paragraph(_day_title(language, number, day.day), styles.day, rtl), "", ""],
        [
            _paragraph(_label(language, "time"), styles.head, rtl),
            _paragraph(_label(language, "activity"), styles.head, rtl),
            _paragraph(_label(language, "length"), styles.head_right, rtl),
        ],
    ]
    style: list[_TableCommand] = [
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), _UN_BLUE),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("LINEBELOW", (0, 1), (-1, 1), 0.6, _UN_BLUE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 2), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 2), (-1, -1), 4),
    ]
    if not day.slots:
        rows.append(["", _paragraph(_label(language, "nothing"), styles.pause, rtl), ""])
    for slot in day.slots:
        row_index = len(rows)
        if slot.kind == "module":
            cell: Any = _module_cell(programme, slot, styles)
            rows.append(
                [
                    _paragraph(_span(slot, language), styles.time, rtl),
                    cell,
                    _paragraph(_length(slot.minutes, language), styles.length, rtl),
                ]
            )
        elif slot.kind in ("break", "lunch"):
            rows.append(
                [
                    _paragraph(_span(slot, language), styles.pause, rtl),
                    _paragraph(_label(language, slot.kind), styles.pause, rtl),
                    "",
                ]
            )
            style += [
                ("BACKGROUND", (0, row_index), (-1, row_index), _BREAK_BG),
                ("TOPPADDING", (0, row_index), (-1, row_index), 2),
                ("BOTTOMPADDING", (0, row_index), (-1, row_index), 2),
            ]
        else:
            rows.append(
                [
                    _paragraph(_span(slot, language), styles.time, rtl),
                    _paragraph(_label(language, slot.kind), styles.activity, rtl),
                    _paragraph(_length(slot.minutes, language), styles.length, rtl),
                ]
            )
        if row_index > 2:
            style.append(("LINEABOVE", (0, row_index), (-1, row_index), 0.4, _RULE))
    widths = (_COLUMNS[0], activity_width, _COLUMNS[2])
    if rtl:  # the time where a line starts, on the right; the title spans the row
        rows = rows[:1] + [row[::-1] for row in rows[1:]]
        widths = widths[::-1]
    table = Table(rows, colWidths=widths, repeatRows=2)
    table.setStyle(TableStyle(style))
    return table


def _unscheduled(programme: Programme, layout: Layout, styles: _Styles) -> list[Flowable]:
    if not layout.unscheduled:
        return []
    language = programme.language
    lines = []
    for index, minutes in layout.unscheduled:
        module = programme.modules[index]
        title = _text(
            _title(module.title_fr, module.title_en, module.title_ar, language), _TITLE_LIMIT
        )
        number = _label(language, "module", num=index + 1)
        lines.append(f"{number} · {title} ({_length(minutes, language)})")
    if language == "ar":
        return [
            Spacer(1, 2 * mm),
            *(
                rtl_paragraph(line, styles.warning)
                for line in [_label(language, "unscheduled"), *lines]
            ),
        ]
    return [
        Spacer(1, 2 * mm),
        Paragraph(
            escape(_label(language, "unscheduled"))
            + "<br/>"
            + "<br/>".join(escape(line) for line in lines),
            styles.warning,
        ),
    ]


def _canvas_maker(programme: Programme) -> type[Canvas]:
    language = programme.language
    left = f"{programme.code} — {_label(language, 'heading')}"

    class NumberedCanvas(Canvas):
        """Keeps each page until the end, so that the footer can say
        "page x of y"."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._atelier_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._atelier_pages.append(dict(self.__dict__))
            # Canvas._startPage is private, absent from the stubs.
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            pages = len(self._atelier_pages)
            for number, state in enumerate(self._atelier_pages, start=1):
                self.__dict__.update(state)
                self._footer(number, pages)
                super().showPage()
            super().save()

        def _footer(self, page: int, pages: int) -> None:
            # Canvas._pagesize is private, absent from the stubs.
            width, _height = self._pagesize  # type: ignore[attr-defined]
            right = " / ".join(
                _LABELS[code]["page"].format(page=page, pages=pages)
                for code in _languages(language)
            )
            self.saveState()
            self.setStrokeColor(_RULE)
            self.setLineWidth(0.5)
            self.line(_MARGIN, _FOOTER_Y + 10, width - _MARGIN, _FOOTER_Y + 10)
            self.setFillColor(_MUTED)
            if language == "ar":  # the code where a right-to-left line starts
                draw_line(self, width - _MARGIN, _FOOTER_Y, left, FONT_REGULAR, 8, "right", True)
                draw_line(self, _MARGIN, _FOOTER_Y, right, FONT_REGULAR, 8, "left", True)
            else:
                self.setFont(FONT_REGULAR, 8)
                self.drawString(_MARGIN, _FOOTER_Y, left)
                self.drawRightString(width - _MARGIN, _FOOTER_Y, right)
            self.restoreState()

    return NumberedCanvas


def render_programme(programme: Programme) -> bytes:
    """The programme as an A4 portrait PDF: the session's details, then one
    table per day (kept on one page when it fits)."""
    styles = _Styles.get()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_MARGIN,
        bottomMargin=_MARGIN + 4 * mm,
        title=f"{_label(programme.language, 'heading')} {programme.code}",
        author=programme.organiser,
        subject=_title(
            programme.title_fr, programme.title_en, programme.title_ar, programme.language
        ),
        creator="Atelier",
    )
    width = document.width
    layout = lay_out(programme)
    story: list[Flowable] = _header(programme, styles, width)
    for number, day in enumerate(layout.days, start=1):
        story.append(KeepTogether([_day_table(programme, number, day, styles, width)]))
        story.append(Spacer(1, 4 * mm))
    story += _unscheduled(programme, layout, styles)
    document.build(story, canvasmaker=_canvas_maker(programme))
    return buffer.getvalue()


def sample_programme(**changes: Any) -> Programme:
    """A realistic programme, for tests, benchmarks and previews."""
    start = date(2026, 3, 2)
    values: dict[str, Any] = {
        "code": "NE-2026-003",
        "title_fr": "Enquêtes et poursuites dans les affaires de terrorisme",
        "title_en": "Investigating and prosecuting terrorism cases",
        "language": "fr",
        "start_date": start,
        "end_date": date(2026, 3, 6),
        "city": "Niamey",
        "country": "Niger",
        "venue": "École nationale de police",
        "days": tuple(date(2026, 3, day) for day in range(2, 7)),
        "trainers": ("Amina Diallo", "Jean-Marc Ouédraogo"),
        "organiser": "ONUDC – DOP",
        "has_test": True,
        "modules": (
            ProgrammeModule(
                "Le cadre juridique international et régional",
                "The international and regional legal framework",
                240,
                "Connaître les conventions et résolutions applicables.",
            ),
            ProgrammeModule(
                "La scène de crime et la preuve matérielle",
                "The crime scene and physical evidence",
                360,
                "Préserver et exploiter les traces.",
            ),
            ProgrammeModule(
                "Le financement du terrorisme", "Terrorist financing", 300, "Suivre l’argent."
            ),
            ProgrammeModule(
                "L’audition des suspects et des témoins",
                "Interviewing suspects and witnesses",
                420,
                "Conduire une audition conforme aux droits de l’homme.",
            ),
            ProgrammeModule(
                "Coopération judiciaire et droits de l’homme",
                "Judicial cooperation and human rights",
                360,
                "Demander l’entraide et l’extradition.",
            ),
        ),
    }
    values.update(changes)
    return Programme(**values)


__all__ = [
    "Layout",
    "Programme",
    "ProgrammeDay",
    "ProgrammeModule",
    "Slot",
    "lay_out",
    "render_programme",
    "sample_programme",
]
