"""Certificates and Arabic: the holder's name in Arabic script frozen at
issue and printed beside the Latin one; certificates of sessions held in
Arabic, in Arabic and French (Chad, Mauritania...) or Arabic and English."""

from __future__ import annotations

import pytest

from tests import factories
from tests.certificates.conftest import completed_session, graduate
from tests.certificates.test_services import pdf_text
from training.certificates import services, statements
from training.extensions import db
from training.models import SessionLanguage

TITLE_AR = "التحقيق في قضايا الإرهاب"


def _has_words(text: str, *words: str) -> bool:
    """Each word is in the PDF's text, its letters in reading order as pypdf
    gives them back (pypdf may glue two lines together: no split on spaces)."""
    return all(word in text for word in words)


def test_the_arabic_name_is_frozen_and_printed_beside_the_latin_one(app):
    participant = factories.make_participant(
        given_name="Mahamat", family_name="Idriss", name_ar="محمد إدريس"
    )
    enrollment = graduate(completed_session(), participant=participant)
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    assert certificate.holder_name_ar == "محمد إدريس"
    text = pdf_text(certificate.pdf)
    assert "Mahamat Idriss" in text
    assert _has_words(text, "محمد إدريس")
    assert "Certificat de réussite".upper() in text  # a French certificate still

    participant.name_ar = "محمد إدريس ديبي"
    db.session.flush()
    again = services.issue_certificate(enrollment, coordinator)
    assert again.id == certificate.id and again.holder_name_ar == "محمد إدريس"
    assert "ديبي" not in pdf_text(again.pdf)


def test_a_certificate_issued_before_the_arabic_name_keeps_its_bytes(app):
    participant = factories.make_participant(given_name="Awa", family_name="Diallo")
    enrollment = graduate(completed_session(), participant=participant)
    coordinator = factories.make_user("coordinator")
    certificate = services.issue_certificate(enrollment, coordinator)
    pdf = certificate.pdf
    participant.name_ar = "عوا ديالو"
    db.session.flush()
    again = services.issue_certificate(enrollment, coordinator)
    assert again.pdf == pdf and again.holder_name_ar is None


@pytest.mark.parametrize(
    ("country", "second", "absent"),
    [
        ("TD", "Certificat de réussite", "Certificate of Completion"),
        ("MR", "Certificat de réussite", "Certificate of Completion"),
        ("JO", "Certificate of Completion", "Certificat de réussite"),
    ],
)
def test_a_session_held_in_arabic_prints_arabic_and_its_second_language(
    app, country, second, absent
):
    curriculum = factories.make_curriculum(title_ar=TITLE_AR)
    training_session = completed_session(
        curriculum=curriculum, language=SessionLanguage.ARABIC, country=country, city="Ville"
    )
    participant = factories.make_participant(name_ar="فاطمة بنت أحمد")
    enrollment = graduate(training_session, participant=participant)
    certificate = services.issue_certificate(enrollment, factories.make_user("coordinator"))
    assert certificate.language == "ar" and certificate.course_title_ar == TITLE_AR
    text = pdf_text(certificate.pdf)
    assert _has_words(text, "شهادة إتمام", TITLE_AR, "فاطمة بنت أحمد")
    assert second in text and absent not in text
    assert certificate.serial in text
    claims = statements.certificate_claims(certificate, curriculum.code)
    assert claims.course_title == TITLE_AR


def test_without_an_arabic_title_the_second_languages_title_prints(app):
    curriculum = factories.make_curriculum(title_fr="Enquêtes financières", title_en="Tracing")
    training_session = completed_session(
        curriculum=curriculum, language=SessionLanguage.ARABIC, country="TD"
    )
    enrollment = graduate(training_session)
    certificate = services.issue_certificate(enrollment, factories.make_user("coordinator"))
    assert certificate.course_title_ar is None
    assert "Enquêtes financières" in pdf_text(certificate.pdf)
    assert statements.certificate_course_title(certificate) == "Enquêtes financières"


def test_the_second_language_follows_the_country():
    assert [statements.second_language(code) for code in ("TD", "MR", "ML", "ma")] == ["fr"] * 4
    assert [statements.second_language(code) for code in ("JO", "SD", "EG", None)] == ["en"] * 4
