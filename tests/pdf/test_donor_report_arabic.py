"""The donor report in Arabic, drawn right to left: paragraphs and tables
mirrored, the charts' words shaped where the charts draw them."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.pdf.test_donor_report import _report
from training.pdf import donor_report
from training.pdf.donor_report import ChartData, TableData, render_donor_report


def arabic_report(**changes):
    values = dict(
        language="ar",
        title="نتائج البرنامج",
        subtitle="البرنامج التدريبي المشترك بين مكتب الأمم المتحدة المعني بالمخدرات والجريمة "
        "وإدارة عمليات السلام: مجموعة الساحل الخماسية وبعثة الأمم المتحدة في مالي",
        generated_label="أُنشئ في 26 نوفمبر 2026",
        filters_title="عوامل التصفية المستخدمة",
        filter_label="عامل التصفية",
        figure_label="المؤشر",
        value_label="القيمة",
        filters=(("بلد الدورة", "النيجر"), ("الشريك", "EUCAP Sahel Niger")),
        cover_filters=("عوامل التصفية: بلد الدورة: النيجر",),
        headline_title="الأرقام الرئيسية",
        headline=(("الأشخاص المدرَّبون", "1,234"), ("نسبة النساء", "23.5%")),
        tables=(
            TableData(
                "الأشخاص المدرَّبون حسب الجنسية والجنس",
                ("الجنسية", "النساء", "الرجال", "المجموع"),
                (("النيجر", "12", "30", "42"), ("مالي", "8", "19", "27")),
            ),
        ),
        charts=(
            ChartData(
                "الأشخاص المدرَّبون حسب السنة",
                ("2024", "2025"),
                (("النساء", (10, 14)), ("الرجال", (30, 41))),
                "الأشخاص المدرَّبون",
            ),
            ChartData(
                "اكتساب المعارف حسب الموضوع",
                ("مكافحة الإرهاب", "الاتجار بالأشخاص وتهريب المهاجرين"),
                (("متوسط الاكتساب", (12.5, -3.0)),),
                "نقاط مئوية",
            ),
        ),
        charts_title="الرسوم البيانية",
        no_data="لا توجد بيانات وفق عوامل التصفية هذه.",
        definitions_title="التعاريف",
        definitions=("الأشخاص المدرَّبون: المشاركون المتمايزون.",),
        page_label="الصفحة",
    )
    values.update(changes)
    return _report(**values)


def test_an_arabic_report_reads_back_in_arabic():
    text = "\n".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(render_donor_report(arabic_report()))).pages
    )
    for phrase in (
        "نتائج البرنامج",
        "الأرقام الرئيسية",
        "نسبة النساء",
        "عوامل التصفية المستخدمة",
        "الجنسية",
        "الرسوم البيانية",
        "مكافحة الإرهاب",  # a chart's category
        "الرجال",  # a series of the first chart, in its legend
        "التعاريف",
        "المشاركون المتمايزون",
    ):
        assert phrase in text, phrase
    assert "EUCAP Sahel Niger" in text


def test_the_charts_words_are_drawn_shaped():
    chart = arabic_report().charts[1]
    drawing = donor_report._chart(chart, 450, "—", ".", rtl=True)
    shaped = []

    def walk(node):
        if isinstance(node, donor_report._ShapedString):
            shaped.append(node.string.text)
        for child in getattr(node, "contents", ()):
            walk(child)

    walk(drawing)
    assert "اكتساب المعارف حسب الموضوع" in shaped and "نقاط مئوية" in shaped
    assert "مكافحة الإرهاب" in shaped


def test_a_french_report_is_left_as_it_was():
    drawing = donor_report._chart(_report().charts[0], 450, "—")
    assert not any(isinstance(node, donor_report._ShapedString) for node in drawing.contents)
