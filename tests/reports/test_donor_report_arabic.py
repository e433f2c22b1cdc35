"""The donor report in Arabic: asked for with ?language=ar, written from the
Arabic catalog, right to left (training/pdf/donor_report.py)."""

from __future__ import annotations

import io

from pypdf import PdfReader


def _text(response) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_the_donor_report_in_arabic(client, login_as, programme):
    login_as("coordinator", locale="fr")
    page = client.get("/reports").get_data(as_text=True)
    assert 'language=ar" hreflang="ar"' in page
    response = client.get("/reports/donor-report.pdf", query_string={"language": "ar"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response)
    for phrase in ("نتائج البرنامج", "الأرقام الرئيسية", "الرسوم البيانية", "التعاريف", "النساء"):
        assert phrase in text, phrase
    assert "Résultats du programme" not in text


def test_the_other_languages_can_be_asked_for_too(client, login_as, programme):
    login_as("coordinator", locale="fr")
    english = client.get("/reports/donor-report.pdf", query_string={"language": "en"})
    assert "Programme results" in _text(english)
    assert client.get("/reports/donor-report.pdf?language=de").status_code == 400
