"""Which transactions take SQLite's write lock.

SQLite lets one writer at a time. A transaction that will write begins with
BEGIN IMMEDIATE: it takes the write lock at once, so it never has to upgrade
a read snapshot that another writer has meanwhile made stale. A transaction
that only reads begins with a plain (deferred) BEGIN and takes no lock, so
two report pages read side by side. What a transaction intends is known
here: requests with a safe method (GET, HEAD, OPTIONS) read; everything else
(forms, the CLI, background work) writes; a write made while reading (the
reports' catch-up, the audit of a refused request) runs in `writing()`,
a transaction of its own. PostgreSQL ignores all this: its row locks do the
job (training.sessions.services.lock_session).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reading: ContextVar[bool] = ContextVar("atelier_reading", default=False)


def begin_statement() -> str:
    """How SQLite begins the transaction starting now."""
    return "BEGIN" if _reading.get() else "BEGIN IMMEDIATE"


def start_reading() -> Token[bool]:
    """From now on in this context, transactions only read (a safe request)."""
    return _reading.set(True)


def stop_reading(token: Token[bool]) -> None:
    _reading.reset(token)


@contextmanager
def reading() -> Iterator[None]:
    token = start_reading()
    try:
        yield
    finally:
        stop_reading(token)


@contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take the write lock at BEGIN (the caller
    ends the one in progress first)."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)
