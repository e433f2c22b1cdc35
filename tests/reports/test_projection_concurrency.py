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
from training.sessions.models import SessionStatus

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
