"""The certificate in Arabic: Arabic and French, Arabic and English, the
holder's name in Arabic script beside the Latin one; the text drawn read
back with pypdf, the order of mixed lines checked on their layout, and
Latin certificates left unshaped.

What pypdf gives back reliably: each run of Arabic words, its letters in
reading order (the ToUnicode map of training.pdf.fonts.ShapingFont). Where a
number sits among Arabic words, pypdf's own reordering guesses: those lines
are checked on the pieces drawn, left to right."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from training.pdf import arabic
from training.pdf.certificate import (
    BOLD,
    REGULAR,
    render_certificate,
    render_certificates,
    sample_arabic_certificate,
    sample_certificate,
)


def text_of(pdf: bytes, page: int = 0) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[page].extract_text()


def test_arabic_and_french():
    data = sample_arabic_certificate(42)
    text = text_of(render_certificate(data))
    for phrase in (
        "شهادة إتمام",
        "تُمنح هذه الشهادة إلى",
        "فاطمة الزهراء عبد",  # the holder's name (then "الله", a ligature: test_arabic)
        "لإتمام الدورة التدريبية بنجاح",
        data.course_title_ar,
        "مارس",
        "ساعة",
        "تشاد",
        "الرقم التسلسلي",
        "صدرت في",
        "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
        "رئيسة فرع منع الإرهاب",
    ):
        assert phrase in text, phrase
    for french in (
        "Certificat de réussite",
        "Nous certifions que",
        data.course_title_fr,
        "Cheffe du Service de la prévention du terrorisme, ONUDC",
        "Pour vérifier : scannez le code QR",
    ):
        assert french in text, french
    assert data.holder_name in text and data.serial in text
    assert "Certificate of Completion" not in text


def test_arabic_and_english():
    data = sample_arabic_certificate(7, "en", kind="participation", valid_until=date(2029, 3, 6))
    text = text_of(render_certificate(data))
    assert "شهادة مشاركة" in text and "Certificate of Participation" in text
    assert "للمشاركة في الدورة التدريبية" in text and "has participated in the course" in text
    assert data.course_title_en in text and data.course_title_fr not in text
    assert "صالحة حتى" in text
    assert "To verify: scan the QR code" in text and "Pour vérifier" not in text


def test_the_serial_reads_left_to_right_left_of_its_arabic_label():
    """The serial line as drawn: the Latin serial, unshaped, on the left;
    "الرقم التسلسلي" (Serial) on its right, where an Arabic line starts."""
    line = arabic.lay_out("الرقم التسلسلي ATL-2026-000042", BOLD, rtl=True)
    assert line.pieces[0].text == "ATL-2026-000042" and line.pieces[0].font == BOLD
    assert line.pieces[-1].font == arabic.ARABIC_BOLD


def test_numbers_among_arabic_words_read_right_to_left():
    """ "من 2 إلى 6 مارس 2026 · 30 ساعة": from 2 to 6 March 2026, 30 hours.
    Left to right on the page: 30, 2026, 6, 2 (each number itself left to
    right), read from the right as written."""
    details = "N'Djamena، تشاد · من 2 إلى 6 مارس 2026 · 30 ساعة"
    line = arabic.lay_out(details, REGULAR, rtl=True)
    numbers = [piece.text for piece in line.pieces if piece.text.isdigit()]
    assert numbers == ["30", "2026", "6", "2"]
    assert line.pieces[-1].text == "N'Djamena" and line.pieces[-1].font == REGULAR


def test_a_french_certificate_prints_the_arabic_name_under_the_latin_one():
    data = sample_certificate(3, holder_name_ar="عائشة مايغا تراوري")
    text = text_of(render_certificate(data))
    assert data.holder_name in text and "عائشة مايغا تراوري" in text
    assert text.index(data.holder_name) < text.index("عائشة")  # read first, printed above
    assert "Certificat de réussite".upper() in text


def test_a_very_long_arabic_name_stays_on_one_page():
    name = "محمد ولد الشيخ أحمد ولد سيدي محمد ولد عبد الله " * 40
    pdf = render_certificate(sample_arabic_certificate(1, holder_name_ar=name))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "الشيخ" in text_of(pdf)


def test_markup_in_an_arabic_name_prints_literally():
    name = '<font color="red">عائشة</font>'
    text = text_of(render_certificate(sample_arabic_certificate(1, holder_name_ar=name)))
    assert "font color" in text and "عائشة" in text


def test_latin_certificates_never_go_through_the_shaper():
    arabic.shape.cache_clear()
    arabic.lay_out_spans.cache_clear()
    render_certificates([sample_certificate(index) for index in range(1, 4)])
    render_certificate(sample_certificate(4, language="en"))
    assert arabic.shape.cache_info().misses == 0
    assert arabic.lay_out_spans.cache_info().misses == 0


def test_many_arabic_certificates_in_one_print_file():
    batch = [sample_arabic_certificate(index) for index in range(1, 6)]
    reader = PdfReader(io.BytesIO(render_certificates(batch)))
    assert len(reader.pages) == 5
    for page, data in zip(reader.pages, batch, strict=True):
        first_words = " ".join(data.holder_name_ar.split()[:2])
        assert first_words in page.extract_text() and data.serial in page.extract_text()


def test_a_line_drawn_again_in_a_document_is_written_as_the_first_time():
    """The second page's lines come from the per-document cache of text
    operators (arabic.draw_spans): its content is the first page's."""
    data = sample_arabic_certificate(3)
    reader = PdfReader(io.BytesIO(render_certificates([data, data])))
    first, second = (page.get_contents().get_data() for page in reader.pages)
    assert first == second
