"""Files that hold personal data are created readable by their owner only:
the SQLite database with its -wal and -shm files; uploads waiting for import
are in the database. (Backups: tests/test_backup.py.)"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from config import TestConfig
from tests import factories
from training import create_app
from training.extensions import db


@pytest.fixture(autouse=True)
def _permissive_umask():
    """The usual umask (022) would make new files world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_files_are_private(tmp_path):
    database = tmp_path / "instance" / "atelier.sqlite3"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    app = create_app(Config())
    with app.app_context():
        with db.engine.connect() as connection:
            connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO probe VALUES (1)")
            connection.commit()
            files = {path.name: mode(path) for path in database.parent.iterdir()}
        db.engine.dispose()
    assert files == {
        "atelier.sqlite3": 0o600,
        "atelier.sqlite3-wal": 0o600,
        "atelier.sqlite3-shm": 0o600,
    }
    assert mode(database.parent) == 0o700


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    database = tmp_path / "atelier.sqlite3"
    database.touch(mode=0o644)

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"

    app = create_app(Config())
    with app.app_context():
        db.engine.dispose()
    assert mode(database) == 0o600


def test_an_upload_waiting_for_import_leaves_nothing_on_disk(app, client, login_as, tmp_path):
    """The file waits in the database (0600 on SQLite), not in a folder of
    one server."""
    before = {path for path in Path(app.instance_path).rglob("*")}
    training_session = factories.make_session()
    db.session.commit()
    login_as("coordinator")
    content = "given_name,family_name,sex,nationality\nMoussa,Traoré,M,Mali\n".encode()
    response = client.post(
        f"/sessions/{training_session.id}/import",
        data={"file": (io.BytesIO(content), "nominees.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert {path for path in Path(app.instance_path).rglob("*")} == before
