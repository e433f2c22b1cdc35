"""Jobs run once, report progress, keep their result for a while, and fail
with a sentence; the embedded thread and RQ on Redis run them the same."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.jobs.conftest import BROKEN, ECHO, REFUSED, make_job
from training.extensions import db
from training.jobs import runner, services
from training.jobs.models import Job, JobStatus
from training.transactions import reading


def _job(job_id: int) -> Job:
    db.session.expire_all()
    found = db.session.get(Job, job_id)
    assert found is not None
    return found


def test_a_job_runs_once_and_keeps_its_result(app):
    owner = factories.make_user("coordinator")
    job = services.enqueue(ECHO, owner, rows=5, locale="en")
    db.session.commit()
    assert services.queue_depth() == 1
    assert services.run(job.id) is True
    assert services.run(job.id) is False  # claimed already: never twice
    done = _job(job.id)
    assert done.status == JobStatus.DONE
    assert (done.progress, done.total, done.percent) == (5, 5, 100)
    assert done.result == b"a,b\n" * 5 and done.result_size == 20
    assert done.finished_at - done.started_at < timedelta(minutes=1)
    assert timedelta(hours=23) < done.expires_at - done.finished_at <= timedelta(hours=24)
    assert services.queue_depth() == 0


def test_a_failure_shows_a_sentence_never_the_error(app, caplog):
    owner = factories.make_user("coordinator")
    broken = services.enqueue(BROKEN, owner, locale="en")
    refused = services.enqueue(REFUSED, owner, locale="en")
    db.session.commit()
    services.run(broken.id)
    services.run(refused.id)
    failed = _job(broken.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error.startswith("The job failed.")
    assert "secret detail" not in failed.error
    assert "secret detail" in caplog.text  # the log has it, for an administrator
    assert _job(refused.id).error == "Nothing to export under these filters."


def test_an_unknown_kind_is_refused_when_asked(app):
    with pytest.raises(ValueError, match="unknown job kind"):
        services.enqueue("tests.nothing", factories.make_user("coordinator"))


def test_expired_results_are_removed_and_stopped_jobs_marked_failed(app):
    owner = factories.make_user("coordinator")
    now = datetime.now(UTC)
    expired = make_job(owner, expires_at=now - timedelta(seconds=1))
    kept = make_job(owner)
    stuck = make_job(owner, JobStatus.RUNNING, started_at=now - timedelta(hours=2))
    under_way = make_job(owner, JobStatus.RUNNING, started_at=now - timedelta(minutes=1))
    expired_id = expired.id
    assert services.purge_expired(now) == 2
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Job, expired_id) is None
    assert _job(kept.id).status == JobStatus.DONE
    assert _job(stuck.id).status == JobStatus.FAILED
    assert "stopped before it finished" in _job(stuck.id).error
    assert _job(under_way.id).status == JobStatus.RUNNING


def _wait_until_finished(job_id: int, seconds: float = 20) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # A look that takes no write lock (SQLite), as the runner's does:
        # polling under the lock kept the job thread from writing its result.
        with reading():
            found = _job(job_id)
            finished = found.status.is_finished
            db.session.rollback()
        if finished:
            return _job(job_id)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.committed
def test_the_embedded_thread_runs_a_committed_job_from_any_server(app):
    """The thread looks in the database: a job queued by another server
    (here: nobody woke this one for it) is run at its next look."""
    app.config["ATELIER_JOB_RUNNER"] = "thread"
    try:
        owner = factories.make_user("coordinator")
        job = services.enqueue(ECHO, owner, rows=2, locale="en")
        db.session.commit()
        job_id = job.id
        runner.wake(app)
        assert _wait_until_finished(job_id).result == b"a,b\n" * 2
    finally:
        runner.stop()
        app.config["ATELIER_JOB_RUNNER"] = "inline"


@pytest.mark.committed
@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (make test-postgres)"
)
def test_rq_on_redis_runs_a_job_and_requeues_one_redis_lost(app):
    app.config.update(ATELIER_JOB_RUNNER="rq", ATELIER_REDIS_URL=os.environ["TEST_REDIS_URL"])
    try:
        runner.rq_queue().empty()
        owner = factories.make_user("coordinator")
        sent = services.enqueue(ECHO, owner, rows=3, locale="en")
        lost = services.enqueue(ECHO, owner, rows=1, locale="en")  # never reached Redis
        db.session.commit()
        services.start(sent.id)
        assert runner.rq_queue().count == 1
        runner.work(app, burst=True)
        assert _job(sent.id).status == JobStatus.DONE
        assert _job(lost.id).status == JobStatus.DONE
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 2
    finally:
        runner.rq_queue().empty()
        app.config.update(ATELIER_JOB_RUNNER="inline", ATELIER_REDIS_URL=None)


@pytest.mark.committed
def test_with_its_redis_down_a_job_runs_in_the_process_that_asked(app, caplog):
    app.config.update(ATELIER_JOB_RUNNER="rq", ATELIER_REDIS_URL="redis://127.0.0.1:1/0")
    try:
        owner = factories.make_user("coordinator")
        job = services.enqueue(ECHO, owner, rows=1, locale="en")
        db.session.commit()
        job_id = job.id
        services.start(job_id)  # no error for the user's request
        assert _wait_until_finished(job_id).status == JobStatus.DONE
        assert "does not answer" in caplog.text
    finally:
        runner.stop()
        app.config.update(ATELIER_JOB_RUNNER="inline", ATELIER_REDIS_URL=None)
