"""Issuing a session's certificates as a job: the same certificates as one by
one, rendered in other processes, stored part by part with the progress
shown, and refused cleanly when the session changed meanwhile."""

from __future__ import annotations

import io
import re
import time

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests import factories
from tests.certificates.conftest import attend, completed_session, graduate
from training.audit.models import AuditEvent
from training.certificates import batch, keys, services, statements
from training.certificates.models import Certificate, CertificateKind
from training.extensions import db
from training.jobs import runner
from training.jobs import services as jobs
from training.jobs.models import Job, JobStatus
from training.models import SessionStatus
from training.pdf.certificate import render_certificate, sample_certificate
from training.transactions import reading

# What a certificate states, whichever way it was issued (its serial, code,
# time of issue and signature are its own).
STATEMENT = (
    "enrollment_id",
    "kind",
    "holder_name",
    "holder_name_ar",
    "holder_family_name",
    "holder_rank",
    "holder_organisation",
    "course_title_en",
    "course_title_fr",
    "course_title_ar",
    "session_code",
    "start_date",
    "end_date",
    "city",
    "country",
    "language",
    "total_hours",
    "issuers",
    "valid_until",
    "signing_key_id",
    "issued_by_id",
    "override_reason",
)


def _timeless(pdf: bytes) -> bytes:
    """A PDF without the moment it was made (its dates and the file
    identifier ReportLab derives from them)."""
    pdf = re.sub(rb"/(CreationDate|ModDate) \(D:[^)]*\)", rb"/\1 ()", pdf)
    return re.sub(rb"/ID\s*\[<[0-9a-fA-F]*><[0-9a-fA-F]*>\]", b"/ID []", pdf)


def _session_of(size: int):
    training_session = completed_session()
    for number in range(size):
        graduate(training_session, score=80 if number % 3 else 40)  # some participations
    low = factories.enroll(training_session=training_session, post_test_score=90)
    attend(low, periods=1)  # below the attendance minimum: nothing
    db.session.commit()
    return training_session


def _statements(training_session) -> dict[int, tuple]:
    certificates = db.session.scalars(
        sa.select(Certificate)
        .join(Certificate.enrollment)
        .where(Certificate.enrollment.has(session_id=training_session.id))
    ).all()
    return {c.enrollment_id: tuple(getattr(c, name) for name in STATEMENT) for c in certificates}


def _run_job(coordinator, training_session, **arguments) -> Job:
    job = jobs.enqueue(
        batch.ISSUE_ALL,
        coordinator,
        session_id=training_session.id,
        actor_id=coordinator.id,
        locale="en",
        **arguments,
    )
    db.session.commit()
    jobs.run(job.id)
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_the_job_issues_what_one_by_one_issues_rendered_in_two_processes(app):
    coordinator = factories.make_user("coordinator")
    training_session = _session_of(7)

    # The keys first: made on demand inside the SAVEPOINT, they would be undone
    # with it, and PostgreSQL does not give their ids again.
    keys.ensure_keys()
    db.session.commit()
    # One by one, in a SAVEPOINT undone afterwards: what the rules give.
    nested = db.session.begin_nested()
    for row in services.pending_enrollments(training_session):
        services.issue_certificate(row.enrollment, coordinator)
    db.session.flush()
    one_by_one = _statements(training_session)
    nested.rollback()
    db.session.expire_all()
    assert len(one_by_one) == 7 and not _statements(training_session)

    job = _run_job(coordinator, training_session, processes=2, pool_from=0)
    assert job.status == JobStatus.DONE, job.error
    assert (job.progress, job.total) == (7, 7)

    assert _statements(training_session) == one_by_one
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.enrollment_id.in_(one_by_one))
    ).all()
    assert len({c.serial for c in certificates}) == 7
    assert len({c.verification_code for c in certificates}) == 7
    kinds = {c.kind for c in certificates}
    assert kinds == {CertificateKind.COMPLETION, CertificateKind.PARTICIPATION}
    settings = statements.certificate_settings()
    for certificate in certificates:
        # The bytes the request's renderer makes from the same statement.
        assert _timeless(certificate.pdf) == _timeless(
            render_certificate(statements.certificate_data(certificate, settings))
        )
        text = PdfReader(io.BytesIO(certificate.pdf)).pages[0].extract_text()
        assert certificate.serial in text
        assert certificate.holder_name.split()[-1] in text
    audited = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "certificate.issued")
    )
    assert audited == 7
    listed = job.result.decode("utf-8-sig").splitlines()
    assert listed[0] == "Serial,Holder,Kind"
    assert sorted(line.split(",")[0] for line in listed[1:]) == sorted(
        c.serial for c in certificates
    )

    again = _run_job(coordinator, training_session)  # issuing is idempotent
    assert again.status == JobStatus.DONE and again.total == 0
    assert len(_statements(training_session)) == 7


def test_the_pool_renders_in_order_what_the_renderer_renders(monkeypatch):
    monkeypatch.setattr(batch, "CHUNK", 2)  # many chunks, several in flight
    data = [sample_certificate(number) for number in range(1, 12)]
    pdfs = list(batch.rendered(data, processes=2, pool_from=0))
    assert [_timeless(pdf) for pdf in pdfs] == [_timeless(render_certificate(one)) for one in data]


def test_the_progress_moves_as_each_part_is_stored(app, monkeypatch):
    coordinator = factories.make_user("coordinator")
    training_session = _session_of(5)
    monkeypatch.setattr(batch, "WRITE_EVERY", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    seen = []
    record = services.record_batch

    def spy(*arguments, **keywords):
        job = db.session.scalars(sa.select(Job).where(Job.kind == batch.ISSUE_ALL)).one()
        seen.append((job.progress, job.total))
        return record(*arguments, **keywords)

    monkeypatch.setattr(services, "record_batch", spy)
    job = _run_job(coordinator, training_session)
    assert job.status == JobStatus.DONE
    assert seen == [(0, 5), (2, 5), (4, 5)]
    assert (job.progress, job.total, job.percent) == (5, 5, 100)


def test_a_session_reopened_before_the_job_runs_issues_nothing(app):
    coordinator = factories.make_user("coordinator")
    training_session = _session_of(3)
    job = jobs.enqueue(
        batch.ISSUE_ALL,
        coordinator,
        session_id=training_session.id,
        actor_id=coordinator.id,
        locale="en",
    )
    training_session.status = SessionStatus.IN_PROGRESS  # reopened meanwhile
    db.session.commit()
    jobs.run(job.id)
    db.session.expire_all()
    failed = db.session.get(Job, job.id)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "Certificates are issued only once the session is completed."
    assert not _statements(training_session)


def test_the_page_sends_the_coordinator_to_the_job_and_back(client, login_as):
    training_session = _session_of(2)
    login_as("coordinator")
    response = client.post(f"/sessions/{training_session.id}/certificates/issue")
    assert response.status_code == 303
    job_url = response.headers["Location"]
    status = client.get(f"{job_url}.json").get_json()
    assert status["status"] == "done" and status["total"] == 2
    assert len(_statements(training_session)) == 2
    # Nothing left: no job, straight back to the certificates.
    again = client.post(f"/sessions/{training_session.id}/certificates/issue")
    assert again.status_code == 303
    assert again.headers["Location"] == f"/sessions/{training_session.id}/certificates"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1


def test_a_session_not_completed_is_refused_before_any_job(client, login_as):
    training_session = completed_session(status=SessionStatus.IN_PROGRESS)
    graduate(training_session)
    db.session.commit()
    login_as("coordinator")
    response = client.post(f"/sessions/{training_session.id}/certificates/issue")
    assert response.status_code == 409
    assert "only once the session is completed" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0


def _wait_until_finished(job_id: int, seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with reading():  # a look that takes no write lock (SQLite)
            db.session.expire_all()
            found = db.session.get(Job, job_id)
            finished = found is not None and found.status.is_finished
            db.session.rollback()
        if finished:
            db.session.expire_all()
            return db.session.get(Job, job_id)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.mark.committed
def test_the_embedded_thread_issues_them_in_its_own_transactions(app, client, login_as):
    """The default runner: the request only queues; the job's thread reads
    without the write lock and writes its parts in short transactions."""
    training_session = _session_of(3)
    login_as("coordinator")
    app.config["ATELIER_JOB_RUNNER"] = "thread"
    try:
        response = client.post(f"/sessions/{training_session.id}/certificates/issue")
        assert response.status_code == 303
        job_id = int(response.headers["Location"].rsplit("/", 1)[1])
        done = _wait_until_finished(job_id)
        assert done.status == JobStatus.DONE, done.error
        assert done.total == 3
        assert len(_statements(training_session)) == 3
    finally:
        runner.stop()
        app.config["ATELIER_JOB_RUNNER"] = "inline"
