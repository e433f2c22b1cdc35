"""A backup drill: `flask backup`, then `flask restore` into an empty
database, then the restored copy checked against the original.

    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/full.sqlite3
    .venv/bin/python bench/drill_backup.py --database-url sqlite:////tmp/full.sqlite3
    bash .ci/with-postgres.sh sh -c '.venv/bin/python bench/generate.py \\
        --database-url "$TEST_DATABASE_URL" && .venv/bin/python bench/drill_backup.py'

The database is one bench/generate.py filled (default: TEST_DATABASE_URL).
Before the backup, certificates are issued through the application in a
few completed sessions (their generated ones taken back), so that some hold
their frozen PDF bytes, and the report rows are caught up. The backup and
the restore run as an operator runs them (the flask commands, timed); the
restore goes to a new SQLite file, or a new database on the same
PostgreSQL server (dropped afterwards). Checked: every table's row count,
the restored report table against a rebuild of it (no row differs), and
each sampled certificate's stored bytes against its recorded SHA-256, in
the original and in the copy. Exits 1 if any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def app_for(url: str, key_dir: Path):
    from config import Config
    from training import create_app

    class DrillConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        ATELIER_KEY_DIR = str(key_dir)
        SECRET_KEY = "drill-only-secret"  # noqa: S105 (never serves a request)
        ATELIER_PUBLIC_URL = "https://atelier.example.org"

    return create_app(DrillConfig())


def issue_sample(url: str, key_dir: Path, sessions: int) -> list[str]:
    """Certificates issued by the application (frozen PDF and its hash) in
    `sessions` completed sessions; returns the serials that hold bytes."""
    from training.auth.models import Role, User
    from training.certificates import keys, services
    from training.extensions import db
    from training.models import Certificate, Enrollment, TrainingSession
    from training.reports.projection import catch_up, refresh_sessions

    app = app_for(url, key_dir)
    with app.app_context():
        session = db.session
        catch_up()
        if keys.root_key() is None:
            keys.create_keys()
        actor = session.scalar(sa.select(User).where(User.email == "drill@example.org"))
        if actor is None:
            actor = User(
                email="drill@example.org",
                name="Backup drill",
                password_hash="!",  # noqa: S106 (no password: it never signs in)
                role=Role.COORDINATOR,
                active=True,
            )
            session.add(actor)
        chosen = session.scalars(
            sa.select(TrainingSession.id)
            .where(
                TrainingSession.status == "completed",
                TrainingSession.kind != "training_of_trainers",
                # Sessions that earned certificates (the generator's last
                # sessions ran out of attendance records and earned none).
                sa.exists().where(
                    Enrollment.session_id == TrainingSession.id,
                    Certificate.enrollment_id == Enrollment.id,
                ),
            )
            .order_by(TrainingSession.end_date.desc(), TrainingSession.id)
            .limit(sessions)
        ).all()
        # Through the connection: the ORM would mark every report row stale.
        connection = session.connection()
        certificates = Certificate.__table__
        connection.execute(
            certificates.delete().where(
                certificates.c.enrollment_id.in_(
                    sa.select(Enrollment.id).where(Enrollment.session_id.in_(chosen))
                ),
                certificates.c.pdf.is_(None),
            )
        )
        refresh_sessions(connection, chosen)
        session.commit()
        for session_id in chosen:
            services.issue_all_eligible(session.get(TrainingSession, session_id), actor)
            session.commit()
        catch_up()
        serials = session.scalars(
            sa.select(Certificate.serial).where(Certificate.pdf.is_not(None))
        ).all()
        session.remove()
        db.engine.dispose()
    return list(serials)


def flask(arguments: list[str], url: str) -> float:
    environment = {
        **os.environ,
        "FLASK_APP": "wsgi",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ATELIER_ENV": "development",
    }
    started = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), *arguments],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    print(f"  $ flask {' '.join(arguments)}  ({elapsed:.1f} s)")
    for line in (result.stdout + result.stderr).strip().splitlines():
        print(f"    {line}")
    if result.returncode != 0:
        raise SystemExit(f"flask {arguments[0]} failed ({result.returncode})")
    return elapsed


def row_counts(url: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = sorted(sa.inspect(connection).get_table_names())
            return {
                table: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(table)))
                or 0
                for table in tables
            }
    finally:
        engine.dispose()


def stored_hashes(url: str, serials: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """{serial: (sha256 of the stored bytes, the recorded sha256)}."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT serial, pdf, pdf_sha256 FROM certificate WHERE serial IN :serials")
                .bindparams(sa.bindparam("serials", expanding=True))
                .bindparams(serials=serials)
            ).all()
    finally:
        engine.dispose()
    return {
        serial: (hashlib.sha256(pdf).hexdigest() if pdf is not None else None, recorded)
        for serial, pdf, recorded in rows
    }


def report_differences(url: str, key_dir: Path) -> int:
    from training.extensions import db
    from training.reports.projection import differences

    app = app_for(url, key_dir)
    with app.app_context():
        found = differences()
        db.session.remove()
        db.engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--sessions", type=int, default=3, help="sessions to issue in")
    parser.add_argument("--sample", type=int, default=50, help="certificates whose bytes to hash")
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument(
        "--key-dir", type=Path, default=None, help="signing keys, kept across drills (folder/keys)"
    )
    arguments = parser.parse_args()
    source = arguments.database_url
    if not source:
        parser.error("give --database-url (a database bench/generate.py filled)")
    folder = arguments.folder or Path(tempfile.mkdtemp(prefix="atelier-drill-"))
    key_dir = arguments.key_dir or folder / "keys"
    key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    engine_name = sa.engine.make_url(source).get_backend_name()
    print(f"Backup drill on {engine_name}; load average {loadavg()}", flush=True)

    started = time.perf_counter()
    serials = issue_sample(source, key_dir, arguments.sessions)
    print(f"  {len(serials)} certificates hold their PDF ({time.perf_counter() - started:.1f} s)")
    sample = sorted(serials)[: arguments.sample]

    backup = folder / f"atelier-{engine_name}.backup"
    backup_seconds = flask(["backup", str(backup)], source)
    size = backup.stat().st_size

    admin = None
    if engine_name == "sqlite":
        target = f"sqlite:///{folder / 'restored.sqlite3'}"
    else:
        name = f"atelier_restored_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(source, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        target = sa.engine.make_url(source).set(database=name).render_as_string(hide_password=False)
    try:
        restore_seconds = flask(["restore", str(backup), "--database-url", target], source)
        checked = time.perf_counter()
        original, restored = row_counts(source), row_counts(target)
        unequal = {
            table: (original.get(table), restored.get(table))
            for table in sorted(set(original) | set(restored))
            if original.get(table) != restored.get(table)
        }
        differing_rows = report_differences(target, key_dir)
        before, after = stored_hashes(source, sample), stored_hashes(target, sample)
        bad = [
            serial
            for serial in sample
            if not (
                before.get(serial, (None, None))[0]
                == after.get(serial, (None, None))[0]
                == after.get(serial, (None, None))[1]
                is not None
            )
        ]
        check_seconds = time.perf_counter() - checked
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    total_rows = sum(original.values())
    print(f"  tables: {len(original)}, rows: {total_rows:,}; backup file {size / 2**20:.1f} MiB")
    print(
        f"  row counts equal: {'yes' if not unequal else 'NO ' + repr(unequal)}; "
        f"report_training ({original.get('report_training', 0):,} rows) against a rebuild: "
        f"{differing_rows} rows differ; certificates' bytes: {len(sample) - len(bad)}/"
        f"{len(sample)} match their SHA-256"
    )
    print(
        f"  backup {backup_seconds:.1f} s, restore {restore_seconds:.1f} s, "
        f"checks {check_seconds:.1f} s; load average {loadavg()}"
    )
    ok = not unequal and differing_rows == 0 and not bad and len(sample) > 0
    print("  drill passed" if ok else "  DRILL FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
