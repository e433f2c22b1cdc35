"""Database backups: SQLite's online backup API, PostgreSQL's pg_dump.

Both produce a file that `restore` (or `pg_restore`) turns back into a
database with the same rows; the tests restore and compare row counts.
A backup holds every personal record: it is written readable by its owner
only (0600, in folders of mode 0700 when they are created), and the database
password reaches pg_dump and pg_restore through PGPASSWORD, never their
command line, which any local user can read (`ps`, /proc/<pid>/cmdline).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from training.private_files import private_file


class BackupError(RuntimeError):
    pass


def backup_database(url: sa.engine.URL | str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target` while the
    application keeps running (no lock held for long on either engine)."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise BackupError("an in-memory SQLite database cannot be backed up")
        private_file(target)
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    if url.get_backend_name() == "postgresql":
        pg_dump = shutil.which("pg_dump") or "/usr/lib/postgresql/15/bin/pg_dump"
        private_file(target)  # pg_dump truncates it and keeps its mode
        command = [pg_dump, "--format=custom", "--no-owner", f"--file={target}", _libpq_url(url)]
        result = subprocess.run(  # noqa: S603 (fixed program, no shell)
            command, capture_output=True, text=True, check=False, env=_libpq_environment(url)
        )
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore_database(backup: Path, url: sa.engine.URL | str) -> None:
    """Restore a backup made by backup_database into the (empty) database at `url`."""
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise ValueError("no database file to restore into: in-memory SQLite")
        private_file(Path(url.database))
        with sqlite3.connect(backup) as source, sqlite3.connect(url.database) as target:
            source.backup(target)
        return
    pg_restore = shutil.which("pg_restore") or "/usr/lib/postgresql/15/bin/pg_restore"
    command = [
        pg_restore,
        "--no-owner",
        "--exit-on-error",
        f"--dbname={_libpq_url(url)}",
        str(backup),
    ]
    result = subprocess.run(  # noqa: S603 (fixed program, no shell)
        command, capture_output=True, text=True, check=False, env=_libpq_environment(url)
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _libpq_url(url: sa.engine.URL) -> str:
    """The connection URL for libpq's tools, without its password."""
    without_password = sa.engine.URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return without_password.render_as_string(hide_password=False)


def _libpq_environment(url: sa.engine.URL) -> dict[str, str]:
    """This process's environment, plus PGPASSWORD when the URL has a
    password; without one, libpq reads PGPASSWORD or PGPASSFILE (~/.pgpass)
    as the operator set them."""
    environment = dict(os.environ)
    if url.password is not None:
        environment["PGPASSWORD"] = str(url.password)
    return environment
