"""Enrollment messages agree with the participant's sex in French."""

from __future__ import annotations

from tests import factories
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.people.models import Sex


def _confirm(client, login_as, sex):
    training_session = factories.make_session()
    participant = factories.make_participant(given_name="Awa", family_name="Diallo", sex=sex)
    enrollment = factories.enroll(participant, training_session, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    login_as("coordinator", locale="fr")
    return client.post(
        f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm",
        follow_redirects=True,
    ).text


def test_a_womans_confirmation_says_confirmee(client, login_as):
    assert "Awa Diallo est confirmée." in _confirm(client, login_as, Sex.FEMALE)


def test_a_mans_confirmation_says_confirme(client, login_as):
    page = _confirm(client, login_as, Sex.MALE)
    assert "Awa Diallo est confirmé." in page and "confirmée." not in page


def test_a_womans_nomination_and_withdrawal_agree(client, login_as):
    training_session = factories.make_session()
    participant = factories.make_participant(given_name="Fatou", family_name="Ba", sex=Sex.FEMALE)
    db.session.commit()
    login_as("coordinator", locale="fr")
    base = f"/sessions/{training_session.id}/enrollments"
    page = client.post(
        f"{base}/nominate", data={"participant_id": participant.id}, follow_redirects=True
    ).text
    assert "Fatou Ba est proposée." in page
    enrollment = participant.enrollments[0]
    page = client.post(f"{base}/{enrollment.id}/withdraw", follow_redirects=True).text
    assert "Fatou Ba est retirée de la session." in page
