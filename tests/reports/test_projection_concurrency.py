"""Two coordinators changing the same completed session at the same moment:
both changes land and the reports' rows stay equal to a rebuild. Runs on
SQLite and on PostgreSQL (TEST_DATABASE_URL), where rewriting a session's
rows from two transactions at once needs the session's row lock."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from tests import factories
from training.enrollment.models import Enrollment
from training.extensions import db
from training.reports import projection
from training.sessions.models import SessionStatus, TrainingSession
from training.sessions.services import lock_session

# Threads or the CLI use connections of their own: real commits.
pytestmark = pytest.mark.committed


def test_two_transactions_rewriting_one_sessions_rows_both_succeed(app):
    training_session = factories.make_session(
        start_date=date(2025, 3, 3), status=SessionStatus.COMPLETED
    )
    first, second = (factories.enroll(training_session=training_session) for _ in range(2))
    db.session.commit()
    ids = (first.id, second.id)
    db.session.remove()
    loaded, flushed = threading.Barrier(2, timeout=30), threading.Barrier(2, timeout=30)
    outcomes: list[object] = [None, None]

    def score(index: int) -> None:
        with app.app_context():
            try:
                enrollment = db.session.get(Enrollment, ids[index])
                db.session.commit()  # SQLite: each transaction holds the write lock
                loaded.wait()
                if index == 0:
                    enrollment.post_test_score = 70
                    db.session.flush()  # rewrites the session's rows, uncommitted
                    flushed.wait()
                    time.sleep(0.3)  # the other one starts meanwhile
                else:
                    flushed.wait()
                    enrollment.post_test_score = 55
                    db.session.flush()  # the same session's rows: must wait
                db.session.commit()
                outcomes[index] = "ok"
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=score, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["ok", "ok"]
    projection.catch_up()
    assert projection.differences() == 0
    scores = {
        enrollment.id: enrollment.post_test_score
        for enrollment in db.session.scalars(db.select(Enrollment))
    }
    assert scores == {ids[0]: 70, ids[1]: 55}


def test_catching_up_while_a_writer_holds_the_session_waits_instead_of_deadlocking(app):
    """A reader catching up and a writer of the same session at the same
    moment (seen under load: the home page while a trainer saves a day).
    The writer holds the session's row lock and, as it commits, marks the
    enrollment it changed; a mark of that enrollment is already waiting.
    The reader must wait for the writer and then show its change, never
    claim the mark first and wait for the lock (PostgreSQL: a deadlock, one
    of the two refused with 503)."""
    training_session = factories.make_session(
        start_date=date(2025, 3, 3), status=SessionStatus.COMPLETED
    )
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    projection.catch_up()
    enrollment.post_test_score = 50
    db.session.commit()  # a mark of this enrollment waits to be caught up
    ids = (training_session.id, enrollment.id)
    db.session.remove()
    locked = threading.Barrier(2, timeout=30)
    outcomes: dict[str, object] = {}

    def write() -> None:
        with app.app_context():
            try:
                lock_session(db.session.get(TrainingSession, ids[0]))
                db.session.get(Enrollment, ids[1]).post_test_score = 70
                db.session.flush()
                locked.wait()
                time.sleep(0.5)  # the reader starts catching up meanwhile
                db.session.commit()  # writes the enrollment's mark
                outcomes["writer"] = "ok"
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                outcomes["writer"] = error
            finally:
                db.session.remove()

    def read() -> None:
        with app.app_context():
            try:
                locked.wait()
                projection.catch_up()
                outcomes["reader"] = "ok"
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                outcomes["reader"] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == {"writer": "ok", "reader": "ok"}
    projection.catch_up()
    assert projection.differences() == 0
    score = db.session.scalar(
        db.select(projection.report_training.c.post_test_score).where(
            projection.report_training.c.enrollment_id == ids[1]
        )
    )
    assert score == 70
