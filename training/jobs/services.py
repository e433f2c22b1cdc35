"""Asking for a job, running it once, and keeping what it made.

Rules enforced here, whatever runs the job (training.jobs):
- a job runs once: it is claimed by one UPDATE from "queued" to "running";
- its progress is written as it goes, on a connection of its own, so any
  server's page shows it while the job's own transaction reads on;
- its result is kept for its owner until it expires, then removed (it may
  name people); a job that stopped without finishing (its worker killed) is
  marked failed once it has run longer than ATELIER_JOB_TIMEOUT_MINUTES;
- a failure shows the owner a sentence, never a traceback (the log has it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from training.domain import DomainError
from training.extensions import db
from training.jobs.models import Job, JobStatus
from training.transactions import reading, writing

logger = logging.getLogger("training.jobs")

RUNNERS = ("thread", "rq", "inline")
PROGRESS_EVERY = 0.5  # seconds between two progress writes


@dataclass(frozen=True)
class JobResult:
    """What a job made: a file for its owner."""

    content: bytes
    filename: str
    mimetype: str


class JobFailed(DomainError):
    """A job cannot do its work; its message is shown to the owner."""


# A job function: (progress, **the job's arguments) -> JobResult.
JobFunction = Callable[..., JobResult]


# What the job's page says of its progress: (done, total) -> a sentence.
ProgressText = Callable[[int, int], str]
# Where the job's page leads back to: the job's arguments -> (label, URL).
BackLink = Callable[[dict[str, Any]], tuple[str, str] | None]


@dataclass(frozen=True)
class JobKind:
    name: str
    title: Any  # a lazy string: what the owner reads on the job's page
    function: JobFunction
    progress_text: ProgressText | None = None  # "… rows written" otherwise
    back: BackLink | None = None


KINDS: dict[str, JobKind] = {}


def job(
    name: str,
    title: Any,
    *,
    progress_text: ProgressText | None = None,
    back: BackLink | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register `function` as what jobs of kind `name` do."""

    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = JobKind(name, title, function, progress_text, back)
        return function

    return register


def kind_of(found: Job) -> JobKind | None:
    return KINDS.get(found.kind)


def title(kind: str) -> Any:
    known = KINDS.get(kind)
    return known.title if known else _l("Job")


def runner() -> str:
    configured = (current_app.config.get("ATELIER_JOB_RUNNER") or "").strip().lower()
    if configured:
        return configured
    return "rq" if current_app.config.get("ATELIER_REDIS_URL") else "thread"


def _now() -> datetime:
    return datetime.now(UTC)


def enqueue(kind: str, owner: Any, **arguments: Any) -> Job:
    """A new queued job of `kind` for `owner`; the caller commits, then
    calls `start`. Expired results are removed on the way."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    purge_expired()
    new = Job(kind=kind, owner_id=owner.id, arguments=arguments, status=JobStatus.QUEUED)
    db.session.add(new)
    db.session.flush()
    return new


def start(job_id: int) -> None:
    """Hand the committed job to the configured runner."""
    from training.jobs import runner as runners

    chosen = runner()
    if chosen == "inline":
        run(job_id)
        db.session.commit()  # what the job wrote in this request's transaction
    elif chosen == "rq":
        try:
            runners.enqueue_on_rq(job_id)
        except Exception:  # Redis down or unreachable: fail safe, run it here
            logger.warning("job %s: the queue's Redis does not answer; run in this process", job_id)
            runners.wake(current_app._get_current_object())  # type: ignore[attr-defined]
    else:
        runners.wake(current_app._get_current_object())  # type: ignore[attr-defined]


class Progress:
    """What a job function reports as it goes: its size, then each step.
    Written at most every PROGRESS_EVERY seconds (and at the end)."""

    def __init__(self, job_id: int, *, inline: bool) -> None:
        self.job_id = job_id
        self.inline = inline
        self.done = 0
        self.total: int | None = None
        self._written_at = 0.0

    def set_total(self, total: int) -> None:
        self.total = total
        self._write()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if time.monotonic() - self._written_at >= PROGRESS_EVERY:
            self._write()

    def _write(self) -> None:
        self._written_at = time.monotonic()
        _update(self.job_id, self.inline, progress=self.done, total=self.total)


def _update(job_id: int, inline: bool, **values: Any) -> None:
    statement = sa.update(Job).where(Job.id == job_id).values(**values)
    if inline:
        db.session.execute(statement)
        return
    # A connection of its own: the job's transaction may be reading a
    # server-side cursor, and the page of any server reads this at once.
    with writing(), db.engine.begin() as connection:
        connection.execute(statement)


def _claim(job_id: int, inline: bool) -> bool:
    statement = (
        sa.update(Job)
        .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
        .values(status=JobStatus.RUNNING, started_at=_now())
    )
    if inline:
        return _rowcount(db.session.execute(statement)) == 1
    with writing(), db.engine.begin() as connection:
        return _rowcount(connection.execute(statement)) == 1


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _keep_hours() -> int:
    return int(current_app.config.get("ATELIER_JOB_KEEP_HOURS") or 24)


def run(job_id: int) -> bool:
    """Run the job if it is still queued (False when another runner has
    it): its function, in its owner's language, then its result or its
    failure kept."""
    inline = runner() == "inline"
    if not _claim(job_id, inline):
        return False
    with _reading_unless(inline):
        outcome = _perform(job_id, inline)
    finished = _now()
    outcome |= {"finished_at": finished, "expires_at": finished + timedelta(hours=_keep_hours())}
    if not inline:
        db.session.rollback()  # the job's reading transaction ends here
    _update(job_id, inline, **outcome)
    if not inline:
        db.session.remove()
    return True


def _perform(job_id: int, inline: bool) -> dict[str, Any]:
    """The job's function, called; what to write on its row."""
    found = db.session.get(Job, job_id, populate_existing=True)
    assert found is not None  # just claimed
    kind = KINDS.get(found.kind)
    arguments = dict(found.arguments or {})
    locale = arguments.get("locale") or "fr"
    progress = Progress(job_id, inline=inline)
    try:
        if kind is None:
            raise JobFailed(_l("This kind of job is no longer known."))
        with force_locale(locale):
            result = kind.function(progress, **arguments)
    except JobFailed as failure:
        return {"status": JobStatus.FAILED, "error": str(failure.message)[:500]}
    except Exception:
        logger.exception("job %s (%s) failed", job_id, found.kind)
        if not inline:
            db.session.rollback()
        with force_locale(locale):
            message = str(
                _l("The job failed. Ask again; if it fails again, tell an administrator.")
            )
        return {"status": JobStatus.FAILED, "error": message}
    return {
        "status": JobStatus.DONE,
        "result": result.content,
        "result_name": result.filename,
        "result_mimetype": result.mimetype,
        "result_size": len(result.content),
        "progress": progress.total or progress.done,
        "total": progress.total or progress.done,
    }


class _reading_unless:
    """The job's reads take no write lock on SQLite (training.transactions),
    except inline, where they are the request's own."""

    def __init__(self, inline: bool) -> None:
        self.context = None if inline else reading()

    def __enter__(self) -> None:
        if self.context is not None:
            self.context.__enter__()

    def __exit__(self, *exc: Any) -> None:
        if self.context is not None:
            self.context.__exit__(*exc)


def next_queued() -> int | None:
    """The oldest queued job's id, for a runner looking for work."""
    return db.session.scalar(
        sa.select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id).limit(1)
    )


def queued_ids() -> list[int]:
    return list(
        db.session.scalars(sa.select(Job.id).where(Job.status == JobStatus.QUEUED).order_by(Job.id))
    )


def purge_expired(now: datetime | None = None) -> int:
    """Remove the jobs whose result has expired, and mark failed the ones
    that have been running past the timeout (their worker stopped). Returns
    how many rows changed."""
    now = now or _now()
    timeout = timedelta(minutes=int(current_app.config.get("ATELIER_JOB_TIMEOUT_MINUTES") or 30))
    removed = _rowcount(db.session.execute(sa.delete(Job).where(Job.expires_at < now)))
    interrupted = _rowcount(
        db.session.execute(
            sa.update(Job)
            .where(Job.status == JobStatus.RUNNING, Job.started_at < now - timeout)
            .values(
                status=JobStatus.FAILED,
                error=str(_l("The job stopped before it finished. Ask again.")),
                finished_at=now,
                expires_at=now + timedelta(hours=_keep_hours()),
            )
        )
    )
    return removed + interrupted


def queue_depth() -> int:
    """How many jobs wait to start (for /metrics)."""
    return (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Job).where(Job.status == JobStatus.QUEUED)
        )
        or 0
    )


def result_available(found: Job, now: datetime | None = None) -> bool:
    return (
        found.status == JobStatus.DONE
        and found.result_size is not None
        and (found.expires_at is None or found.expires_at > (now or _now()))
    )
