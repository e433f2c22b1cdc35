"""Time the reports, their exports and the list pages on a generated database.

    .venv/bin/python bench/generate.py --scale 0.1 --database-url sqlite:///instance/bench.sqlite3
    .venv/bin/python bench/bench_reports.py --database-url sqlite:///instance/bench.sqlite3

Signs in as a coordinator through the test client, then for each page
prints the median and worst time of a few runs (after one warm-up) and the
number of SQL statements it ran. Run it on two scales and compare the
query counts: they must be equal. Targets: reports and exports under 1 s,
list pages under 100 ms. The participant-level export writes one row per
person-training, so it grows with the data and is shown apart.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from bench.generate import bench_app, default_url
from bench.statements import recording_statements
from training.auth.models import Role, User
from training.auth.services import hash_password
from training.extensions import db

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
    ("/", 1.0),
]
LIST_PAGES = [("/sessions", 0.1), ("/participants", 0.1), ("/curricula", 0.1)]
GROWING = [("/reports/export-participants.xlsx?date_from=2025-01-01", None)]


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


def measure(client, url: str, runs: int, profile: bool = False) -> tuple[int, float, float, int]:
    client.get(url)  # warm-up: caches, compiled statements, page cache
    timings = []
    for _ in range(runs):
        db.session.remove()
        with recording_statements(db.engine) as executed:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
    if profile:
        # The slowest statements of the last run: where the time goes.
        for entry in sorted(executed, key=lambda entry: entry.seconds, reverse=True)[:5]:
            print(f"    {entry.seconds * 1000:7.0f}ms  {' '.join(entry.statement.split())[:110]}")
    return response.status_code, statistics.median(timings), max(timings), len(executed)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--profile", action="store_true", help="print the slowest SQL statements of each page"
    )
    arguments = parser.parse_args()
    app = bench_app(arguments.database_url)
    with app.app_context():
        ensure_coordinator()
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
        path = url.split("?")[0]
        if path not in ("/",) and not any(rule.rule == path for rule in app.url_map.iter_rules()):
            print(f"{url:<72} {'absent':>6}")
            continue
        with app.app_context():
            status, median, worst, queries = measure(client, url, arguments.runs, arguments.profile)
        verdict = ""
        if target is not None:
            ok = status == 200 and median < target
            failures += not ok
            verdict = f"< {target * 1000:.0f} ms {'ok' if ok else 'SLOW'}"
        print(
            f"{url:<72} {status:>6} {median * 1000:>7.0f}ms {worst * 1000:>7.0f}ms "
            f"{queries:>8} {verdict}"
        )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
