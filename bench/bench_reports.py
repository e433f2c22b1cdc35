"""Time the reports, their exports and the list pages on a generated database.

    .venv/bin/python bench/generate.py --scale 0.1 --database-url sqlite:///instance/bench.sqlite3
    .venv/bin/python bench/bench_reports.py --database-url sqlite:///instance/bench.sqlite3

Signs in as a coordinator through the test client, then for each page
prints the median and worst time of a few runs (after one warm-up) and the
number of SQL statements it ran. Run it on two scales and compare the
query counts: they must be equal. Targets: reports and exports under 1 s,
list pages under 100 ms, the coordinator's home under 150 ms. The
participant-level export writes one row per person-training, so it grows
with the data and is shown apart.

The reports' table is caught up first (`projection.catch_up()`, timed:
generate.py rebuilds it, so there should be nothing to do), so the pages
are measured on current rows; --check also counts the rows that differ from
a rebuild (must be 0; seconds at full scale). Then the cost of catching up
(issue 10: writes only mark `report_stale`; a report catches up before
reading): one session's attendance is changed and committed, and the
reports page is timed right after (one stale session), --runs times, then
the catch-up alone. --explain prints the plan of each page's slowest
statement (EXPLAIN QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.generate import bench_app, default_url
from bench.statements import recording_statements
from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.auth.models import Role, User
from training.auth.services import hash_password
from training.enrollment.models import Enrollment
from training.extensions import db
from training.reports import projection
from training.sessions.models import Period, SessionStatus, TrainingSession

PASSWORD = "Bench-Coordinator-2026"  # noqa: S105  (a local benchmark account)
EMAIL = "bench-coordinator@bench.example"

REPORT_PAGES = [
    ("/reports", 1.0),
    ("/reports?country=ML&theme=counter_terrorism&date_from=2022-01-01", 1.0),
    ("/reports?organisation_kind=customs", 1.0),
    ("/reports/export.csv", 1.0),
    ("/reports/export.xlsx", 1.0),
    ("/reports/donor-report.pdf", 1.0),
    ("/reports/participants?sex=F", 1.0),
    ("/reports/sessions?theme=drugs", 1.0),
    ("/", 0.15),
]
LIST_PAGES = [("/sessions", 0.1), ("/participants", 0.1), ("/curricula", 0.1)]
GROWING = [("/reports/export-participants.csv?date_from=2025-01-01", None)]


def ensure_coordinator() -> None:
    user = db.session.scalar(sa.select(User).where(User.email == EMAIL))
    if user is None:
        db.session.add(
            User(
                email=EMAIL,
                name="Bench Coordinator",
                password_hash=hash_password(PASSWORD),
                role=Role.COORDINATOR,
                locale="en",
            )
        )
        db.session.commit()


def measure(
    client, url: str, runs: int, profile: bool = False, explain: bool = False
) -> tuple[int, float, float, int]:
    client.get(url)  # warm-up: caches, compiled statements, page cache
    timings = []
    for _ in range(runs):
        db.session.remove()
        with recording_statements(db.engine) as executed:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
    # The test client's requests share this application context, so the
    # session of the last request is still open (on SQLite: with its lock).
    db.session.remove()
    slowest = sorted(executed, key=lambda entry: entry.seconds, reverse=True)
    if profile:
        # The slowest statements of the last run: where the time goes.
        for entry in slowest[:5]:
            print(f"    {entry.seconds * 1000:7.0f}ms  {' '.join(entry.statement.split())[:110]}")
    if explain and slowest:
        print_plan(slowest[0])
    return response.status_code, statistics.median(timings), max(timings), len(executed)


def print_plan(entry) -> None:
    """The statement in full and its plan, as the engine runs it."""
    print(f"    slowest statement ({entry.seconds * 1000:.0f} ms), parameters {entry.parameters}:")
    for line in entry.statement.strip().splitlines():
        print(f"      {line}")
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            prefix = "EXPLAIN (ANALYZE, BUFFERS) "
        else:
            prefix = "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + entry.statement, entry.parameters).all()
    print("    plan:")
    for row in rows:
        print(f"      {row[-1] if len(row) > 1 else row[0]}")


def catch_up_first(check: bool) -> None:
    """Catch the reports' table up before measuring anything, and say what
    that took (generate.py rebuilds it, so there should be nothing left)."""
    with recording_statements(db.engine) as executed:
        started = time.perf_counter()
        rewritten = projection.catch_up()
        elapsed = time.perf_counter() - started
    what = "whole table rebuilt" if rewritten < 0 else f"{rewritten} sessions rewritten"
    print(f"Caught up before measuring: {what}, {elapsed * 1000:.0f} ms, {len(executed)} queries")
    if check:
        started = time.perf_counter()
        differing = projection.differences()
        elapsed = time.perf_counter() - started
        print(f"Rows differing from a rebuild: {differing} (checked in {elapsed:.1f} s)")
        db.session.rollback()


def stale_session_id() -> tuple[int, date, int]:
    """The latest completed session with attendance: (id, first day, its
    morning records)."""
    row = db.session.execute(
        sa.select(TrainingSession.id, TrainingSession.start_date, sa.func.count())
        .join(Enrollment, Enrollment.session_id == TrainingSession.id)
        .join(AttendanceRecord, AttendanceRecord.enrollment_id == Enrollment.id)
        .where(
            TrainingSession.status == SessionStatus.COMPLETED,
            AttendanceRecord.date == TrainingSession.start_date,
            AttendanceRecord.period == Period.AM,
        )
        .group_by(TrainingSession.id, TrainingSession.start_date)
        .order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc())
        .limit(1)
    ).one()
    db.session.rollback()
    return row[0], row[1], row[2]


def change_attendance(session_id: int, day: date, status: AttendanceStatus) -> None:
    """One session's morning of `day`, every record set to `status` through
    the ORM (so the flush marks the session stale), committed."""
    records = db.session.scalars(
        sa.select(AttendanceRecord)
        .join(Enrollment, Enrollment.id == AttendanceRecord.enrollment_id)
        .where(
            Enrollment.session_id == session_id,
            AttendanceRecord.date == day,
            AttendanceRecord.period == Period.AM,
        )
    ).all()
    for record in records:
        record.status = status
    db.session.commit()
    db.session.remove()


def measure_one_stale(client, runs: int) -> int:
    """The reports page right after one session's attendance changed, and
    the catch-up alone; returns 1 when a figure misses its target."""
    with client.application.app_context():
        session_id, day, records = stale_session_id()
        print(
            f"\nOne stale session: session {session_id}, the {records} records of its first "
            f"morning ({day}) changed and committed before each run"
        )
        statuses = (AttendanceStatus.ABSENT, AttendanceStatus.PRESENT)
        pages, page_queries, alone, alone_queries = [], 0, [], 0
        for index in range(runs):
            change_attendance(session_id, day, statuses[index % 2])
            assert projection.is_stale()
            db.session.remove()
            with recording_statements(db.engine) as executed:
                started = time.perf_counter()
                response = client.get("/reports")
                pages.append(time.perf_counter() - started)
            page_queries = len(executed)
            assert response.status_code == 200 and not projection.is_stale()
            db.session.remove()
        for index in range(runs):
            change_attendance(session_id, day, statuses[(runs + index) % 2])
            with recording_statements(db.engine) as executed:
                started = time.perf_counter()
                rewritten = projection.catch_up()
                alone.append(time.perf_counter() - started)
            alone_queries = len(executed)
            assert rewritten == 1
            db.session.remove()
        # Leave the data as generated (the morning's records all present is
        # not how they were generated; the rows stay caught up either way).
    page, catch = statistics.median(pages), statistics.median(alone)
    print(
        f"{'/reports, one stale session':<72} {response.status_code:>6} {page * 1000:>7.0f}ms "
        f"{max(pages) * 1000:>7.0f}ms {page_queries:>8} < 1000 ms {'ok' if page < 1 else 'SLOW'}"
    )
    print(
        f"{'projection.catch_up() alone, one stale session':<72} {'':>6} {catch * 1000:>7.0f}ms "
        f"{max(alone) * 1000:>7.0f}ms {alone_queries:>8} < 100 ms {'ok' if catch < 0.1 else 'SLOW'}"
    )
    return int(page >= 1) + int(catch >= 0.1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="print the slowest SQL statements of each page"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print the plan of each page's slowest statement"
    )
    parser.add_argument(
        "--check", action="store_true", help="count the rows that differ from a rebuild"
    )
    parser.add_argument("--only", help="measure only the pages whose URL starts with this")
    parser.add_argument("--no-stale", action="store_true", help="skip the one-stale-session run")
    arguments = parser.parse_args()
    app = bench_app(arguments.database_url)
    print("Load average (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    with app.app_context():
        ensure_coordinator()
        catch_up_first(arguments.check)
        counts = {
            name: db.session.scalar(sa.text(f'SELECT COUNT(*) FROM "{name}"'))
            for name in ("participant", "training_session", "enrollment", "attendance_record")
        }
    print(f"Database: {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}")
    print("Rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()))
    print(f"{'page':<72} {'status':>6} {'median':>9} {'worst':>9} {'queries':>8} target")
    client = app.test_client()
    response = client.post("/login", data={"email": EMAIL, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit("Could not sign in as the bench coordinator.")
    failures = 0
    for url, target in REPORT_PAGES + LIST_PAGES + GROWING:
        if arguments.only and not url.startswith(arguments.only):
            continue
        path = url.split("?")[0]
        if path not in ("/",) and not any(rule.rule == path for rule in app.url_map.iter_rules()):
            print(f"{url:<72} {'absent':>6}")
            continue
        with app.app_context():
            status, median, worst, queries = measure(
                client, url, arguments.runs, arguments.profile, arguments.explain
            )
        verdict = ""
        if target is not None:
            ok = status == 200 and median < target
            failures += not ok
            verdict = f"< {target * 1000:.0f} ms {'ok' if ok else 'SLOW'}"
        print(
            f"{url:<72} {status:>6} {median * 1000:>7.0f}ms {worst * 1000:>7.0f}ms "
            f"{queries:>8} {verdict}"
        )
    if not arguments.no_stale:
        failures += measure_one_stale(client, arguments.runs)
    print("Load average (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
