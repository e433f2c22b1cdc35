"""The convocation letter: one A4 page a confirmed participant shows for a
travel order or a visa.

Plain data in (`ConvocationData`, a frozen dataclass), PDF bytes out; no
Flask, no database. The letter is written in one language, the recipient's
(French, English or Arabic); its wording lives here, as the certificate's does,
and the values (country names, the session's kind, the organisers) arrive
already in that language. Every value is cleaned and escaped before it
reaches a Paragraph, whose markup parser would otherwise interpret it, and
the body shrinks to fit: whatever is stored, the letter stays one page.
A letter in Arabic reads right to left: its blocks in mirror order, its
text laid out by training.pdf.arabic (BidiParagraph, which parses no
markup, so nothing needs escaping there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale
from babel.numbers import format_decimal
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepInFrame,
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
    has_rtl,
    plural,
    rtl_cell,
    starts_rtl,
    wrap_spans,
)
from training.pdf.arabic import text_width as text_width_of
from training.pdf.certificate import Signatory
from training.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, register_fonts
from training.text import clean

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 22 * mm
LETTERHEAD_HEIGHT = 35 * mm
FOOTER_HEIGHT = 12 * mm
MAX_VALUE = 300  # characters of one value that a letter prints

UN_BLUE = HexColor("#1a5d9e")
UN_BLUE_LIGHT = HexColor("#009edb")
INK = HexColor("#1c2733")
MUTED = HexColor("#5b6673")
PALE = HexColor("#e4eef8")

LANGUAGES = ("fr", "en", "ar")

# The letter's wording, by language (see the module's docstring).
WORDING: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Lettre de convocation",
        "reference": "Réf. :",
        "subject": "Objet :",
        "subject_text": "convocation à la session de formation « {course} »",
        "addressee": "À l’attention des autorités compétentes",
        "salutation": "Madame, Monsieur,",
        "intro": (
            "Nous avons l’honneur de vous informer que la personne désignée ci-dessous a été "
            "retenue pour participer, en qualité de {participant}, à la session de formation "
            "décrite ci-après."
        ),
        "participant_F": "participante",
        "participant_M": "participant",
        "participant": "participant(e)",
        "person": "Participant(e)",
        "person_F": "Participante",
        "person_M": "Participant",
        "name": "Nom et prénom",
        "rank": "Grade",
        "function": "Fonction",
        "organisation": "Organisation",
        "nationality": "Nationalité",
        "session": "Session de formation",
        "course": "Intitulé",
        "code": "Référence de la session",
        "kind": "Type",
        "dates": "Dates",
        "place": "Lieu",
        "language": "Langue de travail",
        "duration": "Durée",
        "organisers": "Organisateurs",
        "travel": (
            "Les autorités compétentes sont priées de bien vouloir faciliter les formalités de "
            "voyage de {pronoun} (ordre de mission, visa, passage des frontières) afin de lui "
            "permettre de prendre part à cette formation."
        ),
        "pronoun_F": "l’intéressée",
        "pronoun_M": "l’intéressé",
        "pronoun": "l’intéressé(e)",
        "closing": (
            "Nous vous prions d’agréer, Madame, Monsieur, l’expression de notre haute "
            "considération."
        ),
        "purpose": "La présente lettre est délivrée pour servir et valoir ce que de droit.",
        "for_organisers": "Pour les organisateurs,",
        "dated": "{place}, le {date}",
        "dated_no_place": "Le {date}",
        "same_day": "le {date}",
        "range": "du {start} au {end}",
        "days_one": "{count} jour",
        "days": "{count} jours",
        "half_days_one": "{count} demi-journée",
        "half_days": "{count} demi-journées",
        "hours_one": "{hours} heure",
        "hours": "{hours} heures",
        "and": " et ",
        "footer": "{programme} · Réf. {reference}",
        "name_ar": "Nom en écriture arabe",
    },
    "en": {
        "title": "Letter of invitation",
        "reference": "Ref.:",
        "subject": "Subject:",
        "subject_text": "invitation to the training session “{course}”",
        "addressee": "To the competent authorities",
        "salutation": "Dear Sir or Madam,",
        "intro": (
            "We are pleased to inform you that the person named below has been selected to "
            "take part, as a participant, in the training session described below."
        ),
        "person": "Participant",
        "name": "Name",
        "rank": "Rank",
        "function": "Function",
        "organisation": "Organisation",
        "nationality": "Nationality",
        "session": "Training session",
        "course": "Course",
        "code": "Session reference",
        "kind": "Type",
        "dates": "Dates",
        "place": "Venue",
        "language": "Working language",
        "duration": "Duration",
        "organisers": "Organisers",
        "travel": (
            "The competent authorities are kindly requested to facilitate the travel "
            "formalities of the above-named (travel order, visa, border crossing) so that "
            "they may attend this training."
        ),
        "closing": "Please accept the assurances of our highest consideration.",
        "purpose": "This letter is issued for whatever purpose it may serve.",
        "for_organisers": "For the organisers,",
        "dated": "{place}, {date}",
        "dated_no_place": "{date}",
        "same_day": "on {date}",
        "range": "from {start} to {end}",
        "days_one": "{count} day",
        "days": "{count} days",
        "half_days_one": "{count} half-day",
        "half_days": "{count} half-days",
        "hours_one": "{hours} hour",
        "hours": "{hours} hours",
        "and": " and ",
        "footer": "{programme} · Ref. {reference}",
        "name_ar": "Name in Arabic script",
    },
    "ar": {
        "title": "رسالة دعوة",
        "reference": "المرجع:",
        "subject": "الموضوع:",
        "subject_text": "دعوة إلى الدورة التدريبية «{course}»",
        "addressee": "إلى السلطات المختصة",
        "salutation": "تحية طيبة وبعد،",
        "intro": (
            "يشرفنا أن نحيطكم علمًا بأن الشخص المذكور أدناه قد اختير للمشاركة، بصفة "
            "{participant}، في الدورة التدريبية الموصوفة أدناه."
        ),
        "participant_F": "مشاركة",
        "participant_M": "مشارك",
        "participant": "مشارك(ة)",
        "person": "المشارك(ة)",
        "person_F": "المشاركة",
        "person_M": "المشارك",
        "name": "الاسم الكامل",
        "name_latin": "الاسم بالحروف اللاتينية",
        "rank": "الرتبة",
        "function": "الوظيفة",
        "organisation": "الجهة",
        "nationality": "الجنسية",
        "session": "الدورة التدريبية",
        "course": "العنوان",
        "code": "مرجع الدورة",
        "kind": "النوع",
        "dates": "التواريخ",
        "place": "المكان",
        "language": "لغة العمل",
        "duration": "المدة",
        "organisers": "الجهات المنظمة",
        "travel": (
            "ويُرجى من السلطات المختصة التكرم بتيسير إجراءات سفر {pronoun} (أمر المهمة، "
            "والتأشيرة، وعبور الحدود) حتى يتسنى حضور هذه الدورة التدريبية."
        ),
        "pronoun_F": "المعنية",
        "pronoun_M": "المعني",
        "pronoun": "المعني(ة)",
        "closing": "وتفضلوا بقبول فائق الاحترام والتقدير.",
        "purpose": "سُلِّمت هذه الرسالة لاستعمالها عند الحاجة.",
        "for_organisers": "عن الجهات المنظمة،",
        "dated": "{place}، في {date}",
        "dated_no_place": "في {date}",
        "same_day": "في {date}",
        "range": "من {start} إلى {end}",
        "and": " و",
        "footer": "{programme} · المرجع {reference}",
    },
}
# Arabic counts as its grammar does: one, two, three to ten, eleven on.
COUNTS_AR = {
    "days": {
        "one": "يوم واحد",
        "two": "يومان",
        "few": "{n} أيام",
        "many": "{n} يومًا",
        "other": "{n} يوم",
    },
    "half_days": {
        "one": "فترة واحدة",
        "two": "فترتان",
        "few": "{n} فترات",
        "many": "{n} فترة",
        "other": "{n} فترة",
    },
    "hours": {
        "one": "ساعة واحدة",
        "two": "ساعتان",
        "few": "{n} ساعات",
        "many": "{n} ساعة",
        "other": "{n} ساعة",
    },
}

# UN English writes "2 March 2026".
_DATE_LOCALES = {"fr": "fr_FR", "en": "en_GB", "ar": "ar"}


@dataclass(frozen=True)
class ConvocationData:
    """What one convocation letter states; every value already decided and
    in the letter's language (`language`: fr, en or ar)."""

    language: str
    reference: str
    letter_date: date
    place: str  # where the letter is written; may be empty
    programme_name: str
    participant_name: str
    course_title: str
    session_code: str
    session_kind: str
    start_date: date
    end_date: date
    city: str
    country: str  # the session's country, by name
    session_language: str  # fr, en, ar: its name is written in the letter's language
    organisers: tuple[str, ...]  # full names, written in the letter
    signatory: Signatory
    participant_sex: str | None = None  # F, M: French agrees with it
    participant_rank: str | None = None
    participant_function: str | None = None
    participant_organisation: str | None = None
    participant_nationality: str | None = None  # by name
    venue: str | None = None
    total_hours: Decimal | None = None
    half_days: int | None = None
    # Short names of the organisers (acronyms), printed under the letterhead.
    organiser_short_names: tuple[str, ...] = ()
    logo_left: str | None = None
    logo_right: str | None = None
    participant_name_ar: str | None = None  # the name in Arabic script

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise ValueError(
                f"a convocation is written in French, English or Arabic, not {self.language!r}"
            )


def _text(value: str | None) -> str:
    """A value as printed: cleaned to one line, at most MAX_VALUE characters."""
    text = clean(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _markup(value: str | None) -> str:
    """A value ready for a Paragraph: printed literally, never parsed."""
    return escape(_text(value))


def _word(data: ConvocationData, key: str) -> str:
    """The wording for `key`, agreeing with the participant's sex in French."""
    words = WORDING[data.language]
    if data.participant_sex in ("F", "M"):
        return words.get(f"{key}_{data.participant_sex}", words[key])
    return words[key]


def _long_date(day: date, language: str) -> str:
    return format_day(day, "d MMMM y", locale=_DATE_LOCALES[language])


def _dates(data: ConvocationData) -> str:
    words = WORDING[data.language]
    if data.language == "ar":
        days = (data.end_date - data.start_date).days + 1
        text = date_range(data.start_date, data.end_date)
        return text if days == 1 else f"{text} ({_count('ar', 'days', days)})"
    if data.start_date == data.end_date:
        return words["same_day"].format(date=_long_date(data.end_date, data.language))
    start_format = "d MMMM y" if data.start_date.year != data.end_date.year else "d MMMM"
    if (data.start_date.year, data.start_date.month) == (data.end_date.year, data.end_date.month):
        start_format = "d"
    start = format_day(data.start_date, start_format, locale=_DATE_LOCALES[data.language])
    if data.language == "fr" and data.start_date.day == 1 and start_format == "d":
        start = "1er"
    text = words["range"].format(start=start, end=_long_date(data.end_date, data.language))
    days = (data.end_date - data.start_date).days + 1
    return f"{text} ({_count(data.language, 'days', days)})"


def _count(language: str, key: str, count: int) -> str:
    if language == "ar":
        return plural(count, COUNTS_AR[key])
    words = WORDING[language]
    return words[f"{key}_one" if count == 1 else key].format(count=count)


def _duration(data: ConvocationData) -> str | None:
    parts = []
    if data.total_hours:
        hours = data.total_hours
        hours = hours.normalize() if hours == hours.to_integral() else hours
        words = WORDING[data.language]
        if data.language == "ar":
            parts.append(plural(float(hours), COUNTS_AR["hours"]))
        else:
            key = "hours_one" if hours == 1 else "hours"
            parts.append(words[key].format(hours=format_decimal(hours, locale=data.language)))
    if data.half_days:
        parts.append(_count(data.language, "half_days", data.half_days))
    return ("، " if data.language == "ar" else ", ").join(parts) or None


def _language_name(code: str, language: str) -> str:
    name = _locale(language).languages.get(code, code)
    return name


@lru_cache(maxsize=4)
def _locale(language: str) -> Locale:
    return Locale.parse(language)


def _joined(names: tuple[str, ...], language: str) -> str:
    """ "A, B and C" in the letter's language."""
    names = tuple(_text(name) for name in names if _text(name))
    if len(names) <= 1:
        return "".join(names)
    comma = "، " if language == "ar" else ", "
    return comma.join(names[:-1]) + WORDING[language]["and"] + names[-1]


class _Styles:
    """Paragraph styles, made once per process (fonts registered first)."""

    _instance: _Styles | None = None

    def __init__(self) -> None:
        register_fonts()
        base: dict[str, Any] = {"fontName": FONT_REGULAR, "textColor": INK}
        self.body = ParagraphStyle(
            "body", fontSize=10, leading=13.8, alignment=TA_JUSTIFY, spaceAfter=6, **base
        )
        self.plain = ParagraphStyle("plain", fontSize=10, leading=13.5, alignment=TA_LEFT, **base)
        self.dated = ParagraphStyle("dated", fontSize=10, leading=13.5, alignment=TA_RIGHT, **base)
        self.reference = ParagraphStyle(
            "reference", fontSize=9.5, leading=13, alignment=TA_LEFT, **base
        )
        self.title = ParagraphStyle(
            "title",
            fontSize=15,
            leading=19,
            alignment=TA_CENTER,
            spaceBefore=2,
            spaceAfter=6,
            **{**base, "fontName": FONT_BOLD, "textColor": UN_BLUE},
        )
        self.heading = ParagraphStyle(
            "heading",
            fontSize=9,
            leading=12,
            alignment=TA_LEFT,
            **{**base, "fontName": FONT_BOLD, "textColor": UN_BLUE},
        )
        self.label = ParagraphStyle(
            "label", fontSize=9, leading=12, alignment=TA_LEFT, **{**base, "textColor": MUTED}
        )
        self.value = ParagraphStyle("value", fontSize=10, leading=13, alignment=TA_LEFT, **base)
        self.value_strong = ParagraphStyle(
            "value_strong",
            fontSize=10.5,
            leading=13.5,
            alignment=TA_LEFT,
            **{**base, "fontName": FONT_BOLD},
        )
        self.purpose = ParagraphStyle(
            "purpose",
            fontSize=9,
            leading=12,
            alignment=TA_LEFT,
            **{**base, "fontName": FONT_ITALIC, "textColor": MUTED},
        )
        self.signature_name = ParagraphStyle(
            "signature_name",
            fontSize=10.5,
            leading=13.5,
            alignment=TA_CENTER,
            **{**base, "fontName": FONT_BOLD},
        )
        self.signature_title = ParagraphStyle(
            "signature_title",
            fontSize=9,
            leading=11.5,
            alignment=TA_CENTER,
            **{**base, "textColor": MUTED},
        )
        self.signature_for = ParagraphStyle(
            "signature_for", fontSize=10, leading=13, alignment=TA_CENTER, **base
        )

    @classmethod
    def get(cls) -> _Styles:
        if cls._instance is None:
            cls._instance = _Styles()
        return cls._instance


# The frame's width: the page between the margins, less its padding.
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN - 12
LABEL_WIDTH = 44 * mm
_TIGHT = TableStyle(
    [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


def _para(text: str, style: ParagraphStyle, rtl: bool, bold_prefix: str = "") -> Flowable:
    """A paragraph of the letter: escaped text in a Paragraph (after a bold
    prefix), or, in an Arabic letter, a right-to-left BidiParagraph of
    plain text."""
    if rtl:
        if bold_prefix:
            spans = ((bold_prefix + " ", FONT_BOLD), (text, style.fontName))
            return BidiParagraph(spans, style, rtl=True)
        return (
            rtl_cell(text, style)
            if style.alignment == TA_LEFT
            else BidiParagraph(text, style, rtl=True)
        )
    if bold_prefix:
        return Paragraph(f"<b>{escape(bold_prefix)}</b> {escape(text)}", style)
    return Paragraph(escape(text), style)


def _value(value: str | None, style: ParagraphStyle) -> Flowable:
    """A value of a French or English letter: a Paragraph, or, when it holds
    Arabic (a name in Arabic script), a BidiParagraph flush left like the
    others."""
    if has_rtl(_text(value)):
        return BidiParagraph(_text(value), style, rtl=True, align="left")
    return Paragraph(_markup(value), style)


def _details(
    heading: str,
    rows: list[tuple[str, str | None]],
    styles: _Styles,
    strong_first: bool = True,
    rtl: bool = False,
) -> Table:
    """A titled block of label / value rows, the rows without value left out;
    in an Arabic letter, labels on the right and the blue rule at the right
    edge, where the lines start."""
    cells: list[list[Any]] = [[_para(heading.upper(), styles.heading, rtl), ""]]
    kept = [(label, value) for label, value in rows if value and _text(value)]
    for index, (label, value) in enumerate(kept):
        style = styles.value_strong if strong_first and index == 0 else styles.value
        if rtl:
            cells.append([_para(_text(value), style, rtl), _para(label, styles.label, rtl)])
        else:
            cells.append([Paragraph(escape(label), styles.label), _value(value, style)])
    widths = (LABEL_WIDTH, CONTENT_WIDTH - LABEL_WIDTH)
    rule = ("LINEBEFORE", (0, 0), (0, -1), 2, UN_BLUE)
    padding = [
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if rtl:
        widths = widths[::-1]
        rule = ("LINEAFTER", (-1, 0), (-1, -1), 2, UN_BLUE)
        padding = [
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]
    table = Table(cells, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (-1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                *padding,
                ("TOPPADDING", (0, 0), (-1, -1), 1.6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
                ("TOPPADDING", (0, 0), (-1, 0), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 3.5),
                ("BACKGROUND", (0, 0), (-1, 0), PALE),
                rule,
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, PALE),
            ]
        )
    )
    return table


def _signature(data: ConvocationData, styles: _Styles) -> Table:
    """The signature block, on the right (on the left in Arabic): who signs
    for the organisers, room to sign and stamp, the signatory's name and
    title."""
    words = WORDING[data.language]
    rtl = data.language == "ar"
    width = 80 * mm
    title = data.signatory.title_in("ar", "en") if rtl else data.signatory.title
    block: list[list[Any]] = [
        [_para(words["for_organisers"], styles.signature_for, rtl)],
        [Spacer(1, 16 * mm)],
        [_para(_text(data.signatory.name), styles.signature_name, rtl)],
        [_para(_text(title), styles.signature_title, rtl)],
    ]
    inner = Table(block, colWidths=(width,))
    inner.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("LINEABOVE", (0, 2), (0, 2), 0.6, MUTED),
            ]
        )
    )
    if rtl:
        outer = Table([[inner, ""]], colWidths=(width, CONTENT_WIDTH - width))
    else:
        outer = Table([["", inner]], colWidths=(CONTENT_WIDTH - width, width))
    outer.setStyle(_TIGHT)
    return outer


def _participant_rows(data: ConvocationData) -> list[tuple[str, str | None]]:
    """Who is invited: the name as the passport writes it (and in Arabic
    script beside it), rank, function, organisation, nationality."""
    words = WORDING[data.language]
    if data.language == "ar" and data.participant_name_ar:
        names = [
            (words["name"], data.participant_name_ar),
            (words["name_latin"], data.participant_name),
        ]
    else:
        names = [(words["name"], data.participant_name)]
        if data.participant_name_ar:
            names.append((words["name_ar"], data.participant_name_ar))
    return [
        *names,
        (words["rank"], data.participant_rank),
        (words["function"], data.participant_function),
        (words["organisation"], data.participant_organisation),
        (words["nationality"], data.participant_nationality),
    ]


def _body(data: ConvocationData, styles: _Styles) -> list[Flowable]:
    words = WORDING[data.language]
    language = data.language
    rtl = language == "ar"
    dated = (
        words["dated"].format(place=_text(data.place), date=_long_date(data.letter_date, language))
        if _text(data.place)
        else words["dated_no_place"].format(date=_long_date(data.letter_date, language))
    )
    organisers = _joined(data.organisers, language)
    course = _text(data.course_title)
    gendered = language in ("fr", "ar")
    intro = words["intro"].format(participant=_word(data, "participant") if gendered else "")
    travel = words["travel"].format(pronoun=_word(data, "pronoun") if gendered else "")
    separator = "، " if rtl else ", "
    place = separator.join(
        part for part in (_text(data.venue), _text(data.city), data.country) if part
    )
    session_rows: list[tuple[str, str | None]] = [
        (words["course"], course),
        (words["code"], f"{_text(data.session_code)} · {_text(data.session_kind)}"),
        (words["dates"], _dates(data)),
        (words["place"], place),
        (words["language"], _language_name(data.session_language, language)),
        (words["duration"], _duration(data)),
        (words["organisers"], organisers),
    ]
    subject = words["subject_text"].format(course=course)
    if rtl:
        reference: Flowable = _para(
            _text(data.reference), styles.reference, rtl, words["reference"]
        )
        heading = Table(
            [[_para(dated, styles.dated, rtl), reference]],
            colWidths=(CONTENT_WIDTH * 0.45, CONTENT_WIDTH * 0.55),
        )
    else:
        reference = Paragraph(
            f"<b>{escape(words['reference'])}</b> {_markup(data.reference)}", styles.reference
        )
        heading = Table(
            [[reference, Paragraph(escape(dated), styles.dated)]],
            colWidths=(CONTENT_WIDTH * 0.55, CONTENT_WIDTH * 0.45),
        )
    heading.setStyle(_TIGHT)
    return [
        heading,
        Spacer(1, 8),
        _para(words["title"].upper(), styles.title, rtl),
        _para(subject, styles.plain, rtl, words["subject"]),
        Spacer(1, 8),
        _para(words["addressee"], styles.plain, rtl),
        Spacer(1, 6),
        _para(words["salutation"], styles.body, rtl),
        _para(intro, styles.body, rtl),
        _details(_word(data, "person"), _participant_rows(data), styles, rtl=rtl),
        Spacer(1, 7),
        _details(words["session"], session_rows, styles, rtl=rtl),
        Spacer(1, 9),
        _para(travel, styles.body, rtl),
        _para(words["closing"], styles.body, rtl),
        Spacer(1, 6),
        _signature(data, styles),
        Spacer(1, 8),
        _para(words["purpose"], styles.purpose, rtl),
    ]


@lru_cache(maxsize=8)
def _logo(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except OSError:
        return None


def _draw_logo(canvas: Canvas, path: str | None, centre_x: float, top: float) -> None:
    image = _logo(path) if path else None
    if image is None:
        return
    width, height = image.getSize()
    box = 16 * mm
    scale = min(box / width, box / height)
    canvas.drawImage(
        image,
        centre_x - width * scale / 2,
        top - height * scale,
        width * scale,
        height * scale,
        mask="auto",
    )


def _draw_letterhead(canvas: Canvas, data: ConvocationData) -> None:
    """The programme's name and organisers, between the configured logos,
    over a double rule; the footer with the reference."""
    top = PAGE_HEIGHT - 13 * mm
    canvas.saveState()
    _draw_logo(canvas, data.logo_left, MARGIN + 9 * mm, top)
    _draw_logo(canvas, data.logo_right, PAGE_WIDTH - MARGIN - 9 * mm, top)
    centre = PAGE_WIDTH / 2
    text_width = PAGE_WIDTH - 2 * MARGIN - 48 * mm
    rtl = data.language == "ar"
    canvas.setFillColor(UN_BLUE)
    lines = _split(_text(data.programme_name), FONT_BOLD, 13, text_width, rtl)[:2]
    y = top - 11
    for line in lines:
        draw_line(canvas, centre, y, line, FONT_BOLD, 13, "centre", rtl or None)
        y -= 16
    organisers = "  ·  ".join(
        _text(name) for name in data.organiser_short_names if _text(name)
    ).upper()
    if organisers:
        canvas.setFillColor(MUTED)
        size = 7.5
        for line in _split(organisers, FONT_REGULAR, size, text_width, rtl)[:2]:
            draw_line(canvas, centre, y + 2, line, FONT_REGULAR, size, "centre", rtl or None)
            y -= 10
    rule_y = PAGE_HEIGHT - LETTERHEAD_HEIGHT + 2 * mm
    canvas.setStrokeColor(UN_BLUE)
    canvas.setLineWidth(1.6)
    canvas.line(MARGIN, rule_y, PAGE_WIDTH - MARGIN, rule_y)
    canvas.setStrokeColor(UN_BLUE_LIGHT)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, rule_y - 2.6, PAGE_WIDTH - MARGIN, rule_y - 2.6)

    footer_y = 12 * mm
    canvas.setStrokeColor(PALE)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, footer_y + 9, PAGE_WIDTH - MARGIN, footer_y + 9)
    canvas.setFillColor(MUTED)
    programme = _text(data.programme_name)
    if len(programme) > 90:
        programme = programme[:89] + "…"
    footer = WORDING[data.language]["footer"].format(
        programme=programme, reference=_text(data.reference)
    )
    size = 7.5
    while size > 5 and text_width_of(footer, FONT_REGULAR, size, rtl) > PAGE_WIDTH - 2 * MARGIN:
        size -= 0.5
    draw_line(canvas, centre, footer_y, footer, FONT_REGULAR, size, "centre", rtl or None)
    canvas.restoreState()


def _split(text: str, font: str, size: float, width: float, rtl: bool) -> list[str]:
    """The lines of a centred text: simpleSplit's, or shaped ones for Arabic."""
    if not (rtl or has_rtl(text)):
        return simpleSplit(text, font, size, width)
    wrapped = wrap_spans(((text, font),), size, width, rtl or starts_rtl(text))
    return ["".join(part for part, _font in line) for line in wrapped]


def render_convocation(data: ConvocationData) -> bytes:
    """The letter as a one-page A4 PDF."""
    styles = _Styles.get()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=LETTERHEAD_HEIGHT + 4 * mm,
        bottomMargin=FOOTER_HEIGHT + 4 * mm,
        title=f"{WORDING[data.language]['title']} {_text(data.reference)}",
        author=_text(data.programme_name),
        subject=_text(data.participant_name),
        creator="Atelier",
    )
    body = KeepInFrame(CONTENT_WIDTH, document.height - 12, _body(data, styles), mode="shrink")

    def on_page(canvas: Canvas, _document: Any) -> None:
        _draw_letterhead(canvas, data)

    document.build([body], onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def render_convocations(letters: Sequence[ConvocationData]) -> bytes:
    """Several letters in one print-ready PDF, one A4 page each and in the
    order given, each in its own language with its own letterhead and
    reference (the workshop pack's letters: one document to print, and the
    fonts embedded once rather than in every letter)."""
    styles = _Styles.get()
    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=LETTERHEAD_HEIGHT + 4 * mm,
        bottomMargin=FOOTER_HEIGHT + 4 * mm,
        title=" · ".join(dict.fromkeys(WORDING[data.language]["title"] for data in letters)),
        author=_text(letters[0].programme_name) if letters else "",
        creator="Atelier",
    )
    story: list[Flowable] = []
    for index, data in enumerate(letters):
        if index:
            story.append(PageBreak())
        story.append(
            KeepInFrame(CONTENT_WIDTH, document.height - 12, _body(data, styles), mode="shrink")
        )

    def on_page(canvas: Canvas, page_document: Any) -> None:
        # Each letter shrinks to one page: page n is letter n.
        if letters:
            _draw_letterhead(canvas, letters[page_document.page - 1])

    document.build(story or [Spacer(1, 1)], onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


def sample_convocation(**changes: Any) -> ConvocationData:
    """A realistic letter, for tests, benchmarks and previews."""
    values: dict[str, Any] = {
        "language": "fr",
        "reference": "ATL/CONV/NE-2026-003/000042",
        "letter_date": date(2026, 2, 9),
        "place": "Dakar",
        "programme_name": "Programme conjoint ONUDC–DOP d’appui à la Force conjointe du G5 Sahel",
        "participant_name": "Aïcha Maïga-Traoré",
        "participant_sex": "F",
        "participant_rank": "Commissaire divisionnaire",
        "participant_function": "Cheffe de la brigade d’investigation spécialisée",
        "participant_organisation": "Police nationale du Mali",
        "participant_nationality": "Mali",
        "course_title": "Enquêtes et poursuites dans les affaires de terrorisme",
        "session_code": "NE-2026-003",
        "session_kind": "Formation",
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 3, 6),
        "venue": "École nationale de police",
        "city": "Niamey",
        "country": "Niger",
        "session_language": "fr",
        "total_hours": Decimal("30"),
        "half_days": 10,
        "organisers": (
            "Office des Nations Unies contre la drogue et le crime (ONUDC)",
            "Département des opérations de paix des Nations Unies (DOP)",
            "Collège de défense du G5 Sahel",
        ),
        "organiser_short_names": ("ONUDC", "DOP", "Collège de défense du G5 Sahel"),
        "signatory": Signatory(
            "Amina Diallo", "Coordonnatrice du programme, Bureau régional de l’ONUDC, Dakar"
        ),
    }
    values.update(changes)
    return ConvocationData(**values)


__all__ = ["ConvocationData", "render_convocation", "render_convocations", "sample_convocation"]
