"""The runners: a worker thread in each app process (the embedded default),
or RQ on Redis with `flask jobs worker` processes.

The thread takes queued jobs from the database, oldest first, one at a
time; it is woken when this process queues one and looks again every
POLL_SECONDS, so a job queued through another server (or left by a
process that stopped) is run too. RQ carries only the job's id: the row
stays the truth, and a message delivered twice runs the job once
(services.run claims it first).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app

from training.extensions import db

logger = logging.getLogger("training.jobs")

POLL_SECONDS = 5
QUEUE_NAME = "atelier"
PERFORM = "training.jobs.runner.perform"

_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()
_thread: threading.Thread | None = None


def _run(app: Flask) -> None:
    from training.jobs import services
    from training.transactions import reading

    while not _stop.is_set():
        _wake.wait(timeout=POLL_SECONDS)
        _wake.clear()
        if _stop.is_set():
            break
        try:
            with app.app_context():
                try:
                    while not _stop.is_set():
                        with reading():  # a look takes no write lock (SQLite)
                            job_id = services.next_queued()
                            db.session.rollback()
                        if job_id is None:
                            break
                        services.run(job_id)
                finally:
                    db.session.remove()
        except Exception:  # the thread must outlive one bad round
            logger.exception("job round failed")


def wake(app: Flask) -> None:
    """Ask this process's job thread to look for work now (starting it once)."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=_run, args=(app,), name="atelier-jobs", daemon=True)
            _thread.start()
    _wake.set()


def stop(timeout: float = 10) -> None:
    """End the job thread (tests; a process exiting needs nothing)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        _stop.set()
        _wake.set()
        thread.join(timeout)
    _stop.clear()
    _wake.clear()


def init_app(app: Flask) -> None:
    """With the thread runner, each app process starts its job thread at
    its first request (not at import, nor for `flask` commands), so that
    jobs queued through another server, or before a restart, are run."""
    from training.jobs import services

    @app.before_request
    def start_job_thread() -> None:
        if _thread is None and services.runner() == "thread":
            wake(app)


# ------------------------------------------------------------------- RQ


def redis_connection(url: str | None = None) -> Any:
    from redis import Redis

    return Redis.from_url(url or current_app.config["ATELIER_REDIS_URL"], socket_connect_timeout=2)


def rq_queue(connection: Any = None) -> Any:
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection or redis_connection())


def rq_id(job_id: int) -> str:
    return f"atelier-job-{job_id}"


def enqueue_on_rq(job_id: int, queue: Any = None) -> None:
    timeout = int(current_app.config.get("ATELIER_JOB_TIMEOUT_MINUTES") or 30) * 60
    (queue or rq_queue()).enqueue(
        PERFORM,
        job_id,
        job_id=rq_id(job_id),
        job_timeout=timeout,
        result_ttl=0,
        failure_ttl=3600,
    )


def perform(job_id: int) -> None:
    """What an RQ worker runs: the job of that id, in the worker's
    application (`flask jobs worker` pushes its context)."""
    from training.jobs import services

    services.run(job_id)


def work(app: Flask, burst: bool = False) -> None:
    """Serve RQ's queue in this process until stopped (or, with `burst`,
    until it is empty). Jobs queued in the database but absent from Redis
    (a message lost with Redis) are queued again first."""
    from rq import SimpleWorker

    from training.jobs import services

    with app.app_context():
        connection = redis_connection()
        queue = rq_queue(connection)
        listed = set(queue.get_job_ids())
        for job_id in services.queued_ids():
            if rq_id(job_id) not in listed:
                enqueue_on_rq(job_id, queue)
        db.session.remove()
        # SimpleWorker runs each job in this process, inside this context.
        SimpleWorker([queue], connection=connection).work(burst=burst, with_scheduler=False)
