"""Convocation letters of sessions held in Arabic, and names in Arabic
script in every letter."""

from __future__ import annotations

from tests import factories
from tests.enrollment.test_convocation import text_of, url
from training.enrollment.convocation import convocation_data
from training.extensions import db
from training.models import SessionLanguage


def test_a_session_held_in_arabic_writes_its_letters_in_arabic(app):
    curriculum = factories.make_curriculum(title_ar="التحقيق في قضايا الإرهاب")
    training_session = factories.make_session(
        curriculum, language=SessionLanguage.ARABIC, country="TD", city="N'Djamena"
    )
    participant = factories.make_participant(
        given_name="Mahamat", family_name="Idriss", name_ar="محمد إدريس", nationality="TD"
    )
    enrollment = factories.enroll(participant, training_session)
    data = convocation_data(enrollment)
    assert data.language == "ar"
    assert data.course_title == "التحقيق في قضايا الإرهاب"
    assert data.country == "تشاد" and data.participant_nationality == "تشاد"
    assert data.participant_name_ar == "محمد إدريس"
    # The organisers in Arabic, from the Arabic catalog.
    assert all(name and not name.isascii() for name in data.organisers)


def test_a_participant_whose_account_speaks_french_gets_a_french_letter(client, login_as):
    user = factories.make_user("participant", locale="fr")
    user.participant.name_ar = "عائشة مايغا"
    training_session = factories.make_session(language=SessionLanguage.ARABIC, country="MR")
    enrollment = factories.enroll(user.participant, training_session)
    db.session.commit()
    login_as("coordinator")
    french = text_of(client.get(url(enrollment)).data)
    assert "LETTRE DE CONVOCATION" in french and "Nom en écriture arabe" in french
    assert "عائشة مايغا" in french
    arabic = text_of(client.get(url(enrollment, language="ar")).data)
    assert "رسالة دعوة" in arabic and "عائشة مايغا" in arabic


def test_without_an_arabic_title_the_letter_prints_the_french_one(app):
    curriculum = factories.make_curriculum(title_fr="Enquêtes financières", title_ar=None)
    training_session = factories.make_session(curriculum, language=SessionLanguage.ARABIC)
    enrollment = factories.enroll(training_session=training_session)
    assert convocation_data(enrollment).course_title == "Enquêtes financières"
