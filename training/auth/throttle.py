"""Attempt limits that hold with several workers: counted in the database,
atomically, before the secret is checked.

A caller reserves an attempt (`reserve`), checks the password, then either
keeps the reservation (a failure, already counted) or gives it back
(`refund`, `clear`). Parallel guesses therefore cannot all be evaluated: each
one takes its place in the count before its password is looked at.

Two kinds of limit:

- a fixed window (`Policy(limit, window)`): `limit` attempts per window, then
  refused until the window ends. Used per address.
- a back-off (`Policy(..., backoff=True)`): `limit` free attempts, then one
  attempt at a time after a delay that doubles up to `max_delay`. The delay
  is short, so a stranger who knows an account cannot lock its owner out:
  the right password still gets through once the delay has passed. Used per
  account.

The sign-in, the password change and (later) the password reset share this
one mechanism; each names its policies in `training/auth/services.py`.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from training.auth.models import Throttle
from training.extensions import db


@dataclass(frozen=True)
class Policy:
    name: str
    limit: int
    window: timedelta
    backoff: bool = False
    max_delay: timedelta = timedelta(minutes=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the `attempts`-th attempt of a back-off policy."""
        if not self.backoff or attempts < self.limit:
            return timedelta()
        exponent = min(attempts - self.limit, 30)
        return min(timedelta(seconds=2**exponent), self.max_delay)


class TooManyAttempts(Exception):
    """Refused before the secret was checked; `retry_after` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def key_for(policy: Policy, subject: str) -> str:
    """The row's key: the policy's name and a digest of the subject (an
    address or an email), so the table holds no personal data in clear."""
    digest = hashlib.sha256(subject.encode("utf-8")).hexdigest()[:40]
    return f"{policy.name}:{digest}"


def _insert_if_missing(key: str, now: datetime) -> None:
    values = {"key": key, "attempts": 0, "window_start": now, "not_before": now}
    dialect = db.session.get_bind().dialect.name
    statement: sa.Insert
    if dialect == "postgresql":
        statement = postgresql.insert(Throttle).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(Throttle).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - Atelier runs on SQLite and PostgreSQL
        raise RuntimeError(f"no throttle for {dialect}")
    db.session.execute(statement)


def reserve(policy: Policy, subject: str, *, now: datetime | None = None) -> None:
    """Count one attempt for `subject` under `policy`, or raise
    TooManyAttempts without counting it. Commits at once, in its own
    transaction, so that every worker sees the count before the secret is
    checked. The first statement writes (the row is inserted if missing):
    SQLite takes its write lock there, and PostgreSQL locks the row with
    FOR UPDATE, so two workers never read the same count."""
    now = now or datetime.now(UTC)
    key = key_for(policy, subject)
    db.session.commit()  # nothing of the request's transaction is mixed in
    try:
        _insert_if_missing(key, now)
        row = db.session.scalars(
            sa.select(Throttle)
            .where(Throttle.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        refused_for = _refusal(policy, row, now)
        if refused_for is not None:
            db.session.rollback()
            raise TooManyAttempts(max(1, math.ceil(refused_for.total_seconds())))
        if now - row.window_start >= policy.window:
            row.attempts, row.window_start = 0, now
        row.attempts += 1
        if policy.backoff:
            row.window_start = now  # a quiet window, counted from the last attempt
            row.not_before = now + policy.delay(row.attempts)
        db.session.commit()
    except TooManyAttempts:
        raise
    except Exception:
        db.session.rollback()
        raise


def _refusal(policy: Policy, row: Throttle, now: datetime) -> timedelta | None:
    """How long until `row` takes another attempt, or None if it takes one now."""
    if now - row.window_start >= policy.window:
        return None  # a new window
    if row.attempts < policy.limit:
        return None if now >= row.not_before else row.not_before - now
    if policy.backoff:
        return None if now >= row.not_before else row.not_before - now
    return row.window_start + policy.window - now


def refund(policy: Policy, subject: str) -> None:
    """Give back one reserved attempt (the secret was right)."""
    db.session.execute(
        sa.update(Throttle)
        .where(Throttle.key == key_for(policy, subject), Throttle.attempts > 0)
        .values(attempts=Throttle.attempts - 1)
    )


def clear(policy: Policy, subject: str) -> None:
    """Forget every attempt for `subject` (the account's owner signed in)."""
    db.session.execute(sa.delete(Throttle).where(Throttle.key == key_for(policy, subject)))
