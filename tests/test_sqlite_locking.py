"""Only transactions that write take SQLite's write lock (issue 10): two
report reads run side by side instead of one waiting for the other, and a
form still writes under the lock from its BEGIN."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tests import factories
from training.extensions import db
from training.transactions import begin_statement, reading, writing

pytestmark = pytest.mark.committed


def _sqlite_file(app) -> bool:
    url = db.engine.url
    return url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")


def test_reads_begin_without_the_write_lock_and_writes_with_it():
    assert begin_statement() == "BEGIN IMMEDIATE"  # the CLI, forms, work in the background
    with reading():
        assert begin_statement() == "BEGIN"
        with writing():  # a write made while reading: a transaction of its own
            assert begin_statement() == "BEGIN IMMEDIATE"
        assert begin_statement() == "BEGIN"


def test_two_concurrent_report_reads_do_not_wait_for_each_other(app):
    """Both threads open a read transaction and hold it; with BEGIN
    IMMEDIATE for reads the second would wait for the first (which waits
    at the barrier), and the barrier would break."""
    if not _sqlite_file(app):
        pytest.skip("SQLite's write lock; PostgreSQL readers never block each other")
    factories.make_session()
    db.session.commit()
    db.session.remove()
    both_reading = threading.Barrier(2, timeout=5)
    waited: list[float] = []
    errors: list[BaseException] = []

    def read() -> None:
        with app.app_context(), reading():
            try:
                started = time.monotonic()
                db.session.scalar(sa.text("SELECT count(*) FROM training_session"))
                waited.append(time.monotonic() - started)
                both_reading.wait()  # each holds its transaction open here
                db.session.scalar(sa.text("SELECT count(*) FROM report_training"))
                db.session.commit()
            except BaseException as error:  # the test fails on it below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert max(waited) < 1.0


def test_a_get_reads_and_a_post_writes(app, client, login_as, count_queries):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's BEGIN")
    login_as("coordinator")
    db.session.remove()
    with count_queries() as statements:
        assert client.get("/sessions").status_code == 200
    assert statements[0] == "BEGIN"
    db.session.remove()  # each request its own transaction, as in production
    with count_queries() as statements:
        client.post("/language", data={"locale": "fr", "next": "/"})
    assert "BEGIN IMMEDIATE" in statements


def test_a_page_reads_while_another_connection_holds_the_write_lock(app, client, login_as):
    """Issue 18: gunicorn's workers read side by side. A form saving in
    another worker holds SQLite's write lock; list and session pages still
    answer at once (a deferred BEGIN waits for no one), while a writer
    would wait."""
    if not _sqlite_file(app):
        pytest.skip("SQLite's write lock")
    import sqlite3

    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    session_id = training_session.id
    assert client.get("/reports").status_code == 200  # the reports caught up (their one write)
    db.session.remove()
    writer = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another worker's form, mid-save
        for path in ("/sessions", "/participants", f"/sessions/{session_id}", "/reports"):
            started = time.monotonic()
            response = client.get(path)
            assert response.status_code == 200, path
            assert time.monotonic() - started < 5.0, path  # the busy timeout is 10 s
        other = sqlite3.connect(db.engine.url.database, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # a writer would wait
            other.execute("BEGIN IMMEDIATE")
        other.close()
    finally:
        db.session.remove()
        writer.execute("ROLLBACK")
        writer.close()
