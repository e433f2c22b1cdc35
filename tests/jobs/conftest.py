"""A job kind of the tests' own, and jobs made in one line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from training.extensions import db
from training.jobs import services
from training.jobs.models import Job, JobStatus

ECHO = "tests.echo"
BROKEN = "tests.broken"
REFUSED = "tests.refused"


def echo(progress: services.Progress, *, rows: int = 3, **_arguments) -> services.JobResult:
    progress.set_total(rows)
    for _row in range(rows):
        progress.advance()
    return services.JobResult(b"a,b\n" * rows, "echo.csv", "text/csv")


def broken(progress: services.Progress, **_arguments) -> services.JobResult:
    raise RuntimeError("secret detail: /var/lib/atelier")


def refused(progress: services.Progress, **_arguments) -> services.JobResult:
    raise services.JobFailed("Nothing to export under these filters.")


@pytest.fixture(autouse=True)
def test_kinds():
    for name, function in ((ECHO, echo), (BROKEN, broken), (REFUSED, refused)):
        services.job(name, f"Test job {name}")(function)
    yield
    for name in (ECHO, BROKEN, REFUSED):
        services.KINDS.pop(name, None)


def make_job(owner, status: JobStatus = JobStatus.DONE, **attributes) -> Job:
    now = datetime.now(UTC)
    values = {"kind": ECHO, "owner_id": owner.id, "arguments": {}, "status": status}
    if status == JobStatus.DONE:
        values |= {
            "result": b"a,b\n",
            "result_name": "echo.csv",
            "result_mimetype": "text/csv",
            "result_size": 4,
            "progress": 1,
            "total": 1,
            "finished_at": now,
            "expires_at": now + timedelta(hours=24),
        }
    values |= attributes
    job = Job(**values)
    db.session.add(job)
    db.session.commit()
    return job
