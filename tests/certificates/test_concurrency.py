"""Two coordinators issuing at the same moment: serials are never drawn
twice and an enrollment never gets two current certificates. Threads meet
at a barrier, then each issues in its own application context, database
session and transaction (SQLite: immediate transactions; PostgreSQL: the
counter row's lock and the unique constraints)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from tests import factories
from tests.certificates.conftest import completed_session, graduate
from training.auth.models import User
from training.certificates import services
from training.certificates.models import Certificate, CertificateSerialCounter
from training.enrollment.models import Enrollment
from training.extensions import db
from training.sessions.models import TrainingSession

# Threads or the CLI use connections of their own: real commits.
pytestmark = pytest.mark.committed


def concurrently(app, work: Callable[[int], object], count: int = 2) -> list[object]:
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                results[index] = work(index)
                db.session.commit()
            except BaseException as error:  # surfaced to the test below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def commit_and_release() -> None:
    """Commit the test's data and touch nothing afterwards: on SQLite the
    next read would open a transaction holding the write lock."""
    db.session.commit()
    db.session.close()


def serial_numbers() -> list[int]:
    serials = db.session.scalars(sa.select(Certificate.serial)).all()
    return sorted(int(serial.rsplit("-", 1)[1]) for serial in serials)


def test_two_coordinators_issue_the_same_session_at_once(app):
    training_session = completed_session()
    for _ in range(4):
        graduate(training_session)
    coordinators = [factories.make_user("coordinator") for _ in range(2)]
    session_id, coordinator_ids = training_session.id, [c.id for c in coordinators]
    commit_and_release()

    def issue(index: int) -> int:
        result = services.issue_all_eligible(
            db.session.get(TrainingSession, session_id),
            db.session.get(User, coordinator_ids[index]),
        )
        return len(result.issued)

    issued = concurrently(app, issue)
    db.session.expire_all()
    assert sorted(issued) == [0, 4]
    assert serial_numbers() == [1, 2, 3, 4]
    per_enrollment = db.session.execute(
        sa.select(Certificate.enrollment_id, sa.func.count()).group_by(Certificate.enrollment_id)
    ).all()
    assert len(per_enrollment) == 4 and {n for _, n in per_enrollment} == {1}


def test_two_coordinators_issue_different_sessions_at_once(app):
    sessions = [completed_session() for _ in range(2)]
    for training_session in sessions:
        for _ in range(3):
            graduate(training_session)
    coordinators = [factories.make_user("coordinator") for _ in range(2)]
    ids = [(s.id, c.id) for s, c in zip(sessions, coordinators, strict=True)]
    commit_and_release()

    def issue(index: int) -> int:
        session_id, coordinator_id = ids[index]
        return len(
            services.issue_all_eligible(
                db.session.get(TrainingSession, session_id), db.session.get(User, coordinator_id)
            ).issued
        )

    assert concurrently(app, issue) == [3, 3]
    db.session.expire_all()
    assert serial_numbers() == [1, 2, 3, 4, 5, 6]
    counter = db.session.get(CertificateSerialCounter, datetime.now(UTC).year)
    assert counter.last_number == 6


def test_issuing_one_enrollment_twice_at_once_gives_one_certificate(app):
    enrollment = graduate(completed_session())
    coordinators = [factories.make_user("coordinator") for _ in range(2)]
    enrollment_id, coordinator_ids = enrollment.id, [c.id for c in coordinators]
    commit_and_release()

    def issue(index: int) -> str:
        return services.issue_certificate(
            db.session.get(Enrollment, enrollment_id), db.session.get(User, coordinator_ids[index])
        ).serial

    serials = concurrently(app, issue)
    db.session.expire_all()
    assert serials[0] == serials[1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 1
    assert serial_numbers() == [1]


def test_concurrent_serial_draws_never_repeat(app):
    def draw(index: int) -> list[str]:
        return [s for _ in range(5) for s in services.allocate_serials(2030)]

    results = concurrently(app, draw, count=4)
    drawn = [serial for batch in results for serial in batch]
    assert len(drawn) == len(set(drawn)) == 20
    assert sorted(drawn) == [f"ATL-2030-{n:06d}" for n in range(1, 21)]
