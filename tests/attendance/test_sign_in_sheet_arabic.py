"""The sign-in sheet of a session held in Arabic is in Arabic; ?lang=ar asks
for one; names in Arabic script print on every sheet."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from tests.attendance.test_views import DAY
from training.attendance.sheet_data import sheet_for, sheet_language
from training.extensions import db
from training.models import SessionLanguage


def _text(response) -> str:
    return "".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)


def test_a_session_held_in_arabic_prints_its_sheet_in_arabic(client, login_as, workshop):
    workshop.training_session.language = SessionLanguage.ARABIC
    workshop.training_session.curriculum.title_ar = "التحقيق في قضايا الإرهاب"
    workshop.enrollments[0].participant.name_ar = "فرانسوا با"
    db.session.commit()
    login_as(workshop.trainer_user)
    text = _text(client.get(f"/sessions/{workshop.id}/sign-in-sheet.pdf?date={DAY}"))
    for phrase in ("ورقة التوقيع على الحضور", "التحقيق في قضايا الإرهاب", "فرانسوا با", "النيجر"):
        assert phrase in text, phrase
    assert "BA François" in text and "TRAORÉ Aïcha" in text
    assert "NE-2026-CT-01 · 2026-03-02" in text


def test_arabic_can_be_asked_for_and_other_sheets_too(client, login_as, workshop):
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/sign-in-sheet.pdf"
    assert "ورقة التوقيع على الحضور" in _text(client.get(url, query_string={"lang": "ar"}))
    assert "Feuille d'émargement" in _text(client.get(url, query_string={"lang": "fr"}))
    assert client.get(url, query_string={"lang": "arabic"}).status_code == 400


def test_the_sheets_language_follows_the_session(app, workshop):
    training_session = workshop.training_session
    assert sheet_language(training_session, None) == "fr"
    training_session.language = SessionLanguage.ARABIC
    assert sheet_language(training_session, None) == "ar"
    assert sheet_language(training_session, "both") == "both"
    workshop.enrollments[1].participant.name_ar = "عائشة تراوري"
    sheet = sheet_for(training_session, training_session.days[:1], None)
    assert [person.name_ar for person in sheet.participants] == ["", "عائشة تراوري", ""]
    assert sheet.country == "النيجر"
