"""Arabic text in the PDFs (training/pdf/arabic.py): the order of mixed
lines (checked against python-bidi's own display order), the joining
(HarfBuzz's glyphs, not the letters typed), the text a reader gets back
from the PDF (pypdf), and Latin text left alone."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata

import pytest
from bidi.algorithm import get_display
from bidi.mirror import MIRRORED
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas

from training.pdf import arabic
from training.pdf.fonts import (
    ARABIC_BOLD,
    ARABIC_REGULAR,
    FONT_BOLD,
    FONT_REGULAR,
    PRIVATE_GLYPH_BASE,
    register_arabic_fonts,
    register_fonts,
)

NAME = "عائشة مايغا"
SERIAL = "ATL-2026-000042"


@pytest.fixture(autouse=True)
def _fonts():
    register_fonts()
    register_arabic_fonts()


def _pdf_text(draw) -> str:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    draw(canvas)
    canvas.showPage()
    canvas.save()
    return PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()


def _visual(text: str, rtl: bool) -> str:
    """The characters in the order _visual_order puts them, mirrored where
    right to left (rule L4), as python-bidi's get_display writes them."""
    order = arabic._visual_order(text, 1 if rtl else 0)
    return "".join(
        MIRRORED.get(text[index], text[index]) if level % 2 else text[index]
        for index, level in order
    )


@pytest.mark.parametrize(
    ("text", "rtl"),
    [
        (NAME, True),
        (f"الرقم التسلسلي {SERIAL}", True),
        (f"Nous certifions que {NAME} (Mali) a suivi", False),
        ("من 2 إلى 6 مارس 2026 (30 ساعة)", True),
        ("دورة (الإرهاب) 2026، نيامي", True),
        ("Police nationale du Mali", True),
    ],
)
def test_the_visual_order_is_python_bidis(text, rtl):
    assert _visual(text, rtl) == get_display(text, base_dir="R" if rtl else "L")


def test_a_latin_serial_in_an_arabic_line_reads_left_to_right_on_its_left():
    line = arabic.lay_out(f"الرقم التسلسلي {SERIAL}", FONT_BOLD, rtl=True)
    assert [piece.font for piece in line.pieces] == [FONT_BOLD, ARABIC_BOLD]
    assert line.pieces[0].text == SERIAL  # drawn as typed, never shaped
    assert line.width(10) == pytest.approx(sum(p.advance for p in line.pieces) / 100)


def test_an_arabic_name_in_a_french_line_keeps_the_french_order():
    line = arabic.lay_out(f"Nous certifions que {NAME} (Mali)", FONT_REGULAR)
    fonts = [piece.font for piece in line.pieces]
    assert fonts[0] == FONT_REGULAR and line.pieces[0].text.startswith("Nous certifions que")
    assert ARABIC_REGULAR in fonts
    assert line.pieces[-1].text.endswith("(Mali)")


def test_arabic_letters_are_joined_by_harfbuzz():
    """The glyphs drawn are the joining forms, by private codes, not the
    isolated letters typed; their order is visual (right to left)."""
    shaped, advance = arabic.shape("محمد", ARABIC_REGULAR, True)
    assert advance > 0
    codes = [ord(character) for character in shaped]
    assert all(code >= PRIVATE_GLYPH_BASE for code in codes[1:-1])  # medial forms
    assert shaped != "محمد"[::-1]


def test_the_pdf_gives_back_the_letters_typed():
    """The ToUnicode map turns the joining forms back into the letters, the
    vowel marks included (no presentation forms, no private codes)."""

    def draw(canvas):
        arabic.draw_line(canvas, 500, 700, "عائشة مايغا-تراوري", FONT_BOLD, 16, "right")
        arabic.draw_line(canvas, 500, 650, "لا إله — مُحَمَّد", FONT_REGULAR, 16, "right")

    text = _pdf_text(draw)
    assert not any(0xE000 <= ord(c) <= 0xF8FF or ord(c) >= 0xF0000 for c in text)
    assert not any("FORM" in unicodedata.name(character, "") for character in text)
    for word in ("عائشة", "مايغا", "تراوري", "مُحَمَّد", "إله"):
        assert word in text, (word, text)


def test_a_ligature_reads_back_in_order_in_poppler():
    """ "الله" is one glyph in Noto Naskh Arabic: its letters are mapped in
    the order it is drawn, so that poppler (pdftotext, and the viewers built
    on it), reversing the right-to-left run character by character, gives
    back the letters typed, at the start of a line as inside it."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    arabic.draw_line(canvas, 500, 700, "عبد الله", FONT_REGULAR, 16, "right", True)
    arabic.draw_line(canvas, 500, 650, "لا إله إلا الله", FONT_REGULAR, 16, "right", True)
    canvas.showPage()
    canvas.save()
    done = subprocess.run(
        ["pdftotext", "-", "-"], input=buffer.getvalue(), capture_output=True, check=True
    )
    lines = re.sub("[\u202a-\u202e]", "", done.stdout.decode()).split()
    assert " ".join(lines) == "عبد الله لا إله إلا الله"


def test_latin_text_never_goes_through_the_shaper():
    arabic.shape.cache_clear()
    line = arabic.lay_out("Aïcha Maïga-Traoré (Mali) 2026", FONT_BOLD)
    assert line.pieces == (
        arabic.Piece("Aïcha Maïga-Traoré (Mali) 2026", FONT_BOLD, line.pieces[0].advance),
    )
    assert not arabic.needs_layout("Aïcha Maïga-Traoré", None)
    assert arabic.shape.cache_info().misses == 0


def test_numbers_of_arabic_text_take_the_arabic_digits_and_a_serial_the_latin_ones():
    dates = arabic.lay_out("من 2 إلى 6 مارس", FONT_REGULAR, rtl=True)
    assert {piece.font for piece in dates.pieces} == {ARABIC_REGULAR}
    serial = arabic.lay_out(f"{NAME} {SERIAL}", FONT_REGULAR, rtl=True)
    assert (SERIAL, FONT_REGULAR) in {(piece.text, piece.font) for piece in serial.pieces}


def test_a_paragraph_wraps_right_to_left_within_its_width():
    style = ParagraphStyle("body", fontName=FONT_REGULAR, fontSize=10, leading=14)
    text = "نتشرف بإبلاغكم بأن الشخص المذكور أدناه قد اختير للمشاركة في الدورة التدريبية " * 4
    paragraph = arabic.BidiParagraph(text, style, rtl=True)
    _width, height = paragraph.wrap(200, 1000)
    lines = paragraph._wrap_lines(200)
    assert len(lines) > 3 and height == len(lines) * 14
    for line in lines:
        assert arabic.lay_out_spans(line, True).width(10) <= 200
    assert " ".join("".join(part for part, _f in line) for line in lines) == text.strip()
    first, rest = paragraph.split(200, 14 * 2)
    assert first.wrap(200, 1000)[1] == 28
    assert rest.wrap(200, 1000)[1] == height - 28


def test_a_word_longer_than_the_line_is_cut_to_fit():
    style = ParagraphStyle("cell", fontName=FONT_REGULAR, fontSize=9, leading=11)
    paragraph = arabic.BidiParagraph("م" * 2000, style, rtl=True, max_lines=4)
    paragraph.wrap(100, 1000)
    lines = paragraph._wrap_lines(100)
    assert len(lines) == 4 and lines[-1][-1] == ("…", FONT_REGULAR)
    for line in lines:
        assert arabic.lay_out_spans(line, True).width(9) <= 100


def test_a_paragraph_prints_its_text_as_typed_never_as_markup():
    style = ParagraphStyle("body", fontName=FONT_REGULAR, fontSize=10, leading=14)
    paragraph = arabic.BidiParagraph('<font color="red">عائشة</font>', style)

    def draw(canvas):
        paragraph.wrap(400, 100)
        paragraph.drawOn(canvas, 50, 700)

    text = _pdf_text(draw)
    assert "font color" in text and "عائشة" in text


def test_arabic_is_printed_in_an_arabic_face():
    """.ci/system-deps.sh installs Noto Naskh Arabic (fonts-noto-core); Amiri
    is the other face looked for."""
    assert register_arabic_fonts() in ("NotoNaskhArabic", "Amiri")


@pytest.mark.parametrize(
    ("text", "rtl"),
    [
        ("فاطمة الزهراء عبد الله", True),
        ("فاطمة الزهراء عبد الله", False),
        ("مُحَمَّد إدريس", True),
        ("Aïcha Mahamat Al-Amine", True),
        ("Police nationale (Tchad", True),
        ("PN — Police nationale du Tchad", True),
    ],
)
def test_a_single_run_is_laid_out_as_the_algorithm_does(text, rtl):
    spans = ((text, FONT_BOLD),)
    quick = arabic._single_run(text, spans)
    assert quick is not None
    assert quick == arabic._laid_out(text, spans, rtl)


@pytest.mark.parametrize(
    "text", ["(Tchad)", "عائشة 42", "42 عائشة", "عائشة  مايغا", "عائشة (مالي)", "ATL-2026 عائشة"]
)
def test_other_lines_take_the_algorithm(text):
    assert arabic._single_run(text, ((text, FONT_REGULAR),)) is None
