"""Helpers for the people area's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from training.extensions import db

ROLES = ("admin", "coordinator", "trainer", "participant")


@contextmanager
def _counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def count_queries():
    """`with count_queries() as statements:` lists the SQL run inside."""
    return _counting
