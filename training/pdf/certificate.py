"""The certificate: one A4 landscape page a participant can frame.

Plain data in (`CertificateData`, a frozen dataclass), PDF bytes out; no
Flask, no database. `render_certificate()` makes one PDF, and
`render_certificates()` one print-ready PDF of many (its fonts:
training.pdf.certificate_fonts; what a page is drawn from:
training.pdf.certificate_digest).

Speed (issue 5: 500 per second into one PDF, 100 per second as separate
files): everything that is the same on every certificate is prepared once
per process. The border, the ornaments and the rosette are computed once as
PDF path operators (`_artwork_operators`), placed in a form XObject that
each document defines once and every page reuses; the certificate's own
font instances (`CertificateFont`) take each subset's font program, widths
and Unicode map from per-process caches; the QR code (a signed payload of
some 400 characters, training.certificates.signing) is encoded by
`training.pdf.qr` with a fixed mask and drawn as one image mask. Text is
drawn with `drawString` and friends, which take text literally: no
ReportLab markup is parsed, so a name such as `<font color="red">` prints
as typed.

None of this reaches beyond the certificate's own objects: ReportLab's
settings (`rl_config`) and the fonts the other documents share are left as
they are, so a sign-in sheet or a donor report comes out the same whether or
not a certificate was rendered before it (tests/pdf/test_side_effects.py).
What still leans on ReportLab internals is listed, and pinned to the
ReportLab version, in tests/pdf/test_reportlab_internals.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from math import cos, pi, sin

from babel.dates import format_date
from babel.numbers import format_decimal
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from training.pdf import arabic
from training.pdf.certificate_fonts import BOLD, REGULAR, certificate_fonts
from training.pdf.qr import draw_qr

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
CENTRE = PAGE_WIDTH / 2

UN_BLUE = HexColor("#1a5d9e")
UN_BLUE_LIGHT = HexColor("#009edb")
INK = HexColor("#1c2733")
MUTED = HexColor("#5b6673")
PALE = HexColor("#e4eef8")

ARTWORK_FORM = "AtelierCertificateArtwork"

KINDS = ("completion", "participation", "trainer")

# The wording of each part, by language. Kept here rather than in the Babel
# catalogs: a certificate is bilingual whatever the reader's interface
# language, so both languages are needed at once. The Arabic wording names
# the holder by what the certificate is awarded for ("لإتمام", for
# completing), which agrees with a woman as with a man.
TITLES = {
    "completion": {
        "en": "Certificate of Completion",
        "fr": "Certificat de réussite",
        "ar": "شهادة إتمام",
    },
    "participation": {
        "en": "Certificate of Participation",
        "fr": "Certificat de participation",
        "ar": "شهادة مشاركة",
    },
    "trainer": {"en": "Trainer Certificate", "fr": "Certificat de formateur", "ar": "شهادة مدرب"},
}
CERTIFY = {
    "en": "This is to certify that",
    "fr": "Nous certifions que",
    "ar": "تُمنح هذه الشهادة إلى",
}
ACHIEVEMENT = {
    "completion": {
        "en": "has successfully completed the course",
        "fr": "a suivi avec succès la formation",
        "ar": "لإتمام الدورة التدريبية بنجاح",
    },
    "participation": {
        "en": "has participated in the course",
        "fr": "a participé à la formation",
        "ar": "للمشاركة في الدورة التدريبية",
    },
    "trainer": {
        "en": "has completed the training of trainers and is qualified to deliver",
        "fr": "a suivi la formation de formateurs et est qualifié(e) pour dispenser",
        "ar": "لإتمام دورة تدريب المدربين والتأهل لتقديم",
    },
}
HOURS = {"en": "{hours} hours", "fr": "{hours} heures"}
HOURS_AR = {
    "one": "ساعة واحدة",
    "two": "ساعتان",
    "few": "{n} ساعات",
    "many": "{n} ساعة",
    "other": "{n} ساعة",
}
SERIAL = {"en": "Serial", "fr": "N°", "ar": "الرقم التسلسلي"}
# Where and how to check the certificate: beside the QR code in the primary
# language (two lines, then the address), and under it in the other one.
HOW_TO_VERIFY = {
    "en": ("To verify: scan the QR code, or type", "the serial and the holder’s family name at"),
    "fr": (
        "Pour vérifier : scannez le code QR, ou saisissez",
        "le N° et le nom de famille du titulaire sur",
    ),
    "ar": (
        "للتحقق: يُمسح رمز QR، أو يُدخَل الرقم التسلسلي",
        "واسم عائلة حامل الشهادة بالحروف اللاتينية على",
    ),
}
HOW_TO_VERIFY_LINE = {
    "en": (
        "To verify: scan the QR code, or type the serial and the holder’s family name at {address}"
    ),
    "fr": (
        "Pour vérifier : scannez le code QR, ou saisissez le N° et le nom de famille du "
        "titulaire sur {address}"
    ),
    "ar": (
        "للتحقق: يُمسح رمز QR، أو يُدخَل الرقم التسلسلي واسم عائلة حامل الشهادة "
        "بالحروف اللاتينية على {address}"
    ),
}
# The issuing organisations' acronyms in each language; others print as frozen.
ACRONYMS = {
    "UNODC": {"fr": "ONUDC", "ar": "مكتب الأمم المتحدة المعني بالمخدرات والجريمة"},
    "DPO": {"fr": "DOP", "ar": "إدارة عمليات السلام"},
}
ISSUED = {"en": "Issued on {date}", "fr": "Délivré le {date}", "ar": "صدرت في {date}"}
VALID_UNTIL = {
    "en": "Valid until {date}",
    "fr": "Valable jusqu’au {date}",
    "ar": "صالحة حتى {date}",
}
REPLACES = {
    "en": "This certificate replaces certificate {serial}, which is revoked.",
    "fr": "Ce certificat remplace le certificat {serial}, révoqué.",
    "ar": "تحل هذه الشهادة محل الشهادة {serial} الملغاة.",
}


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str  # in English
    title_fr: str | None = None  # in French; the English title when unset
    title_ar: str | None = None  # in Arabic; the `fallback` language's when unset

    def title_in(self, language: str, fallback: str = "fr") -> str:
        if language == "ar":
            if self.title_ar:
                return self.title_ar
            language = fallback
        return (self.title_fr or self.title) if language == "fr" else self.title


@dataclass(frozen=True)
class CertificateData:
    """What one certificate states; every field is already decided."""

    kind: str  # completion, participation, trainer
    serial: str
    qr_text: str  # what the QR code holds: the signed address, upper case
    verify_address: str  # where to type the serial and family name, as printed
    holder_name: str
    holder_rank: str | None
    holder_organisation: str | None
    course_title_en: str
    course_title_fr: str
    start_date: date
    end_date: date
    city: str
    country_en: str
    country_fr: str
    total_hours: Decimal
    issuers: tuple[str, ...]
    issued_on: date
    language: str = "fr"  # the session's (fr, en, ar): its wording comes first
    bilingual: bool = True
    # The language beside Arabic on an Arabic certificate (fr or en).
    second_language: str = "fr"
    holder_name_ar: str | None = None  # printed beside the Latin spelling
    course_title_ar: str | None = None  # the second language's title without it
    country_ar: str = ""
    valid_until: date | None = None
    replaces_serial: str | None = None
    signatories: tuple[Signatory, ...] = ()
    logo_left: str | None = None
    logo_right: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown certificate kind {self.kind!r}")


def _rgb(color: Color) -> str:
    return f"{color.red:.3f} {color.green:.3f} {color.blue:.3f}"


def _diamond(path: PDFPathObject, x: float, y: float, radius: float) -> None:
    path.moveTo(x, y + radius)
    path.lineTo(x + radius, y)
    path.lineTo(x, y - radius)
    path.lineTo(x - radius, y)
    path.close()


_KAPPA = 0.5523  # control-point distance of a quarter circle drawn as a Bézier


def _rotated_ellipse(
    path: PDFPathObject, cx: float, cy: float, rx: float, ry: float, angle: float
) -> None:
    """An ellipse of radii rx, ry turned by `angle`, as four Bézier curves."""
    c, s = cos(angle), sin(angle)

    def point(x: float, y: float) -> tuple[float, float]:
        return cx + x * c - y * s, cy + x * s + y * c

    kx, ky = _KAPPA * rx, _KAPPA * ry
    quarters = (
        ((rx, ky), (kx, ry), (0, ry)),
        ((-kx, ry), (-rx, ky), (-rx, 0)),
        ((-rx, -ky), (-kx, -ry), (0, -ry)),
        ((kx, -ry), (rx, -ky), (rx, 0)),
    )
    path.moveTo(*point(rx, 0))
    for first, second, end in quarters:
        path.curveTo(*point(*first), *point(*second), *point(*end))
    path.close()


@lru_cache(maxsize=1)
def _artwork_operators() -> str:
    """The PDF operators of everything printed identically on every
    certificate: a refined double border with a band of small diamonds
    between the lines, corner ornaments, a pale geometric rosette behind the
    text, and the rule under the title. Computed once per process."""
    parts: list[str] = ["q"]
    outer, band, inner = 20.0, 25.5, 31.0

    # A faint rosette: rotated ellipses around the centre, as on banknotes,
    # hard to reproduce exactly with an office printer's "copy".
    rosette = PDFPathObject()
    cx, cy = CENTRE, PAGE_HEIGHT / 2 - 8
    for step in range(36):
        _rotated_ellipse(rosette, cx, cy, 205.0, 58.0, step * pi / 36)
    for radius in (214.0, 219.0):
        rosette.circle(cx, cy, radius)
    parts += [f"{_rgb(PALE)} RG", "0.45 w", rosette.getCode(), "S"]

    # The double border.
    frame = PDFPathObject()
    frame.rect(outer, outer, PAGE_WIDTH - 2 * outer, PAGE_HEIGHT - 2 * outer)
    parts += [f"{_rgb(UN_BLUE)} RG", "2.6 w", frame.getCode(), "S"]
    frame = PDFPathObject()
    frame.rect(inner, inner, PAGE_WIDTH - 2 * inner, PAGE_HEIGHT - 2 * inner)
    parts += ["0.8 w", frame.getCode(), "S"]

    # A band of small squares between the two lines: one dashed stroke.
    band_path = PDFPathObject()
    band_path.rect(band, band, PAGE_WIDTH - 2 * band, PAGE_HEIGHT - 2 * band)
    parts += [
        f"{_rgb(UN_BLUE_LIGHT)} RG",
        "2.2 w",
        "[2.2 6.6] 0 d",
        band_path.getCode(),
        "S",
        "[] 0 d",
    ]

    # Corner ornaments: a blue diamond set in a square, in each corner.
    corners = PDFPathObject()
    squares = PDFPathObject()
    for x, y in (
        (band, band),
        (PAGE_WIDTH - band, band),
        (band, PAGE_HEIGHT - band),
        (PAGE_WIDTH - band, PAGE_HEIGHT - band),
    ):
        squares.rect(x - 9, y - 9, 18, 18)
        _diamond(corners, x, y, 6.5)
    parts += ["1 1 1 rg", f"{_rgb(UN_BLUE)} RG", "1 w", squares.getCode(), "B"]
    parts += [f"{_rgb(UN_BLUE)} rg", corners.getCode(), "f"]

    # The rule under the title: two hairlines and a diamond between them.
    rule = PDFPathObject()
    rule_y = TITLE_RULE_Y
    rule.moveTo(CENTRE - 150, rule_y)
    rule.lineTo(CENTRE - 10, rule_y)
    rule.moveTo(CENTRE + 10, rule_y)
    rule.lineTo(CENTRE + 150, rule_y)
    parts += [f"{_rgb(UN_BLUE_LIGHT)} RG", "0.8 w", rule.getCode(), "S"]
    gem = PDFPathObject()
    _diamond(gem, CENTRE, rule_y, 4)
    parts += [f"{_rgb(UN_BLUE_LIGHT)} rg", gem.getCode(), "f"]

    # A small geometric globe above the issuers' line (not the UN emblem,
    # which is reserved): a circle, two meridians, three parallels.
    globe = PDFPathObject()
    gx, gy, radius = CENTRE, HEADER_Y + 23, 9.5
    globe.circle(gx, gy, radius)
    globe.ellipse(gx - radius * 0.45, gy - radius, radius * 0.9, radius * 2)
    globe.moveTo(gx, gy - radius)
    globe.lineTo(gx, gy + radius)
    for fraction in (-0.5, 0.0, 0.5):
        half = radius * (1 - fraction * fraction) ** 0.5
        globe.moveTo(gx - half, gy + fraction * radius)
        globe.lineTo(gx + half, gy + fraction * radius)
    parts += [f"{_rgb(UN_BLUE)} RG", "0.7 w", globe.getCode(), "S"]

    # The signature lines.
    lines = PDFPathObject()
    for centre in SIGNATURE_CENTRES:
        lines.moveTo(centre - 95, SIGNATURE_LINE_Y)
        lines.lineTo(centre + 95, SIGNATURE_LINE_Y)
    parts += [f"{_rgb(MUTED)} RG", "0.6 w", lines.getCode(), "S"]
    parts.append("Q")
    return "\n".join(parts)


# Vertical layout, in points from the bottom of the page.
HEADER_Y = 523
TITLE_Y = 466
SUBTITLE_Y = 443
TITLE_RULE_Y = 426
CERTIFY_Y = 396
NAME_Y = 354
AFFILIATION_Y = 330
ACHIEVEMENT_Y = 296
COURSE_Y = 266
SIGNATURE_LINE_Y = 116
SIGNATURE_CENTRES = (160.0, 365.0)
# The QR code's square, quiet zone included: the symbol of a signed payload
# (version 13 to 17 at level Q) is then 32 to 33 mm wide, readable at 300 dpi.
QR_SIZE = 102.0
QR_LEVEL = "Q"  # 25 % of the symbol may be lost: a fold, a stain, a staple
QR_X = PAGE_WIDTH - 46 - QR_SIZE
QR_Y = 60.0
TEXT_WIDTH = PAGE_WIDTH - 150


@lru_cache(maxsize=4096)
def _date_range(start: date, end: date, language: str) -> str:
    """Day, full month, year, as the UN writes dates: "2–6 March 2026",
    "30 mars – 3 avril 2026"."""
    if start == end:
        return format_date(end, "d MMMM y", locale=language)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{format_date(end, 'd MMMM y', locale=language)}"
    first = "d MMMM" if start.year == end.year else "d MMMM y"
    return (
        f"{format_date(start, first, locale=language)} – "
        f"{format_date(end, 'd MMMM y', locale=language)}"
    )


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    return format_date(day, "d MMMM y", locale=language)


def _languages(data: CertificateData) -> tuple[str, str | None]:
    """The primary language (the session's) and the second one when
    bilingual: the other of French and English, or, beside Arabic,
    `second_language`."""
    if data.language == "ar":
        return "ar", (data.second_language if data.bilingual else None)
    primary = data.language if data.language in ("en", "fr") else "en"
    secondary = ("en" if primary == "fr" else "fr") if data.bilingual else None
    return primary, secondary


def _width(text: str, font: str, size: float, rtl: bool = False) -> float:
    """The width of a line as drawn: shaped when it holds Arabic or sits in
    an Arabic certificate, ReportLab's own measure otherwise."""
    if arabic.needs_layout(text, rtl):
        return arabic.text_width(text, font, size, rtl or None)
    return stringWidth(text, font, size)


def _fit(
    text: str, font: str, size: float, width: float, minimum: float, rtl: bool = False
) -> float:
    """The largest size, at most `size`, at which `text` fits `width`."""
    measured = _width(text, font, size, rtl)
    if measured <= width:
        return size
    return max(minimum, size * width / measured)


def _draw(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    font: str,
    size: float,
    align: str,
    rtl: bool = False,
    char_space: float = 0,
) -> None:
    """One line: Latin text as ReportLab draws it (letter-spaced when asked),
    Arabic and the lines of an Arabic certificate laid out by
    training.pdf.arabic (never letter-spaced: that would part the letters)."""
    if arabic.needs_layout(text, rtl):
        arabic.draw_line(canvas, x, y, text, font, size, align, rtl or None)
        return
    canvas.setFont(font, size)
    if align == "centre":
        canvas.drawCentredString(x, y, text, charSpace=char_space)
    elif align == "right":
        canvas.drawRightString(x, y, text, charSpace=char_space)
    else:
        canvas.drawString(x, y, text, charSpace=char_space)


def _centred(
    canvas: Canvas,
    y: float,
    text: str,
    font: str,
    size: float,
    char_space: float = 0,
    rtl: bool = False,
) -> None:
    _draw(canvas, CENTRE, y, text, font, size, "centre", rtl, char_space)


def _draw_logo(canvas: Canvas, path: str | None, x: float) -> None:
    if not path:
        return
    image = _logo(path)
    if image is None:
        return
    width, height = image.getSize()
    box = 54.0
    scale = min(box / width, box / height)
    canvas.drawImage(
        image, x - width * scale / 2, HEADER_Y - 24, width * scale, height * scale, mask="auto"
    )


@lru_cache(maxsize=8)
def _logo(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except OSError:
        return None


# With a name in Arabic script beside the Latin one, the two names and the
# affiliation share the room of one name and the affiliation.
TWO_NAMES_Y = (362.0, 337.0)  # the first name's baseline, the second's
TWO_NAMES_AFFILIATION_Y = 316.0


def _names(data: CertificateData, primary: str) -> tuple[str, str | None]:
    """(the name printed large, the name printed under it): the Arabic one
    first on an Arabic certificate."""
    arabic_name = (data.holder_name_ar or "").strip() or None
    if arabic_name is None:
        return data.holder_name, None
    if primary == "ar":
        return arabic_name, data.holder_name
    return data.holder_name, arabic_name


def _draw_page(canvas: Canvas, data: CertificateData) -> None:
    primary, secondary = _languages(data)
    rtl = primary == "ar"
    canvas.doForm(ARTWORK_FORM)

    # Header: the issuing organisations, letter-spaced, and optional logos.
    canvas.setFillColor(UN_BLUE)
    issuers = "  ·  ".join(_acronym(issuer, primary) for issuer in data.issuers).upper()
    size = _fit(issuers, BOLD, 9.5, TEXT_WIDTH - 140, 6, rtl)
    _centred(canvas, HEADER_Y, issuers, BOLD, size, char_space=1.2, rtl=rtl)
    _draw_logo(canvas, data.logo_left, 86)
    _draw_logo(canvas, data.logo_right, PAGE_WIDTH - 86)

    # Title by kind.
    title = TITLES[data.kind][primary].upper()
    title_size = _fit(title, BOLD, 29, TEXT_WIDTH, 16, rtl)
    _centred(canvas, TITLE_Y, title, BOLD, title_size, char_space=2.5, rtl=rtl)
    if secondary:
        canvas.setFillColor(MUTED)
        _centred(canvas, SUBTITLE_Y, TITLES[data.kind][secondary], REGULAR, 14, rtl=rtl)

    # Who.
    canvas.setFillColor(MUTED)
    _centred(canvas, CERTIFY_Y, _pair(CERTIFY, primary, secondary), REGULAR, 11, rtl=rtl)
    canvas.setFillColor(INK)
    first_name, second_name = _names(data, primary)
    affiliation_y: float = AFFILIATION_Y
    if second_name is None:
        name_size = _fit(first_name, BOLD, 34, TEXT_WIDTH, 14, rtl)
        _centred(canvas, NAME_Y, first_name, BOLD, name_size, rtl=rtl)
    else:
        _centred(
            canvas,
            TWO_NAMES_Y[0],
            first_name,
            BOLD,
            _fit(first_name, BOLD, 28, TEXT_WIDTH, 12, rtl),
            rtl=rtl,
        )
        _centred(
            canvas,
            TWO_NAMES_Y[1],
            second_name,
            BOLD,
            _fit(second_name, BOLD, 17, TEXT_WIDTH, 9, rtl),
            rtl=rtl,
        )
        affiliation_y = TWO_NAMES_AFFILIATION_Y
    affiliation = " · ".join(part for part in (data.holder_rank, data.holder_organisation) if part)
    if affiliation:
        canvas.setFillColor(MUTED)
        _centred(
            canvas,
            affiliation_y,
            affiliation,
            REGULAR,
            _fit(affiliation, REGULAR, 12.5, TEXT_WIDTH, 7, rtl),
            rtl=rtl,
        )

    # What.
    canvas.setFillColor(MUTED)
    achievement = _pair(ACHIEVEMENT[data.kind], primary, secondary)
    _centred(
        canvas,
        ACHIEVEMENT_Y,
        achievement,
        REGULAR,
        _fit(achievement, REGULAR, 11, TEXT_WIDTH, 7, rtl),
        rtl=rtl,
    )
    y = _draw_course(canvas, data, primary, secondary)

    # When, where, how long.
    canvas.setFillColor(INK)
    details = " · ".join(
        (
            _place(data, primary),
            _dates(data.start_date, data.end_date, primary),
            _hours_text(data.total_hours, primary),
        )
    )
    _centred(canvas, y, details, REGULAR, _fit(details, REGULAR, 12, TEXT_WIDTH, 7, rtl), rtl=rtl)
    if data.valid_until is not None:
        canvas.setFillColor(UN_BLUE)
        validity = VALID_UNTIL[primary].format(date=_long_date(data.valid_until, primary))
        _centred(canvas, y - 18, validity, BOLD, 10.5, rtl=rtl)

    _draw_signatures(canvas, data)
    _draw_verification(canvas, data, primary, secondary)


def _place(data: CertificateData, language: str) -> str:
    if language == "ar":
        return f"{data.city}، {data.country_ar or data.country_fr}"
    return f"{data.city}, {data.country_fr if language == 'fr' else data.country_en}"


def _dates(start: date, end: date, language: str) -> str:
    return arabic.date_range(start, end) if language == "ar" else _date_range(start, end, language)


def _acronym(issuer: str, language: str) -> str:
    return ACRONYMS.get(issuer, {}).get(language, issuer)


def _pair(texts: dict[str, str], primary: str, secondary: str | None) -> str:
    if secondary is None:
        return texts[primary]
    return f"{texts[primary]}  /  {texts[secondary]}"


def _hours(hours: Decimal, language: str) -> str:
    return format_decimal(
        hours.normalize() if hours == hours.to_integral() else hours, locale=language
    )


def _hours_text(hours: Decimal, language: str) -> str:
    if language == "ar":
        return arabic.plural(float(hours), HOURS_AR)
    return HOURS[language].format(hours=_hours(hours, language))


def _course_titles(data: CertificateData, secondary: str | None) -> dict[str, str]:
    """The course's title in each language; in Arabic, the second
    language's when the curriculum had no Arabic title."""
    titles = {"en": data.course_title_en, "fr": data.course_title_fr}
    titles["ar"] = data.course_title_ar or titles[secondary or data.second_language]
    return titles


def _title_lines(text: str, font: str, size: float, rtl: bool) -> list[str]:
    if arabic.needs_layout(text, rtl):
        lines = arabic.wrap_spans(((text, font),), size, TEXT_WIDTH, rtl or arabic.has_rtl(text))
        return ["".join(part for part, _font in line) for line in lines]
    return simpleSplit(text, font, size, TEXT_WIDTH)


def _draw_course(
    canvas: Canvas, data: CertificateData, primary: str, secondary: str | None
) -> float:
    """The course title (up to two lines) and its translation; returns the
    baseline of the next line."""
    rtl = primary == "ar"
    titles = _course_titles(data, secondary)
    canvas.setFillColor(UN_BLUE)
    size = 18.0
    lines = _title_lines(titles[primary], BOLD, size, rtl)
    if len(lines) > 2:
        size = 14.0
        lines = _title_lines(titles[primary], BOLD, size, rtl)[:3]
    y: float = COURSE_Y
    for line in lines:
        _centred(canvas, y, line, BOLD, size, rtl=rtl)
        y -= size * 1.2
    if secondary and titles[secondary] and titles[secondary] != titles[primary]:
        canvas.setFillColor(MUTED)
        text = titles[secondary]
        _centred(canvas, y + 2, text, REGULAR, _fit(text, REGULAR, 11.5, TEXT_WIDTH, 7, rtl))
        y -= 14
    return y - 12


def _draw_signatures(canvas: Canvas, data: CertificateData) -> None:
    """Each signatory's name, then their title in the certificate's language
    (up to two lines) and, on a bilingual certificate, in the other one."""
    primary, secondary = _languages(data)
    rtl = primary == "ar"
    fallback = secondary or data.second_language
    for centre, signatory in zip(SIGNATURE_CENTRES, data.signatories, strict=False):
        canvas.setFillColor(INK)
        name_size = _fit(signatory.name, BOLD, 10.5, 200, 6, rtl)
        _draw(canvas, centre, SIGNATURE_LINE_Y - 15, signatory.name, BOLD, name_size, "centre", rtl)
        canvas.setFillColor(MUTED)
        title = signatory.title_in(primary, fallback)
        if arabic.needs_layout(title, rtl):
            wrapped = arabic.wrap_spans(((title, REGULAR),), 8.5, 190, rtl or arabic.has_rtl(title))
            lines = ["".join(part for part, _font in line) for line in wrapped][:2]
        else:
            lines = simpleSplit(title, REGULAR, 8.5, 190)[:2]
        y: float = SIGNATURE_LINE_Y - 28
        for line in lines:
            _draw(canvas, centre, y, line, REGULAR, 8.5, "centre", rtl)
            y -= 10.5
        other = signatory.title_in(secondary, fallback) if secondary else title
        if other != title:
            _draw(canvas, centre, y, other, REGULAR, _fit(other, REGULAR, 7.5, 190, 5), "centre")


def _draw_verification(
    canvas: Canvas, data: CertificateData, primary: str, secondary: str | None
) -> None:
    """The signed QR code (a link too, in a PDF viewer) and, for a checker
    without a scanner, the serial to type with the holder's family name and
    where: a code short enough to read over a telephone."""
    rtl = primary == "ar"
    canvas.setFillColor(INK)
    draw_qr(canvas, data.qr_text, QR_X, QR_Y, QR_SIZE, QR_LEVEL)
    canvas.linkURL(data.qr_text, (QR_X, QR_Y, QR_X + QR_SIZE, QR_Y + QR_SIZE), relative=0)
    right = QR_X - 2
    if rtl:
        # The Arabic label where the line starts, the serial left of it, as
        # the line "الرقم التسلسلي ATL-2026-000042" reads: drawn in two, so
        # the serial, new on every certificate, is never laid out by the
        # bidirectional algorithm (the label is, once per process).
        label = f"{SERIAL[primary]} "
        _draw(canvas, right, QR_Y + 78, label, BOLD, 10.5, "right", rtl)
        serial_right = right - _width(label, BOLD, 10.5, rtl)
        _draw(canvas, serial_right, QR_Y + 78, data.serial, BOLD, 10.5, "right")
    else:
        _draw(canvas, right, QR_Y + 78, f"{SERIAL[primary]} {data.serial}", BOLD, 10.5, "right")
    canvas.setFillColor(MUTED)
    issued = ISSUED[primary].format(date=_long_date(data.issued_on, primary))
    _draw(canvas, right, QR_Y + 65, issued, REGULAR, 7.5, "right", rtl)
    first, second = HOW_TO_VERIFY[primary]
    _draw(canvas, right, QR_Y + 46, first, REGULAR, 7.5, "right", rtl)
    _draw(canvas, right, QR_Y + 36, second, REGULAR, 7.5, "right", rtl)
    canvas.setFillColor(INK)
    address_size = _fit(data.verify_address, BOLD, 8.5, 190, 6)
    _draw(canvas, right, QR_Y + 24, data.verify_address, BOLD, address_size, "right")
    if secondary:
        canvas.setFillColor(MUTED)
        line = HOW_TO_VERIFY_LINE[secondary].format(address=data.verify_address)
        _centred(canvas, 40, line, REGULAR, _fit(line, REGULAR, 7.5, 560, 5))
    if data.replaces_serial:
        canvas.setFillColor(UN_BLUE)
        replaces = REPLACES[primary].format(serial=data.replaces_serial)
        _centred(canvas, 52, replaces, BOLD, 8, rtl=rtl)


def _new_canvas(buffer: io.BytesIO, title: str, prime: bool) -> Canvas:
    fonts = certificate_fonts()
    # Streams compressed with zlib alone. With pageCompression on, ReportLab
    # would also wrap every page and form stream in ASCII85 (rl_config.useA85,
    # a process-wide setting this module leaves alone), a text-safe encoding
    # no one needs that makes files a quarter larger. Off, it leaves their
    # filters to the document's default, set here for this document only.
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=0)
    # The canvas's document is private to ReportLab and absent from the stubs.
    doc: pdfdoc.PDFDocument = canvas._doc  # type: ignore[attr-defined]
    doc.defaultStreamFilters = [pdfdoc.PDFZCompress]
    canvas.setTitle(title)
    canvas.setAuthor("Atelier")
    canvas.setCreator("Atelier")
    if prime:
        for font in fonts:
            font.prime(doc)
    canvas.beginForm(ARTWORK_FORM)
    canvas.addLiteral(_artwork_operators())
    canvas.endForm()
    return canvas


def render_certificate(data: CertificateData) -> bytes:
    """One certificate as a one-page PDF, each font subset to the
    characters the page prints (issue 18: a stored certificate is at most
    50 KB; the primed subsets of `render_certificates` are some 80 KB)."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, f"{TITLES[data.kind]['en']} {data.serial}", prime=False)
    _draw_page(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_certificates(certificates: Iterable[CertificateData], title: str = "") -> bytes:
    """Many certificates in one print-ready PDF, one page each, sharing the
    artwork and the fonts."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, title or "Certificates", prime=True)
    for data in certificates:
        _draw_page(canvas, data)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def sample_qr_text(index: int) -> str:
    """A QR text the size of a signed one (a 250-byte message in base32),
    for benchmarks and previews; nothing that verifies."""
    filler = b"".join(hashlib.sha256(f"{index}-{part}".encode()).digest() for part in range(8))[
        :250
    ]
    return "HTTPS://ATELIER.EXAMPLE.ORG/V/" + base64.b32encode(filler).decode().rstrip("=")


def sample_certificate(index: int = 1, **changes: object) -> CertificateData:
    """A realistic certificate, for benchmarks, tests and previews."""
    values: dict[str, object] = {
        "kind": "completion",
        "serial": f"ATL-2026-{index:06d}",
        "qr_text": sample_qr_text(index),
        "verify_address": "atelier.example.org/verify",
        "holder_name": f"Aïcha Maïga-Traoré {index}",
        "holder_rank": "Commissaire divisionnaire",
        "holder_organisation": "Police nationale du Mali",
        "course_title_en": "Investigating and prosecuting terrorism cases",
        "course_title_fr": "Enquêtes et poursuites dans les affaires de terrorisme",
        "start_date": date(2026, 3, 2),
        "end_date": date(2026, 3, 6),
        "city": "Niamey",
        "country_en": "Niger",
        "country_fr": "Niger",
        "total_hours": Decimal("30.0"),
        "issuers": ("UNODC", "DPO", "G5 Sahel Defence College"),
        "issued_on": date(2026, 3, 6),
        "language": "fr",
        "signatories": (
            Signatory(
                "Amina Diallo",
                "Head, Terrorism Prevention Branch, UNODC",
                "Cheffe du Service de la prévention du terrorisme, ONUDC",
            ),
            Signatory(
                "Marc Lefèvre",
                "Director, Peace Operations Training, DPO",
                "Directeur de la formation aux opérations de paix, DOP",
            ),
        ),
    }
    values.update(changes)
    return CertificateData(**values)  # type: ignore[arg-type]


# Arabic names as a Chadian or Mauritanian list writes them, for samples.
SAMPLE_ARABIC_NAMES = (
    "عائشة محمد الأمين",
    "محمد ولد الشيخ أحمد",
    "فاطمة الزهراء عبد الله",
    "حسن إبراهيم موسى",
    "مريم بنت سيدي محمد",
)


def sample_arabic_certificate(
    index: int = 1, second_language: str = "fr", **changes: object
) -> CertificateData:
    """A certificate of a session held in Arabic (Arabic and `second_language`),
    its holder's name in Arabic script beside the Latin one."""
    values: dict[str, object] = {
        "language": "ar",
        "second_language": second_language,
        "holder_name": f"Aïcha Mahamat Al-Amine {index}",
        "holder_name_ar": f"{SAMPLE_ARABIC_NAMES[index % len(SAMPLE_ARABIC_NAMES)]} {index}",
        "holder_rank": "Commissaire de police",
        "holder_organisation": "Police nationale du Tchad",
        "course_title_ar": "التحقيق في قضايا الإرهاب والملاحقة القضائية بشأنها",
        "city": "N'Djamena",
        "country_en": "Chad",
        "country_fr": "Tchad",
        "country_ar": "تشاد",
        "issuers": ("UNODC", "DPO"),
        "signatories": (
            Signatory(
                "Amina Diallo",
                "Head, Terrorism Prevention Branch, UNODC",
                "Cheffe du Service de la prévention du terrorisme, ONUDC",
                "رئيسة فرع منع الإرهاب، مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
            ),
            Signatory(
                "Marc Lefèvre",
                "Director, Peace Operations Training, DPO",
                "Directeur de la formation aux opérations de paix, DOP",
                "مدير التدريب على عمليات السلام، إدارة عمليات السلام",
            ),
        ),
    }
    values.update(changes)
    return sample_certificate(index, **values)


__all__: Sequence[str] = (
    "CertificateData",
    "Signatory",
    "render_certificate",
    "render_certificates",
    "sample_arabic_certificate",
    "sample_certificate",
    "sample_qr_text",
)
