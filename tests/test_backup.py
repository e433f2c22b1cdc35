"""Backups restore to the same rows: SQLite's online backup, pg_dump/pg_restore."""

import uuid

import pytest
import sqlalchemy as sa

from tests import factories
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
