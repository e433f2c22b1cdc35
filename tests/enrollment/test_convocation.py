"""The convocation letter download: coordinators and administrators for any
confirmed participant, a participant for their own confirmed enrollment,
nobody else; offered on the enrollments page and on the participant's
trainings."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from tests import factories
from training.enrollment.convocation import convocation_data, convocation_reference
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.models import CurriculumOwner, SessionLanguage, SessionStatus


def url(enrollment, **args) -> str:
    query = "".join(f"?{key}={value}" for key, value in args.items())
    return f"/sessions/{enrollment.session_id}/enrollments/{enrollment.id}/convocation.pdf{query}"


def text_of(data: bytes) -> str:
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


@pytest.fixture
def owner(app):
    """A participant account and its confirmed enrollment."""
    user = factories.make_user("participant")
    enrollment = factories.enroll(user.participant, factories.make_session())
    db.session.commit()
    return user, enrollment


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_coordination_downloads_any_confirmed_participants_letter(client, login_as, owner, role):
    _user, enrollment = owner
    login_as(role)
    response = client.get(url(enrollment))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment;" in response.headers["Content-Disposition"]
    assert (
        f"convocation-{enrollment.training_session.code}-"
        in response.headers["Content-Disposition"]
    )
    text = text_of(response.data)
    assert enrollment.participant.full_name in text
    assert enrollment.training_session.code in text


def test_a_participant_downloads_their_own_letter(client, login_as, owner):
    user, enrollment = owner
    login_as(user)
    response = client.get(url(enrollment))
    assert response.status_code == 200
    assert user.participant.full_name in text_of(response.data)


def test_a_participant_cannot_download_anothers_letter(client, login_as, owner):
    _user, enrollment = owner
    login_as("participant")
    assert client.get(url(enrollment)).status_code == 403


def test_a_participant_account_without_a_record_cannot_download(client, login_as, owner):
    _user, enrollment = owner
    login_as("participant", participant=None)
    assert client.get(url(enrollment)).status_code == 403


def test_a_trainer_cannot_download_even_for_their_own_session(client, login_as, owner):
    _user, enrollment = owner
    trainer = login_as("trainer")
    factories.assign(trainer.trainer, enrollment.training_session)
    db.session.commit()
    assert client.get(url(enrollment)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, owner):
    _user, enrollment = owner
    response = client.get(url(enrollment))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(
    "status", [EnrollmentStatus.NOMINATED, EnrollmentStatus.WAITLISTED, EnrollmentStatus.WITHDRAWN]
)
def test_there_is_no_letter_without_a_confirmed_place(client, login_as, owner, status):
    user, enrollment = owner
    enrollment.status = status
    enrollment.waitlist_position = 1 if status == EnrollmentStatus.WAITLISTED else None
    db.session.commit()
    login_as("coordinator")
    assert client.get(url(enrollment)).status_code == 404
    login_as(user)
    assert client.get(url(enrollment)).status_code == 404


def test_there_is_no_letter_for_a_cancelled_session(client, login_as, owner):
    _user, enrollment = owner
    enrollment.training_session.status = SessionStatus.CANCELLED
    db.session.commit()
    login_as("coordinator")
    assert client.get(url(enrollment)).status_code == 404


def test_an_enrollment_under_another_session_is_a_404(client, login_as, owner):
    _user, enrollment = owner
    other = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    response = client.get(f"/sessions/{other.id}/enrollments/{enrollment.id}/convocation.pdf")
    assert response.status_code == 404
    assert client.get(f"/sessions/{other.id}/enrollments/999999/convocation.pdf").status_code == 404


def test_the_letter_speaks_the_participants_language_unless_asked_otherwise(
    client, login_as, owner
):
    user, enrollment = owner
    user.locale = "en"
    db.session.commit()
    login_as("coordinator")
    assert "LETTER OF INVITATION" in text_of(client.get(url(enrollment)).data)
    assert "LETTRE DE CONVOCATION" in text_of(client.get(url(enrollment, language="fr")).data)
    # An unknown language falls back to the participant's.
    assert "LETTER OF INVITATION" in text_of(client.get(url(enrollment, language="xx")).data)


def test_the_enrollments_page_offers_the_letter_for_confirmed_participants_only(client, login_as):
    training_session = factories.make_session()
    confirmed = factories.enroll(training_session=training_session)
    nominated = factories.enroll(
        training_session=training_session, status=EnrollmentStatus.NOMINATED
    )
    db.session.commit()
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/enrollments").get_data(as_text=True)
    assert url(confirmed) in page
    assert url(nominated) not in page


@pytest.mark.parametrize("path", ["/", "/me"])
def test_the_participant_finds_their_letter_with_their_trainings(client, login_as, owner, path):
    user, enrollment = owner
    nominated = factories.enroll(
        user.participant, factories.make_session(), status=EnrollmentStatus.NOMINATED
    )
    db.session.commit()
    login_as(user)
    page = client.get(path).get_data(as_text=True)
    assert url(enrollment) in page
    assert url(nominated) not in page


# --- what the letter states ---------------------------------------------------


def test_the_letter_states_the_sessions_organisers_and_the_configured_signatory(app):
    partner = factories.make_organisation(name="Collège de défense du G5 Sahel", acronym="CDG5S")
    curriculum = factories.make_curriculum(owner=CurriculumOwner.UNODC)
    training_session = factories.make_session(
        curriculum, partners=[partner], language=SessionLanguage.ENGLISH
    )
    enrollment = factories.enroll(training_session=training_session)
    config = {
        **app.config,
        "ATELIER_SIGNATORY_1_NAME": "Amina Diallo",
        "ATELIER_SIGNATORY_1_TITLE": "Programme Coordinator",
        "ATELIER_PROGRAMME_NAME": "Sahel Programme",
        "ATELIER_LETTER_PLACE": "Niamey",
    }
    data = convocation_data(enrollment, today=date(2026, 2, 1), config=config)
    assert data.language == "en"
    assert data.organisers == (
        "United Nations Office on Drugs and Crime (UNODC)",
        "Collège de défense du G5 Sahel (CDG5S)",
    )
    assert data.organiser_short_names == ("UNODC", "CDG5S")
    assert (data.signatory.name, data.signatory.title) == ("Amina Diallo", "Programme Coordinator")
    assert (data.programme_name, data.place, data.letter_date) == (
        "Sahel Programme",
        "Niamey",
        date(2026, 2, 1),
    )
    assert data.reference == convocation_reference(enrollment)
    assert data.reference == f"ATL/CONV/{training_session.code}/{enrollment.id:06d}"
    assert data.half_days == training_session.period_count
    assert data.total_hours == training_session.curriculum.total_hours


def test_a_joint_curriculum_names_both_un_organisers_in_french(app):
    enrollment = factories.enroll()  # a joint curriculum, a French session
    data = convocation_data(enrollment)
    assert data.language == "fr"
    assert data.organisers == (
        "Office des Nations Unies contre la drogue et le crime (ONUDC)",
        "Département des opérations de paix des Nations Unies (DOP)",
    )
    assert data.programme_name == "Programme conjoint de formation ONUDC–DOP"
    assert data.participant_nationality == "Mali"
