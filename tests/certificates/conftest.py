"""Helpers for certificate tests: a completed session and its people."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from tests import factories
from training.auth.models import User
from training.enrollment.models import Enrollment
from training.extensions import db
from training.models import AttendanceStatus, Period, SessionStatus
from training.sessions.models import TrainingSession


def completed_session(**attributes) -> TrainingSession:
    values = {"status": SessionStatus.COMPLETED, "start_date": date(2026, 3, 2)}
    values.update(attributes)
    return factories.make_session(**values)


def attend(enrollment: Enrollment, periods: int | None = None) -> Enrollment:
    """Mark the first `periods` periods present (all when None)."""
    slots = [(day, period) for day in enrollment.training_session.days for period in Period]
    for day, period in slots[: len(slots) if periods is None else periods]:
        factories.mark(enrollment, day, period, AttendanceStatus.PRESENT)
    return enrollment


def graduate(training_session: TrainingSession, score: int | None = 80, **attributes) -> Enrollment:
    """A confirmed participant who attended everything, with a post-test."""
    enrollment = factories.enroll(
        training_session=training_session, post_test_score=score, **attributes
    )
    return attend(enrollment)


@dataclass
class World:
    """A completed session with the participant user's certificate-worthy
    enrollment, another participant user, the session's trainer, and staff."""

    training_session: TrainingSession
    owner: User
    other_participant: User
    trainer: User
    coordinator: User
    admin: User
    enrollment: Enrollment
    users: dict[str, User] = field(default_factory=dict)


@pytest.fixture
def world(app) -> World:
    training_session = completed_session()
    owner = factories.make_user("participant")
    other = factories.make_user("participant")
    trainer = factories.make_user("trainer")
    factories.assign(trainer.trainer, training_session)
    coordinator = factories.make_user("coordinator")
    admin = factories.make_user("admin")
    enrollment = graduate(training_session, participant=owner.participant)
    graduate(training_session, participant=other.participant)
    db.session.commit()
    built = World(training_session, owner, other, trainer, coordinator, admin, enrollment)
    built.users = {
        "admin": admin,
        "coordinator": coordinator,
        "trainer": trainer,
        "participant": owner,
        "other_participant": other,
    }
    return built


@pytest.fixture(autouse=True)
def _fresh_verification_documents():
    """The trust list and status list are kept per process: start each test
    without those of the one before."""
    from training.certificates import trust

    trust.forget_documents()
    yield
    trust.forget_documents()
