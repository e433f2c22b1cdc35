"""Delivery after commit, without blocking a request.

A commit that queued mail wakes one daemon thread per process (started
the first time it is needed), which sends in an application context of its
own; it also wakes every minute while it lives, so retries fall due without
cron. `flask mail send` does the same from a timer where threads are not
wanted. Nothing starts without ATELIER_MAIL_HOST, or when
ATELIER_MAIL_BACKGROUND is off (the tests call send_pending directly).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from training.extensions import db

logger = logging.getLogger("training.mail")

QUEUED = "atelier_mail_queued"  # set in session.info by queue_mail and retry
POLL_SECONDS = 60

_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()
_thread: threading.Thread | None = None


def _run(app: Flask) -> None:
    from training.mail.sender import send_pending

    while not _stop.is_set():
        _wake.wait(timeout=POLL_SECONDS)
        _wake.clear()
        if _stop.is_set():
            break
        try:
            with app.app_context():
                try:
                    while send_pending(limit=50) == 50:
                        pass
                finally:
                    db.session.remove()
        except Exception:  # the thread must outlive one bad round
            logger.exception("mail sending round failed")


def wake(app: Flask) -> None:
    """Ask the process's sending thread to send now (starting it once)."""
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=_run, args=(app,), name="atelier-mail", daemon=True)
            _thread.start()
    _wake.set()


def stop(timeout: float = 5) -> None:
    """End the sending thread (tests; a process exiting needs nothing)."""
    global _thread
    with _lock:
        thread, _thread = _thread, None
    if thread is not None:
        _stop.set()
        _wake.set()
        thread.join(timeout)
    _stop.clear()
    _wake.clear()


def _after_commit(session: Session) -> None:
    if not session.info.pop(QUEUED, False) or not has_app_context():
        return
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config.get("ATELIER_MAIL_HOST") and app.config.get("ATELIER_MAIL_BACKGROUND", True):
        wake(app)


def _after_rollback(session: Session) -> None:
    session.info.pop(QUEUED, None)


def init_app(app: Flask) -> None:
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", _after_commit):
        event.listen(factory, "after_commit", _after_commit)
        event.listen(factory, "after_rollback", _after_rollback)
