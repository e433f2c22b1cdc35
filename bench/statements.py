"""The SQL statements a piece of work runs, for the bench scripts.

    with recording_statements(db.engine) as executed:
        client.get(url)
    len(executed), max(executed, key=lambda e: e.seconds)

One helper for every script that counts statements, so they all count the
same thing (each cursor execution, BEGIN included)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

_STARTED = "bench_statement_started"


@dataclass
class Executed:
    statement: str
    seconds: float = 0.0
    parameters: Any = None  # as given to the DB-API cursor (for an EXPLAIN)


@contextmanager
def recording_statements(engine: sa.Engine) -> Iterator[list[Executed]]:
    """Every statement the engine executes inside the block, with its time."""
    executed: list[Executed] = []

    def before(connection, _cursor, statement, parameters, *_args) -> None:
        executed.append(Executed(statement, parameters=parameters))
        connection.info[_STARTED] = (executed[-1], time.perf_counter())

    def after(connection, *_args) -> None:
        entry, started = connection.info.pop(_STARTED, (None, 0.0))
        if entry is not None:
            entry.seconds = time.perf_counter() - started

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield executed
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)
