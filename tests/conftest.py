"""Shared fixtures: an application on a clean database for every test.

The database is SQLite in a temporary file by default, or the PostgreSQL
named by TEST_DATABASE_URL (`make test` runs the suite on both). The schema is
created once per run.

Each test runs inside one transaction that is rolled back at its end: the
session is bound to a single connection with join_transaction_mode
"create_savepoint", so a view's or service's `db.session.commit()` only
releases a savepoint (SQLAlchemy 2.0's "joining a session into an external
transaction", as Indico's test fixtures do). Tests that need real commits
(threads with their own connections, the CLI's backups and migrations) are
marked `@pytest.mark.committed`: they commit for real and the tables are
emptied after them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
import sqlalchemy as sa
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient

from config import TestConfig
from training import create_app
from training.extensions import db, limiter

DEMO_PASSWORD = "atelier-demo"
TEST_PASSWORD = "Correct-Horse-Battery-7"


class IsolatedClient(FlaskClient):
    """A test client whose requests do not share `flask.g` with each other.

    Tests run inside an application context, which Flask reuses for every
    request of the test client; without this, Flask-Login's cached user in
    `g` would leak from one request into the next, which never happens in
    production where each request gets its own context."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'atelier-test.sqlite3'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def _app(database_url: str) -> Iterator[Flask]:
    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config())
    app.test_client_class = IsolatedClient
    _honour_a_bound_connection()
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _honour_a_bound_connection() -> None:
    """Flask-SQLAlchemy's Session.get_bind always answers with the app's
    engine; make the sessions of `db` use the connection they were configured
    with, when one is (only inside the `app` fixture)."""
    session_class = db.session.session_factory.class_
    choose_engine = session_class.get_bind

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if bind is None and self.bind is not None:
            return self.bind
        return choose_engine(self, mapper=mapper, clause=clause, bind=bind, **kwargs)

    session_class.get_bind = get_bind


@contextmanager
def _inside_one_transaction() -> Iterator[None]:
    """Bind `db.session` to one connection whose transaction is rolled back at
    the end; commits inside release savepoints. The outer BEGIN is whatever
    the engine's "begin" event issues (BEGIN IMMEDIATE or DEFERRED on SQLite),
    and SAVEPOINT works under either."""
    factory = db.session.session_factory
    defaults = dict(factory.kw)
    db.session.remove()
    connection = db.engine.connect()
    transaction = connection.begin()
    factory.kw.update(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        db.session.remove()
        factory.kw.clear()
        factory.kw.update(defaults)
        transaction.rollback()
        connection.close()


def _empty_tables() -> None:
    db.session.remove()
    tables = [table.name for table in db.metadata.sorted_tables]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{name}"' for name in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(sa.text(f'DELETE FROM "{name}"'))


def _assert_reports_match_rebuild() -> None:
    """Every write path must keep the reports' rows equal to a rebuild from
    the source tables (training/reports/projection.py): checked after each
    test, on what the test left (committed, or released into its
    transaction)."""
    from training.reports.projection import catch_up, differences

    try:
        catch_up()  # what the test's writes marked stale, as a report would
        stale = differences(db.session.connection())
    finally:
        db.session.rollback()
    assert stale == 0, f"report_training differs from a rebuild in {stale} rows"


@pytest.fixture
def app(_app: Flask, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """The application, inside an application context, on a database that
    the test's own transaction keeps clean (see the module docstring)."""
    _app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=True)
    committed = request.node.get_closest_marker("committed") is not None
    with _app.app_context():
        limiter.reset()
        if committed:
            try:
                yield _app
                db.session.rollback()
                _assert_reports_match_rebuild()
            finally:
                _empty_tables()
        else:
            with _inside_one_transaction():
                yield _app
                db.session.rollback()
                _assert_reports_match_rebuild()


_SAVEPOINT = re.compile(r"\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


@contextmanager
def _counting_statements() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        # The savepoints are the test fixture's, not the application's.
        if not _SAVEPOINT.match(statement):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], AbstractContextManager[list[str]]]:
    """`with count_queries() as statements:` lists the SQL statements run
    inside, leaving out the savepoints that the test's transaction adds."""
    return _counting_statements


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


class AuthActions:
    """Sign a test client in and out as a given user."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user_or_email, password: str = TEST_PASSWORD, follow_redirects: bool = False):
        email = getattr(user_or_email, "email", user_or_email)
        return self._client.post(
            "/login",
            data={"email": email, "password": password},
            follow_redirects=follow_redirects,
        )

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def login_as(client: FlaskClient, auth: AuthActions):
    """`login_as("coordinator")` creates a user of that role and signs in;
    returns the user. `login_as(user)` signs in an existing user."""
    from tests import factories

    def _login_as(role_or_user, **attributes):
        if isinstance(role_or_user, str):
            user = factories.make_user(role=role_or_user, **attributes)
            db.session.commit()
        else:
            user = role_or_user
        response = auth.login(user)
        assert response.status_code == 303, "sign-in failed in a test"
        return user

    return _login_as


@pytest.fixture
def csrf_app(app: Flask) -> Iterator[Flask]:
    """The application with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"
