"""Sending the outbox over SMTP, with retries and back-off.

A sender first claims the due messages in a short transaction of its own:
each is moved to `sending` by an UPDATE that matches only while it is still
due, and its `next_attempt_at` is pushed a lease ahead, so a second sender
(another worker, `flask mail send` from cron) finds nothing to claim. This
works the same on SQLite (one writer at a time) and PostgreSQL (the second
UPDATE waits for the row and then no longer matches). A sender that dies
while sending leaves its claims to expire with the lease: delivery is at
least once, never lost.

Nothing here logs an address, a subject or a body: only message ids and the
SMTP error's class and code.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload, undefer

from config import MAIL_TLS_MODES as TLS_MODES
from training.extensions import db
from training.mail.models import MailStatus, OutboxAttachment, OutboxMessage
from training.mail.services import build_email
from training.transactions import writing

logger = logging.getLogger("training.mail")

LEASE = timedelta(minutes=10)  # a claimed message comes back after this long
SMTP_TIMEOUT = 30  # seconds, well inside the lease


def is_configured() -> bool:
    """Whether mail leaves Atelier (ATELIER_MAIL_HOST); without it messages
    stay in the outbox for an administrator to read."""
    return bool(current_app.config.get("ATELIER_MAIL_HOST"))


def backoff(attempts: int) -> timedelta:
    """How long to wait after the attempt numbered `attempts`: 1, 2, 4 …
    minutes, at most a day."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 24 * 60))


def _claim(limit: int, now: datetime) -> list[int]:
    """Ids of the due messages this sender now holds (status `sending`)."""
    due = sa.and_(
        OutboxMessage.status.in_([MailStatus.QUEUED, MailStatus.SENDING]),
        OutboxMessage.next_attempt_at <= now,
    )
    with writing():
        db.session.commit()  # the caller's transaction ends; ours takes the lock
        candidates = db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        ).all()
        claimed = []
        for message_id in candidates:
            result = cast(
                "sa.CursorResult[Any]",
                db.session.execute(
                    sa.update(OutboxMessage)
                    .where(OutboxMessage.id == message_id, due)
                    .values(
                        status=MailStatus.SENDING,
                        attempts=OutboxMessage.attempts + 1,
                        next_attempt_at=now + LEASE,
                    )
                    .execution_options(synchronize_session=False)
                ),
            )
            if result.rowcount == 1:
                claimed.append(message_id)
        db.session.commit()
    return claimed


def _connect(config: Any) -> smtplib.SMTP:
    host = config["ATELIER_MAIL_HOST"]
    tls = (config.get("ATELIER_MAIL_TLS") or "starttls").lower()
    if tls not in TLS_MODES:
        raise ValueError(f"ATELIER_MAIL_TLS must be one of {', '.join(TLS_MODES)}")
    port = int(config.get("ATELIER_MAIL_PORT") or {"ssl": 465, "starttls": 587}.get(tls, 25))
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if tls == "ssl":
        smtp = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if tls == "starttls":
            smtp.starttls(context=context)
    user = config.get("ATELIER_MAIL_USER")
    if user:
        smtp.login(user, config.get("ATELIER_MAIL_PASSWORD") or "")
    return smtp


def describe(error: BaseException) -> str:
    """What an administrator reads about a failure: the error's class and
    SMTP code, never its text (which often quotes the recipient)."""
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in error.recipients.values()})
        return f"SMTPRecipientsRefused ({', '.join(codes)})"
    return f"{type(error).__name__} ({code})" if code else type(error).__name__


def _record(message_id: int, error: BaseException | None, now: datetime) -> None:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        return
    if error is None:
        message.status = MailStatus.SENT
        message.sent_at = now
        message.last_error = None
        logger.info("mail %s sent", message_id)
        return
    message.last_error = describe(error)[:300]
    max_attempts = int(current_app.config.get("ATELIER_MAIL_MAX_ATTEMPTS") or 8)
    if message.attempts >= max_attempts:
        message.status = MailStatus.FAILED
        logger.warning(
            "mail %s failed after %s attempts: %s", message_id, message.attempts, message.last_error
        )
    else:
        message.status = MailStatus.QUEUED
        message.next_attempt_at = now + backoff(message.attempts)
        logger.info(
            "mail %s attempt %s failed (%s); next at %s",
            message_id,
            message.attempts,
            message.last_error,
            message.next_attempt_at.isoformat(timespec="seconds"),
        )


def _deliver(claimed: Sequence[int]) -> dict[int, BaseException | None]:
    """Send each claimed message over one connection; what became of each."""
    outcome: dict[int, BaseException | None] = {}
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.id.in_(claimed))
        .order_by(OutboxMessage.id)
        .options(selectinload(OutboxMessage.attachments).options(undefer(OutboxAttachment.data)))
    ).all()
    emails = [(message.id, message.to_address, build_email(message)) for message in messages]
    db.session.commit()  # no transaction held while talking to the server
    try:
        smtp = _connect(current_app.config)
    except (OSError, smtplib.SMTPException, ValueError) as error:
        return {message_id: error for message_id, _to, _email in emails}
    try:
        for message_id, to_address, email in emails:
            try:
                smtp.send_message(email, to_addrs=[to_address])
            except smtplib.SMTPServerDisconnected as error:
                outcome[message_id] = error
                break
            except (OSError, smtplib.SMTPException) as error:
                outcome[message_id] = error
            else:
                outcome[message_id] = None
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    for message_id, _to, _email in emails:
        outcome.setdefault(message_id, smtplib.SMTPServerDisconnected())
    return outcome


def send_pending(limit: int = 50, *, now: datetime | None = None) -> int:
    """Send up to `limit` due messages; returns how many were sent. Without
    ATELIER_MAIL_HOST nothing is sent (the outbox keeps everything)."""
    if not is_configured():
        return 0
    started = now or datetime.now(UTC)
    claimed = _claim(limit, started)
    if not claimed:
        return 0
    outcome = _deliver(claimed)
    finished = now or datetime.now(UTC)
    with writing():
        for message_id in claimed:
            _record(message_id, outcome.get(message_id), finished)
        db.session.commit()
    return sum(1 for error in outcome.values() if error is None)
