"""A training of trainers qualifies its graduates (DESIGN.md). No page could
record it (issue 10): the reports' "trainers qualified through trainings
of trainers" was non-zero only on generated data. Now the coordinator does
it from the session's certificates page."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests import factories
from training.extensions import db
from training.models import (
    CertificateKind,
    SessionKind,
    SessionStatus,
    Trainer,
    TrainerQualification,
)
from training.reports import projection, queries
from training.reports.queries import ReportFilters

START = date(2025, 6, 2)


def _training_of_trainers():
    curriculum = factories.make_curriculum(pass_mark_percent=60, code="CT-TOT-01")
    training_session = factories.make_session(
        curriculum,
        kind=SessionKind.TRAINING_OF_TRAINERS,
        start_date=START,
        status=SessionStatus.IN_PROGRESS,
    )
    graduate = factories.enroll(
        factories.make_participant(given_name="Hawa", family_name="Sangaré"),
        training_session,
        post_test_score=85,
    )
    below = factories.enroll(training_session=training_session, post_test_score=40)
    for enrollment in (graduate, below):
        factories.mark_all(enrollment)
    training_session.status = SessionStatus.COMPLETED
    db.session.commit()
    return training_session, graduate, below


def test_a_coordinator_qualifies_the_graduates_from_the_certificates_page(client, login_as):
    training_session, graduate, below = _training_of_trainers()
    login_as("coordinator")
    assert client.post(f"/sessions/{training_session.id}/certificates/issue").status_code == 303
    kinds = {c.kind for e in (graduate, below) for c in e.certificates}
    assert kinds == {CertificateKind.TRAINER, CertificateKind.PARTICIPATION}

    page = client.get(f"/sessions/{training_session.id}/certificates").get_data(as_text=True)
    assert "Qualify the graduates as trainers" in page
    assert "1 holds a trainer certificate" in page

    response = client.post(
        f"/sessions/{training_session.id}/certificates/qualify-trainers",
        data={},
        follow_redirects=True,
    )
    assert "1 graduate is now qualified to deliver CT-TOT-01." in response.get_data(as_text=True)
    trainer = db.session.scalar(sa.select(Trainer).where(Trainer.name == "Hawa Sangaré"))
    assert trainer is not None and trainer.email == graduate.participant.email
    [qualification] = trainer.qualifications
    assert qualification.source_session_id == training_session.id
    assert qualification.qualified_on == training_session.end_date
    # The participant below the pass mark got a participation certificate only.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainerQualification)) == 1

    projection.catch_up()
    assert queries.headline(ReportFilters()).trainers_qualified == 1
    trainer_page = client.get(f"/trainers/{trainer.id}").get_data(as_text=True)
    assert "CT-TOT-01" in trainer_page

    page = client.get(f"/sessions/{training_session.id}/certificates").get_data(as_text=True)
    assert "1 trainer qualified through this session." in page
    assert "Qualify the graduates as trainers" not in page

    again = client.post(
        f"/sessions/{training_session.id}/certificates/qualify-trainers",
        data={},
        follow_redirects=True,
    )
    assert "already qualified" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainerQualification)) == 1


def test_an_ordinary_training_qualifies_no_one(client, login_as):
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    db.session.commit()
    login_as("coordinator")
    response = client.post(
        f"/sessions/{training_session.id}/certificates/qualify-trainers", data={}
    )
    assert response.status_code == 409
    assert "Only a training of trainers qualifies its graduates" in response.get_data(as_text=True)


def test_trainers_cannot_qualify_anyone(client, login_as):
    training_session, _graduate, _below = _training_of_trainers()
    login_as("trainer")
    response = client.post(
        f"/sessions/{training_session.id}/certificates/qualify-trainers", data={}
    )
    assert response.status_code == 403
