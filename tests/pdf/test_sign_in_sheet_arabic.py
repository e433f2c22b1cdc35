"""The sign-in sheet in Arabic (right to left, columns in mirror order) and
names in Arabic script on every sheet, read back with pypdf."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from io import BytesIO

from pypdf import PdfReader

from tests.pdf.test_sign_in_sheet import make_sheet
from training.pdf.sign_in_sheet import SheetParticipant, SignInSheet, render_sign_in_sheet

MONDAY = date(2026, 11, 23)


def arabic_sheet(participants: int = 4, days: int = 2, **overrides) -> SignInSheet:
    """A session held in Arabic in N'Djamena, its participants with their
    names in Arabic script (one without)."""
    people = [
        SheetParticipant(
            "Mahamat", "Idriss", "PN — Police nationale (Tchad)", "Commissaire", "محمد إدريس"
        ),
        SheetParticipant(
            "Ould Cheikh Ahmed",
            "Mohamed",
            "Gendarmerie nationale (Mauritanie)",
            "Capitaine",
            "محمد ولد الشيخ أحمد",
        ),
        SheetParticipant(
            "Mint Sidi", "Mariem", "Douanes (Mauritanie)", "Inspectrice", "مريم بنت سيدي"
        ),
        SheetParticipant("Diallo", "Awa", "Ministère de la Justice (Tchad)", "Magistrate"),
    ]
    others = (
        ("Abakar", "Hassan", "حسن أبكر"),
        ("Ousmane", "Halimé", "حليمة عثمان"),
        ("Ould Boubacar", "Sidi", "سيدي ولد بوبكر"),
        ("Yacoub", "Zeinab", "زينب يعقوب"),
    )
    roster = tuple(
        people[index]
        if index < len(people)
        else SheetParticipant(
            others[index % 4][0],
            others[index % 4][1],
            "Police nationale (Tchad)",
            "Agent",
            others[index % 4][2],
        )
        for index in range(participants)
    )
    values = {
        "code": "TD-2026-CT-02",
        "title_fr": "Enquêtes sur les affaires de terrorisme",
        "title_en": "Investigating terrorism cases",
        "title_ar": "التحقيق في قضايا الإرهاب",
        "language": "ar",
        "start_date": MONDAY,
        "end_date": MONDAY + timedelta(days=days - 1),
        "city": "N'Djamena",
        "country": "تشاد",
        "venue": "École nationale de police",
        "trainers": ("Amina Diallo", "Ahmat Saleh"),
        "days": tuple(MONDAY + timedelta(days=offset) for offset in range(days)),
        "participants": roster,
        "organiser": "مكتب الأمم المتحدة المعني بالمخدرات والجريمة – إدارة عمليات السلام",
    }
    values.update(overrides)
    return SignInSheet(**values)


def pages(sheet: SignInSheet) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(render_sign_in_sheet(sheet))).pages]


def test_an_arabic_sheet_speaks_arabic():
    text = pages(arabic_sheet())[0]
    for phrase in (
        "ورقة التوقيع على الحضور",
        "الاثنين",  # the day in full: Monday 23 November 2026
        "نوفمبر",
        "التحقيق في قضايا الإرهاب",
        "الاسم واللقب",
        "الجهة",
        "الرتبة",
        "الفترة الصباحية",
        "الفترة المسائية",
        "المتأخرون",
        "الصفحة",
        "مكتب الأمم المتحدة المعني بالمخدرات والجريمة",
        "تشاد",
    ):
        assert phrase in text, phrase
    # The French title, the codes and the Latin names as typed.
    for latin in ("Enquêtes sur les affaires de terrorisme", "TD-2026-CT-02", "MAHAMAT Idriss"):
        assert latin in text, latin
    assert "Feuille d'émargement" not in text


def test_each_name_in_arabic_script_is_printed_with_the_latin_one():
    text = pages(arabic_sheet())[0]
    for name_ar in ("محمد إدريس", "محمد ولد الشيخ أحمد", "مريم بنت سيدي"):
        assert name_ar in text
    assert "DIALLO Awa" in text  # a name without its Arabic spelling


def test_a_french_sheet_prints_arabic_names_under_the_latin_ones():
    people = (
        SheetParticipant("Mahamat", "Idriss", "Police", "Commissaire", "محمد إدريس"),
        SheetParticipant("Traoré", "Aïcha", "Police", "Lieutenant"),
    )
    text = pages(replace(make_sheet(), participants=people))[0]
    assert "Feuille d'émargement" in text
    assert "MAHAMAT Idriss" in text and "محمد إدريس" in text
    assert text.index("MAHAMAT Idriss") < text.index("محمد إدريس")
    assert "TRAORÉ Aïcha" in text


def test_an_arabic_sheet_is_one_sheet_per_day_and_keeps_long_rosters_in_their_pages():
    sheet = arabic_sheet(participants=40, days=3)
    texts = pages(sheet)
    assert len(texts) % 3 == 0 and len(texts) >= 6  # as many pages each day
    assert all("TD-2026-CT-02 · 2026-11-2" in text for text in texts)
    assert sum(text.count("حسن أبكر") for text in texts) == 9 * 3


def test_an_arabic_name_like_markup_prints_literally():
    person = SheetParticipant("Ba", "Zoé", "Police", "Agent", '<font color="red">زهرة</font>')
    text = pages(replace(arabic_sheet(days=1), participants=(person,)))[0]
    assert "font color" in text and "زهرة" in text


def test_a_very_long_arabic_name_stays_in_its_cell():
    person = SheetParticipant("Ba", "Zoé", "Police", "Agent", "محمد ولد الشيخ " * 150)
    assert len(pages(replace(arabic_sheet(days=1), participants=(person,)))) == 1
