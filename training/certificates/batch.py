"""Issuing a session's certificates as a job (training/jobs), on every core.

"Issue all eligible" for thousands of participants takes longer than a
request should: the view queues this job and sends the coordinator to its
page, which shows how many certificates are issued so far.

The job runs in three steps, so that no step holds SQLite's write lock for
long (training.transactions):

1. one short transaction freezes and signs every certificate and draws
   their serials in one block (services.prepare_batch);
2. their PDFs are rendered in a pool of processes
   (ATELIER_RENDER_PROCESSES, the machine's cores by default): rendering is
   pure Python and nearly all the work, and the renderer takes plain data
   (training.pdf), so each process renders on its own core;
3. as the PDFs come back, they are stored WRITE_EVERY at a time, each part
   in a transaction of its own with its audit and mail
   (services.record_batch), and the progress moves on.

A certificate is the same whichever way it is issued: the statement, the
signature and the renderer are the ones `issue_certificate` uses.
"""

from __future__ import annotations

import csv
import io
import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from flask import current_app, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from training.auth.models import User
from training.certificates import services
from training.extensions import db
from training.jobs.services import JobFailed, JobResult, Progress, job
from training.labels import label
from training.pdf.certificate import CertificateData, render_certificate
from training.sessions.models import TrainingSession
from training.text import spreadsheet_safe
from training.transactions import writing

logger = logging.getLogger("training.certificates")

ISSUE_ALL = "certificates.issue_all"
# Certificates stored per transaction: a short write lock each, and few
# enough PDFs held in memory at once.
WRITE_EVERY = 100
# Certificates sent to a rendering process at a time.
CHUNK = 25
# Below this many certificates a pool costs more than it saves (each of its
# processes imports the renderer and prepares its fonts, about a second).
POOL_FROM = 200


def render_processes() -> int:
    """How many processes render a batch: ATELIER_RENDER_PROCESSES, or one
    per core this process may run on."""
    configured = current_app.config.get("ATELIER_RENDER_PROCESSES")
    if configured:
        return max(1, int(configured))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_chunk(data: Sequence[CertificateData]) -> list[bytes]:
    """What a rendering process does: the PDFs of a few certificates."""
    return [render_certificate(one) for one in data]


def rendered(
    data: Sequence[CertificateData], processes: int, pool_from: int = POOL_FROM
) -> Iterator[bytes]:
    """The PDFs of `data`, in its order. With more than one process (and
    enough certificates) they are rendered in a pool, a few chunks ahead of
    what has been read, so memory stays bounded; the processes are started
    fresh ("spawn"), never forked from a process that holds database
    connections and threads."""
    if processes <= 1 or len(data) < pool_from:
        for one in data:
            yield render_certificate(one)
        return
    chunks = iter([data[start : start + CHUNK] for start in range(0, len(data), CHUNK)])
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    try:
        ahead: deque[Future[list[bytes]]] = deque(
            pool.submit(render_chunk, chunk) for chunk in islice(chunks, processes * 4)
        )
        while ahead:
            pdfs = ahead.popleft().result()
            following = next(chunks, None)
            if following is not None:
                ahead.append(pool.submit(render_chunk, following))
            yield from pdfs
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parts(
    prepared: services.PreparedBatch, processes: int, pool_from: int
) -> Iterator[tuple[list[Any], list[bytes]]]:
    """The prepared certificates with their PDFs, WRITE_EVERY at a time."""
    certificates: list[Any] = []
    pdfs: list[bytes] = []
    for certificate, pdf in zip(
        prepared.certificates, rendered(prepared.data, processes, pool_from), strict=True
    ):
        certificates.append(certificate)
        pdfs.append(pdf)
        if len(certificates) == WRITE_EVERY:
            yield certificates, pdfs
            certificates, pdfs = [], []
    if certificates:
        yield certificates, pdfs


def _record(
    session_id: int, certificates: list[Any], pdfs: list[bytes], actor: User
) -> list[tuple[str, str, str]]:
    """One part stored in a transaction of its own; when another coordinator
    issued one of its certificates meanwhile, the part is tried again (the
    enrollment that has one is then left out). Returns (serial, holder,
    kind) of each certificate stored."""
    for _attempt in range(3):
        db.session.commit()  # the job's reading transaction ends here
        try:
            with writing():
                training_session = db.session.get(TrainingSession, session_id)
                if training_session is None:
                    raise JobFailed(_("This session no longer exists."))
                stored = [
                    (certificate.serial, certificate.holder_name, str(label(certificate.kind)))
                    for certificate in services.record_batch(
                        training_session, certificates, pdfs, actor
                    )
                ]
                db.session.commit()
            return stored
        except IntegrityError:
            db.session.rollback()
            for certificate in certificates:  # back to transient, to be added again
                if certificate in db.session:
                    db.session.expunge(certificate)
    raise JobFailed(_("The certificates could not be issued. Please try again."))


def _progress_text(done: int, total: int) -> str:
    return ngettext(
        "%(done)s of %(total)s certificate issued.",
        "%(done)s of %(total)s certificates issued.",
        total,
        done=format_number(done),
        total=format_number(total),
    )


def _back(arguments: dict[str, Any]) -> tuple[str, str] | None:
    session_id = arguments.get("session_id")
    if not isinstance(session_id, int):
        return None
    return _("Back to the certificates"), url_for(
        "certificates.session_certificates", session_id=session_id
    )


@job(ISSUE_ALL, _l("Issuing certificates"), progress_text=_progress_text, back=_back)
def issue_all(
    progress: Progress,
    *,
    session_id: int,
    actor_id: int,
    processes: int | None = None,
    pool_from: int = POOL_FROM,
    **_ignored: Any,
) -> JobResult:
    """Issue every eligible certificate of the session not issued yet (the
    rules of services.issue_all_eligible); the result lists them (CSV)."""
    actor = db.session.get(User, actor_id)
    training_session = db.session.get(TrainingSession, session_id)
    if actor is None or training_session is None:
        raise JobFailed(_("This session no longer exists."))
    db.session.commit()  # end the reading transaction: the next one writes
    try:
        with writing():
            prepared = services.prepare_batch(training_session, actor)
            db.session.commit()
    except services.CertificateError as error:
        db.session.rollback()
        raise JobFailed(str(error.message)) from error
    progress.set_total(len(prepared.certificates))
    issued: list[tuple[str, str, str]] = []
    try:
        for certificates, pdfs in _parts(prepared, processes or render_processes(), pool_from):
            issued += _record(session_id, certificates, pdfs, actor)
            progress.advance(len(certificates))
    except services.CertificateError as error:  # the session was reopened midway
        db.session.rollback()
        raise JobFailed(
            ngettext(
                "%(num)d certificate was issued, then: %(reason)s",
                "%(num)d certificates were issued, then: %(reason)s",
                len(issued),
                reason=error.message,
            )
        ) from error
    logger.info("job issued %d certificates of session %d", len(issued), session_id)
    return JobResult(
        _issued_list(issued),
        f"atelier-certificates-{training_session.code}.csv",
        "text/csv; charset=utf-8",
    )


def _issued_list(serials: list[tuple[str, str, str]]) -> bytes:
    """The certificates the job issued, one a line: serial, holder, kind."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Serial"), _("Holder"), _("Kind")])
    writer.writerows([[serial, spreadsheet_safe(name), kind] for serial, name, kind in serials])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
