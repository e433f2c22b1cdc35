"""Issuing a large batch of certificates as a job, on one core and on two.

    .venv/bin/python bench/bench_issue.py [--certificates 5000] [--processes 1,2]

Builds once, in a temporary folder, a SQLite database holding one completed
session with --certificates confirmed participants who attended every
half-day (and the signing keys). Then, for each --processes value, on a
fresh copy of that database and in a fresh interpreter (no font, QR or
statement cache warmed by an earlier run), pinned to that many cores
(sched_setaffinity) with ATELIER_RENDER_PROCESSES set to it:

- a coordinator posts "Issue all eligible" through the test client, with
  the embedded thread runner (the default): the request only queues the
  job and answers 303;
- the job's page (/jobs/<id>.json) is read every half second, as the
  page's refresh does, until the job is done;
- it prints the request's time, the slowest poll, the job's time,
  certificates per second and the load average; then the ratio of the
  rates of the first and last runs.

Target (issue 18): no request longer than a few seconds, and two cores at
least 1.5x as fast as one.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START = date(2026, 3, 2)
TARGET_RATIO = 1.5


def _config(folder: Path, database: Path):
    from config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{database}"
        ATELIER_KEY_DIR = str(folder / "keys")
        ATELIER_PUBLIC_URL = "https://atelier.example.org"
        ATELIER_JOB_RUNNER = "thread"

    return BenchConfig()


def build(folder: Path, certificates: int) -> None:
    """The template database: a completed session of `certificates`
    graduates, a coordinator, the keys."""
    import sqlalchemy as sa

    from tests import factories
    from training import create_app
    from training.attendance.models import AttendanceRecord
    from training.certificates.keys import ensure_keys
    from training.enrollment.models import Enrollment
    from training.extensions import db
    from training.models import Period, SessionStatus
    from training.people.models import Participant
    from training.text import match_key, search_key, sound_key

    app = create_app(_config(folder, folder / "template.sqlite3"))
    with app.app_context():
        db.create_all()
        coordinator = factories.make_user("coordinator", email="bench@example.org")
        organisation = factories.make_organisation(country="ML")
        training_session = factories.make_session(
            status=SessionStatus.COMPLETED,
            start_date=START,
            capacity=certificates,
            code="ML-2026-BENCH",
        )
        db.session.flush()
        # Core inserts, as bench/generate.py does: the rows the ORM would write.
        now = datetime.now(UTC)
        people, enrollments, records = [], [], []
        for number in range(1, certificates + 1):
            given, family = "Aïcha Françoise", f"Traoré-Maïga {number:05d}"
            people.append(
                {
                    "id": number,
                    "given_name": given,
                    "family_name": family,
                    "search_name": search_key(given, family),
                    "match_name": match_key(given, family),
                    "sound_name": sound_key(given, family),
                    "sex": "F" if number % 4 == 0 else "M",
                    "nationality": "ML",
                    "organisation_id": organisation.id,
                    "rank": "Commissaire",
                    "function": "Investigator",
                    "email": f"p{number}@bench.example",
                    "consent_recorded_at": now,
                    "created_at": now,
                }
            )
            enrollments.append(
                {
                    "id": number,
                    "participant_id": number,
                    "session_id": training_session.id,
                    "status": "confirmed",
                    "pre_test_score": 45,
                    "post_test_score": 80 if number % 5 else 40,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            records += [
                {
                    "enrollment_id": number,
                    "date": day,
                    "period": period.value,
                    "status": "present",
                    "recorded_at": now,
                    "version": 1,
                }
                for day in training_session.days
                for period in Period
            ]
        for table, rows in (
            (Participant.__table__, people),
            (Enrollment.__table__, enrollments),
            (AttendanceRecord.__table__, records),
        ):
            for start in range(0, len(rows), 2000):
                db.session.execute(sa.insert(table), rows[start : start + 2000])
        ensure_keys()
        db.session.commit()
        print(
            json.dumps(
                {"session_id": training_session.id, "coordinator": coordinator.email},
            ),
            file=(folder / "world.json").open("w"),
        )
        db.session.remove()
        db.engine.dispose()


def worker(folder: Path, processes: int) -> None:
    """One run, in this fresh interpreter: post, poll, report (JSON)."""
    import sqlalchemy as sa

    from tests.factories import TEST_PASSWORD
    from training import create_app
    from training.certificates.models import Certificate
    from training.extensions import db
    from training.jobs import runner

    os.sched_setaffinity(0, set(range(processes)))
    world = json.loads((folder / "world.json").read_text())
    database = folder / f"run-{processes}.sqlite3"
    shutil.copyfile(folder / "template.sqlite3", database)
    config = _config(folder, database)
    config.ATELIER_RENDER_PROCESSES = processes  # type: ignore[attr-defined]
    app = create_app(config)
    # Each request in its own application context, as under a server.
    client = app.test_client()
    client.post("/login", data={"email": world["coordinator"], "password": TEST_PASSWORD})
    load_before = os.getloadavg()
    started = time.perf_counter()
    response = client.post(f"/sessions/{world['session_id']}/certificates/issue")
    asked = time.perf_counter() - started
    assert response.status_code == 303, response.status_code
    job_url = response.headers["Location"]
    slowest_poll, polls, status = 0.0, 0, {}
    while True:
        time.sleep(0.5)
        polled = time.perf_counter()
        status = client.get(f"{job_url}.json").get_json()
        slowest_poll = max(slowest_poll, time.perf_counter() - polled)
        polls += 1
        if status["finished"]:
            break
    elapsed = time.perf_counter() - started
    runner.stop()
    with app.app_context():
        issued = db.session.scalar(sa.select(sa.func.count()).select_from(Certificate))
        db.session.remove()
        db.engine.dispose()
    print(
        json.dumps(
            {
                "processes": processes,
                "status": status["status"],
                "issued": issued,
                "asked": asked,
                "slowest_poll": slowest_poll,
                "polls": polls,
                "elapsed": elapsed,
                "load_before": load_before,
                "load_after": os.getloadavg(),
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--certificates", type=int, default=5000)
    parser.add_argument("--processes", default="1,2", help="comma-separated, one run each")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker:
        worker(arguments.folder, arguments.worker)
        return 0

    folder = Path(tempfile.mkdtemp(prefix="atelier-bench-issue-"))
    try:
        started = time.perf_counter()
        build(folder, arguments.certificates)
        print(
            f"{arguments.certificates:,} graduates of one completed session built in "
            f"{time.perf_counter() - started:.0f} s (SQLite, {os.cpu_count()} cores)"
        )
        rates = []
        for processes in [int(part) for part in arguments.processes.split(",")]:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", str(processes), "--folder", str(folder)],
                capture_output=True,
                text=True,
            )
            if done.returncode:
                print(done.stderr[-3000:], file=sys.stderr)
                return done.returncode
            out = done.stdout
            run = json.loads(out.strip().splitlines()[-1])
            rate = run["issued"] / run["elapsed"]
            rates.append(rate)
            print(
                f"{processes} core(s), {processes} rendering process(es): {run['status']}, "
                f"{run['issued']:,} certificates in {run['elapsed']:.1f} s = {rate:.0f}/s; "
                f"the POST answered in {run['asked'] * 1000:.0f} ms, the slowest of "
                f"{run['polls']} progress reads {run['slowest_poll'] * 1000:.0f} ms; "
                "load average before "
                + " ".join(f"{value:.2f}" for value in run["load_before"])
                + ", after "
                + " ".join(f"{value:.2f}" for value in run["load_after"])
            )
        if len(rates) > 1:
            ratio = rates[-1] / rates[0]
            verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
            print(f"ratio last/first: {ratio:.2f}x (target >= {TARGET_RATIO}x: {verdict})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
