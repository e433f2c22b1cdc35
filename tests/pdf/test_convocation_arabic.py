"""The convocation letter in Arabic (right to left, blocks in mirror order),
and names in Arabic script in letters of every language."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from training.pdf import arabic
from training.pdf.certificate import Signatory
from training.pdf.convocation import render_convocation, render_convocations, sample_convocation


def arabic_convocation(**changes):
    values = {
        "language": "ar",
        "place": "داكار",
        "programme_name": "البرنامج المشترك بين مكتب الأمم المتحدة المعني بالمخدرات والجريمة "
        "وإدارة عمليات السلام لدعم القوة المشتركة لمجموعة الساحل الخماسية",
        "participant_name": "Mahamat Idriss",
        "participant_name_ar": "محمد إدريس",
        "participant_sex": "M",
        "participant_rank": "Commissaire de police",
        "participant_organisation": "Police nationale du Tchad",
        "participant_nationality": "تشاد",
        "course_title": "التحقيق في قضايا الإرهاب والملاحقة القضائية بشأنها",
        "session_code": "TD-2026-004",
        "session_kind": "تدريب",
        "city": "N'Djamena",
        "country": "تشاد",
        "session_language": "ar",
        "organisers": (
            "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
            "إدارة عمليات السلام التابعة للأمم المتحدة",
        ),
        "organiser_short_names": (
            "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
            "إدارة عمليات السلام",
        ),
        "signatory": Signatory(
            "Amina Diallo",
            "Programme Coordinator, UNODC Regional Office, Dakar",
            title_ar="منسقة البرنامج، المكتب الإقليمي لمكتب الأمم المتحدة المعني بالمخدرات "
            "والجريمة، داكار",
        ),
    }
    values.update(changes)
    return sample_convocation(**values)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_an_arabic_letter_speaks_arabic():
    pdf = render_convocation(arabic_convocation())
    assert len(PdfReader(BytesIO(pdf)).pages) == 1
    text = text_of(pdf)
    for phrase in (
        "رسالة دعوة",
        "الموضوع:",
        "إلى السلطات المختصة",
        "تحية طيبة وبعد",
        "بصفة مشارك",  # a man: مشارك
        "الاسم الكامل",
        "محمد إدريس",
        "الاسم بالحروف اللاتينية",
        "مرجع الدورة",
        "لغة العمل",
        "العربية",
        "الجهات المنظمة",
        "إجراءات سفر المعني",
        "وتفضلوا بقبول فائق الاحترام والتقدير",
        "عن الجهات المنظمة",
        "منسقة البرنامج",
        "أيام",
        "ساعة",
    ):
        assert phrase in text, phrase
    for latin in ("Mahamat Idriss", "Police nationale du Tchad", "TD-2026-004", "Amina Diallo"):
        assert latin in text, latin


def test_an_arabic_letter_agrees_with_a_woman():
    text = text_of(render_convocation(arabic_convocation(participant_sex="F")))
    assert "بصفة مشاركة" in text and "إجراءات سفر المعنية" in text and "المشاركة" in text


def test_the_dates_read_right_to_left():
    """ "من 2 إلى 6 مارس 2026 (5 أيام)": left to right on the page 5, 2026,
    6, 2, read from the right as written."""
    line = arabic.lay_out("من 2 إلى 6 مارس 2026 (5 أيام)", "AtelierSans", rtl=True)
    assert [piece.text for piece in line.pieces if piece.text.isdigit()] == ["5", "2026", "6", "2"]


def test_a_french_letter_names_the_participant_in_arabic_script_too():
    text = text_of(render_convocation(sample_convocation(participant_name_ar="عائشة مايغا")))
    assert "Nom en écriture arabe" in text and "عائشة مايغا" in text


def test_letters_of_several_languages_print_together():
    pdf = render_convocations(
        [sample_convocation(), arabic_convocation(), sample_convocation(language="en")]
    )
    pages = [page.extract_text() for page in PdfReader(BytesIO(pdf)).pages]
    assert len(pages) == 3
    assert "LETTRE DE CONVOCATION" in pages[0]
    assert "رسالة دعوة" in pages[1]
    assert "LETTER OF INVITATION" in pages[2]


def test_markup_in_an_arabic_letter_prints_literally():
    text = text_of(render_convocation(arabic_convocation(participant_name_ar="<b>محمد</b>")))
    assert "<b>" in text and "محمد" in text
