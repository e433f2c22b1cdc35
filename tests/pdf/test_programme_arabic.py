"""The programme in Arabic: right to left, tables in mirror order, the
modules' Arabic titles (the French ones without them), read back with pypdf."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

from pypdf import PdfReader

from training.pdf import arabic
from training.pdf.programme import ProgrammeModule, render_programme, sample_programme

ARABIC_TITLES = (
    "الإطار القانوني الدولي والإقليمي",
    "مسرح الجريمة والأدلة المادية",
    "تمويل الإرهاب",
    "",  # no Arabic title: the French one prints
    "التعاون القضائي وحقوق الإنسان",
)


def arabic_programme(**changes):
    programme = sample_programme(
        language="ar",
        title_ar="التحقيق في قضايا الإرهاب والملاحقة القضائية بشأنها",
        country="النيجر",
        organiser="مكتب الأمم المتحدة المعني بالمخدرات والجريمة – إدارة عمليات السلام",
    )
    modules = tuple(
        replace(module, title_ar=title)
        for module, title in zip(programme.modules, ARABIC_TITLES, strict=True)
    )
    return replace(programme, modules=modules, **changes)


def pages(programme) -> list[str]:
    return [p.extract_text() for p in PdfReader(BytesIO(render_programme(programme))).pages]


def test_an_arabic_programme_speaks_arabic():
    text = "\n".join(pages(arabic_programme()))
    for phrase in (
        "البرنامج",
        "التحقيق في قضايا الإرهاب والملاحقة القضائية بشأنها",
        "الاستقبال وتسجيل المشاركين والافتتاح",
        "الاختبار القبلي",
        "استراحة قهوة",
        "غداء",
        "الوحدة",
        "الإطار القانوني الدولي والإقليمي",
        "تمويل الإرهاب",
        "تقييم الدورة التدريبية والاختتام",
        "أيام",
        "الصفحة",
    ):
        assert phrase in text, phrase
    # A module without an Arabic title keeps its French one; the French
    # title of the course under the Arabic one.
    assert "L’audition des suspects et des témoins" in text
    assert "Enquêtes et poursuites dans les affaires de terrorisme" in text
    assert "Programme" not in text.replace("NE-2026-003", "")


def test_times_read_left_to_right_in_their_column():
    line = arabic.lay_out("09:00 – 10:30", "AtelierSans", rtl=True)
    assert [piece.text for piece in line.pieces if piece.text.strip(" –")] == ["10:30", "09:00"]


def test_a_module_title_like_markup_prints_literally():
    programme = arabic_programme()
    module = ProgrammeModule("Évaluation", "Evaluation", 60, title_ar="<b>تقييم</b>")
    text = "\n".join(pages(replace(programme, modules=(module,))))
    assert "<b>" in text and "تقييم" in text
