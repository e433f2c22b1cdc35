"""Backups restore to the same rows: SQLite's online backup, pg_dump/pg_restore."""

import os
import stat
import subprocess
import uuid

import pytest
import sqlalchemy as sa

from tests import factories
from training import backup
from training.backup import restore_database
from training.extensions import db

# Threads or the CLI use connections of their own: real commits.
pytestmark = pytest.mark.committed


def _counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


def test_backup_then_restore_keeps_every_row(app, runner, tmp_path):
    enrollment = factories.enroll()
    factories.mark_all(enrollment)
    factories.make_user(role="admin")
    db.session.commit()
    expected = _counts(db.engine)
    assert expected["attendance_record"] == 6

    target = tmp_path / "atelier.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        restore_database(target, restored_url)
        restored = sa.create_engine(restored_url)
        with restored.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            assert violations == []
        assert _counts(restored) == expected
        restored.dispose()
        return

    name = f"atelier_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    restored_url = url.set(database=name)
    try:
        restore_database(target, restored_url)
        restored = sa.create_engine(restored_url)
        assert _counts(restored) == expected
        with restored.connect() as connection:
            # The constraints came back too: a duplicate enrollment is refused.
            constraint_names = connection.scalars(
                sa.text("SELECT conname FROM pg_constraint WHERE contype = 'u'")
            ).all()
        assert "uq_enrollment_participant_id_session_id" in constraint_names
        restored.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_backup_is_readable_by_its_owner_only(app, runner, tmp_path):
    factories.make_user(role="admin")
    db.session.commit()
    previous = os.umask(0o022)  # the usual umask would make it world-readable
    try:
        target = tmp_path / "backups" / "nightly" / "atelier.backup"
        result = runner.invoke(args=["backup", str(target)])
        overwritten = tmp_path / "yesterday.backup"
        assert runner.invoke(args=["backup", str(overwritten)]).exit_code == 0
        overwritten.chmod(0o644)  # as an older Atelier left it
        second = runner.invoke(args=["backup", str(overwritten)])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert second.exit_code == 0, second.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(overwritten.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(target.parent.parent.stat().st_mode) == 0o700


@pytest.fixture
def recorded_commands(monkeypatch):
    """pg_dump and pg_restore as they would be run: argv and environment."""
    calls = []

    def run(command, **options):
        calls.append((command, options.get("env") or {}))
        return subprocess.CompletedProcess(command, 0, stdout="", stderr="")

    monkeypatch.setattr(backup.subprocess, "run", run)
    return calls


def test_pg_dump_and_pg_restore_get_the_password_from_the_environment(recorded_commands, tmp_path):
    url = "postgresql+psycopg://atelier:S3cret-Pw%40x@db.example.org:5433/atelier?sslmode=require"
    backup.backup_database(url, tmp_path / "atelier.backup")
    backup.restore_database(tmp_path / "atelier.backup", url)
    assert len(recorded_commands) == 2
    for command, environment in recorded_commands:
        assert not any("S3cret" in argument for argument in command), command
        assert environment["PGPASSWORD"] == "S3cret-Pw@x"
        connection = next(argument for argument in command if "db.example.org" in argument)
        assert "atelier@db.example.org:5433/atelier?sslmode=require" in connection


def test_without_a_password_libpq_finds_its_own(recorded_commands, tmp_path, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    backup.backup_database("postgresql://atelier@db.example.org/atelier", tmp_path / "a.backup")
    _command, environment = recorded_commands[0]
    assert "PGPASSWORD" not in environment
    assert environment["PGPASSFILE"] == str(tmp_path / "pgpass")


@pytest.fixture
def empty_database(app, tmp_path):
    """A new empty database on the suite's engine."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored-by-cli.sqlite3'}"
        return
    name = f"atelier_cli_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_flask_restore_fills_an_empty_database_and_checks_it(app, runner, tmp_path, empty_database):
    factories.enroll()
    factories.make_user(role="admin")
    db.session.commit()
    expected = _counts(db.engine)
    target = tmp_path / "atelier.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    result = runner.invoke(args=["restore", str(target), "--database-url", empty_database])
    assert result.exit_code == 0, result.output
    assert "1 participant" in result.output and "1 training_session" in result.output
    restored = sa.create_engine(empty_database)
    assert _counts(restored) == expected
    restored.dispose()


def test_flask_restore_refuses_a_database_that_holds_tables(app, runner, tmp_path):
    target = tmp_path / "atelier.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    result = runner.invoke(args=["restore", str(target)])  # into the suite's own database
    assert result.exit_code != 0
    assert "already holds" in result.output and "empty database" in result.output
