"""Two trainers saving the same day at the same moment: nothing is lost,
nothing fails. Runs on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
import time

import pytest

from tests import factories
from tests.attendance.conftest import START
from training.attendance import services
from training.attendance.models import AttendanceStatus
from training.attendance.services import DayEntry
from training.auth.models import User
from training.extensions import db
from training.sessions.models import Period, TrainingSession

# Threads or the CLI use connections of their own: real commits.
pytestmark = pytest.mark.committed

PERIODS = (Period.AM, Period.PM)


def _run_together(app, jobs):
    """Run each job in its own thread and application context, released
    together by a barrier; returns their results or exceptions."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    outcomes: list[object] = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                outcomes[index] = job(barrier)
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _save_job(session_id, user_id, enrollment_ids, status, loaded=None):
    def job(barrier):
        training_session = db.session.get(TrainingSession, session_id)
        user = db.session.get(User, user_id)
        entries = [DayEntry(eid, period, status) for eid in enrollment_ids for period in PERIODS]
        # End the reading transaction: on SQLite each one holds the write lock.
        db.session.commit()
        barrier.wait()
        result = services.save_day(
            training_session, START, entries, actor=user, loaded_versions=loaded or {}
        )
        db.session.commit()
        return result

    return job


@pytest.mark.parametrize("first_entry", [True, False], ids=["creating", "updating"])
def test_two_concurrent_saves_both_succeed_and_each_cell_holds_a_written_value(
    app, workshop, first_entry
):
    ids = [e.id for e in workshop.enrollments]
    loaded = {}
    if not first_entry:
        services.save_day(
            workshop.training_session,
            START,
            [DayEntry(eid, p, AttendanceStatus.EXCUSED) for eid in ids for p in PERIODS],
            actor=workshop.trainer_user,
            loaded_versions={},
        )
        db.session.commit()
        loaded = {
            k: r.version for k, r in services.day_records(workshop.training_session, START).items()
        }
    session_id, user_id = workshop.id, workshop.trainer_user.id
    db.session.remove()
    jobs = [
        _save_job(session_id, user_id, ids, AttendanceStatus.PRESENT, loaded),
        _save_job(session_id, user_id, ids, AttendanceStatus.ABSENT, loaded),
    ]
    outcomes = _run_together(app, jobs)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    records = services.day_records(db.session.get(TrainingSession, session_id), START)
    assert len(records) == 6
    statuses = {record.status for record in records.values()}
    assert statuses <= {AttendanceStatus.PRESENT, AttendanceStatus.ABSENT}
    # The later writer saved over the earlier one's values and was told.
    assert sum(bool(o.conflicts) for o in outcomes) == 1
    if first_entry:
        assert sorted((o.created, o.changed) for o in outcomes) == [(0, 6), (6, 0)]


def test_concurrent_posts_of_the_day_grid_never_fail(app, workshop):
    """The same through HTTP: two signed-in clients post the grid at once."""
    from tests.conftest import TEST_PASSWORD

    clients = []
    for _ in range(2):
        client = app.test_client()
        response = client.post(
            "/login", data={"email": workshop.trainer_user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 303
        clients.append(client)
    ids = [e.id for e in workshop.enrollments]
    session_id = workshop.id
    url = f"/sessions/{session_id}/attendance/{START.isoformat()}"
    db.session.remove()

    def post(client, status):
        def job(barrier):
            data = {f"status-{eid}-{p.value}": status for eid in ids for p in PERIODS}
            data.update({f"version-{eid}-{p.value}": "0" for eid in ids for p in PERIODS})
            barrier.wait()
            return client.post(url, data=data).status_code

        return job

    outcomes = _run_together(app, [post(clients[0], "present"), post(clients[1], "late")])
    assert outcomes == [303, 303]
    records = services.day_records(db.session.get(TrainingSession, session_id), START)
    assert len(records) == 6


def test_a_day_closed_during_a_save_waits_for_it(app, workshop):
    """A trainer's save still in flight when a coordinator closes the day:
    the closing waits for the save to commit, so no trainer's write ever
    lands on a day after it was closed."""
    ids = [e.id for e in workshop.enrollments]
    everyone = [DayEntry(eid, p, AttendanceStatus.PRESENT) for eid in ids for p in PERIODS]
    services.save_day(
        workshop.training_session, START, everyone, actor=workshop.trainer_user, loaded_versions={}
    )
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    session_id, trainer_id, coordinator_id = workshop.id, workshop.trainer_user.id, coordinator.id
    db.session.remove()
    saved, moments = threading.Event(), {}

    def trainer(barrier):
        training_session = db.session.get(TrainingSession, session_id)
        user = db.session.get(User, trainer_id)
        loaded = {k: r.version for k, r in services.day_records(training_session, START).items()}
        db.session.commit()
        barrier.wait()
        late = [DayEntry(ids[0], Period.AM, AttendanceStatus.LATE)]
        services.save_day(training_session, START, late, actor=user, loaded_versions=loaded)
        saved.set()
        time.sleep(0.5)  # the save's transaction stays open meanwhile
        moments["save committed"] = time.monotonic()
        db.session.commit()

    def closer(barrier):
        training_session = db.session.get(TrainingSession, session_id)
        user = db.session.get(User, coordinator_id)
        db.session.commit()
        barrier.wait()
        saved.wait(timeout=10)
        services.close_day(training_session, START, actor=user)
        db.session.commit()
        moments["day closed"] = time.monotonic()

    outcomes = _run_together(app, [trainer, closer])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert moments["day closed"] >= moments["save committed"]
    records = services.day_records(db.session.get(TrainingSession, session_id), START)
    assert records[(ids[0], Period.AM)].status == AttendanceStatus.LATE
    assert services.day_lock(db.session.get(TrainingSession, session_id), START) is not None
