"""A one-page letter that hands an account over in person: an invitation or a
password reset, for people with no reachable email (common in the field).

It carries the single-use link written out and as a QR code, the account's
sign-in name, and when the link stops working. The caller writes every text
in the recipient's language (the app's catalogs translate them); this module
only lays them out, and imports neither Flask nor the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer, Table, TableStyle

from training.pdf.fonts import FONT_BOLD, FONT_REGULAR, register_fonts
from training.pdf.qr import draw_qr


@dataclass(frozen=True)
class AccessLetter:
    """Every text already in the letter's language."""

    language: str
    programme: str  # the letterhead: "UNODC – DPO · Atelier"
    title: str  # "Your Atelier account"
    date_line: str  # "Bamako, 2 December 2026" or "2 December 2026"
    recipient_name: str
    recipient_detail: str  # rank, organisation: one line, may be empty
    paragraphs: tuple[str, ...]
    sign_in_label: str  # "Sign-in name"
    sign_in_name: str  # the account's email address
    link_label: str  # "Your personal link"
    url: str
    qr_caption: str  # "Scan with your phone's camera"
    expiry: str  # "This link works once, until 16 December 2026 at 10:00 (UTC)."
    warning: str  # "Keep this letter to yourself: ..."
    issued_by: str  # "Prepared by Awa Diallo, coordinator"
    reference: str  # a short reference, to match a letter to the log


_INK = colors.HexColor("#1b2733")
_UN_BLUE = colors.HexColor("#0b5ea8")
_MUTED = colors.HexColor("#4a5866")
_BOX = colors.HexColor("#e3ecf5")
_PAGE_WIDTH, _PAGE_HEIGHT = A4
_MARGIN = 22 * mm
_QR_SIZE = 48 * mm  # a phone reads it at arm's length; well over 30 mm


def _styles(font: str, bold: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=font, fontSize=11, leading=15.5, textColor=_INK, spaceAfter=8
    )
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=bold, fontSize=19, leading=24, textColor=_UN_BLUE
        ),
        "name": ParagraphStyle("name", parent=body, fontName=bold, fontSize=12.5, spaceAfter=1),
        "detail": ParagraphStyle("detail", parent=body, textColor=_MUTED, spaceAfter=10),
        "label": ParagraphStyle(
            "label",
            parent=body,
            fontName=bold,
            fontSize=9.5,
            leading=12,
            textColor=_MUTED,
            spaceAfter=2,
        ),
        "value": ParagraphStyle("value", parent=body, fontName=bold, fontSize=12, spaceAfter=8),
        "url": ParagraphStyle(
            "url", parent=body, fontName=font, fontSize=9.5, leading=12.5, wordWrap="CJK"
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=12, textColor=_MUTED),
        "strong": ParagraphStyle("strong", parent=body, fontName=bold),
    }


class _QrCode(Flowable):
    """The link's QR code on a white square, `size` points wide."""

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


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def render_access_letter(letter: AccessLetter) -> bytes:
    """The letter as PDF bytes: one A4 page."""
    register_fonts()
    font, bold = FONT_REGULAR, FONT_BOLD
    styles = _styles(font, bold)
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, lang=letter.language)
    canvas.setTitle(letter.title)
    canvas.setAuthor(letter.programme)
    canvas.setSubject(letter.title)

    # Letterhead: the programme, a rule, the date on the right.
    top = _PAGE_HEIGHT - _MARGIN
    canvas.setFillColor(_UN_BLUE)
    canvas.setFont(bold, 11)
    canvas.drawString(_MARGIN, top, letter.programme)
    canvas.setFillColor(_MUTED)
    canvas.setFont(font, 10)
    canvas.drawRightString(_PAGE_WIDTH - _MARGIN, top, letter.date_line)
    canvas.setStrokeColor(_UN_BLUE)
    canvas.setLineWidth(1.2)
    canvas.line(_MARGIN, top - 6, _PAGE_WIDTH - _MARGIN, top - 6)

    width = _PAGE_WIDTH - 2 * _MARGIN
    link_cell = [
        Paragraph(_text(letter.link_label), styles["label"]),
        Paragraph(_text(letter.url), styles["url"]),
        Spacer(0, 3 * mm),
        Paragraph(_text(letter.expiry), styles["strong"]),
        Paragraph(_text(letter.qr_caption), styles["small"]),
    ]
    link_box = Table(
        [[_QrCode(letter.url, _QR_SIZE), link_cell]],
        colWidths=[_QR_SIZE + 12 * mm, width - _QR_SIZE - 12 * mm],
        style=TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), _BOX),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (0, 0), 6 * mm),
                ("RIGHTPADDING", (0, 0), (0, 0), 6 * mm),
                ("TOPPADDING", (0, 0), (-1, -1), 6 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6 * mm),
                ("RIGHTPADDING", (1, 0), (1, 0), 6 * mm),
            ]
        ),
    )
    story: list[Flowable] = [
        Paragraph(_text(letter.recipient_name), styles["name"]),
        Paragraph(_text(letter.recipient_detail), styles["detail"]),
        Spacer(0, 4 * mm),
        Paragraph(_text(letter.title), styles["title"]),
        *(Paragraph(_text(paragraph), styles["body"]) for paragraph in letter.paragraphs),
        Spacer(0, 2 * mm),
        Paragraph(_text(letter.sign_in_label), styles["label"]),
        Paragraph(_text(letter.sign_in_name), styles["value"]),
        Spacer(0, 4 * mm),
        link_box,
        Spacer(0, 8 * mm),
        Paragraph(_text(letter.warning), styles["body"]),
        Paragraph(_text(letter.issued_by), styles["small"]),
    ]
    body_top = top - 16 * mm
    Frame(
        _MARGIN,
        20 * mm,
        width,
        body_top - 20 * mm,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        showBoundary=0,
    ).addFromList(story, canvas)
    canvas.setFillColor(_MUTED)
    canvas.setFont(font, 8)
    canvas.drawString(_MARGIN, 12 * mm, letter.reference)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
