"""A session with a trainer and confirmed participants, for the attendance tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from tests import factories
from training.auth.models import User
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Sex
from training.sessions.models import TrainingSession

START = date(2026, 3, 2)  # a three-day session: 2, 3 and 4 March 2026


@dataclass
class Workshop:
    training_session: TrainingSession
    trainer_user: User
    enrollments: list[Enrollment]  # confirmed, in family-name order
    nominated: Enrollment

    @property
    def id(self) -> int:
        return self.training_session.id


@pytest.fixture
def workshop(app) -> Workshop:
    training_session = factories.make_session(start_date=START, code="NE-2026-CT-01")
    trainer_user = factories.make_user("trainer")
    factories.assign(trainer_user.trainer, training_session)
    people = [
        ("Ousmane", "Zongo", Sex.MALE),
        ("Aïcha", "Traoré", Sex.FEMALE),
        ("François", "Ba", Sex.MALE),
    ]
    enrollments = [
        factories.enroll(
            factories.make_participant(given_name=given, family_name=family, sex=sex),
            training_session,
        )
        for given, family, sex in people
    ]
    nominated = factories.enroll(
        factories.make_participant(family_name="Nominé"),
        training_session,
        status=EnrollmentStatus.NOMINATED,
    )
    db.session.commit()
    enrollments.sort(key=lambda enrollment: enrollment.participant.family_name)
    return Workshop(training_session, trainer_user, enrollments, nominated)
