"""Attendance benchmarks: the sign-in sheet and the day save.

    .venv/bin/python bench/bench_attendance.py [--database-url URL] [--repeat N]

(a) renders the sign-in sheet of 40 participants over 5 days (target: under
50 ms); (b) saves a 40-participant day (80 cells) in one transaction and
counts the SQL statements it sends. Uses a temporary SQLite database unless
--database-url names another (it is emptied and refilled).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader

from bench.statements import recording_statements
from config import TestConfig
from training.pdf.sign_in_sheet import (
    SheetParticipant,
    SignInSheet,
    render_sign_in_sheet,
)

PARTICIPANTS = 40
DAYS = 5
START = date(2026, 11, 23)


def sample_sheet() -> SignInSheet:
    organisations = (
        "PN — Police nationale du Niger",
        "GN — Gendarmerie nationale, Direction de la police judiciaire",
        "Douanes",
    )
    return SignInSheet(
        code="NE-2026-CT-01",
        title_fr="Enquêtes sur les affaires de terrorisme et poursuites",
        title_en="Investigating and prosecuting terrorism cases",
        language="fr",
        start_date=START,
        end_date=START + timedelta(days=DAYS - 1),
        city="Niamey",
        country="Niger",
        venue="École nationale de police",
        trainers=("Jean Dupont", "Fatoumata Diallo"),
        days=tuple(START + timedelta(days=offset) for offset in range(DAYS)),
        participants=tuple(
            SheetParticipant(
                f"Traoré-Maïga {n}",
                "Aïcha Françoise",
                organisations[n % 3],
                "Commissaire principal",
            )
            for n in range(PARTICIPANTS)
        ),
    )


def bench_sheet(repeat: int) -> None:
    sheet = sample_sheet()
    data = render_sign_in_sheet(sheet)  # fonts and styles are prepared once per process
    timings, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        data = render_sign_in_sheet(sheet)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    print(
        f"(a) sign-in sheet, {PARTICIPANTS} participants x {DAYS} days: "
        f"median {statistics.median(timings):.1f} ms, best {min(timings):.1f} ms "
        f"(CPU median {statistics.median(cpu):.1f} ms) over {repeat} runs, "
        f"{len(PdfReader(BytesIO(data)).pages)} pages, {len(data) // 1024} KiB"
    )


def bench_save(database_url: str, repeat: int) -> None:
    from tests import factories
    from training import create_app
    from training.attendance import services
    from training.attendance.models import AttendanceStatus
    from training.extensions import db
    from training.sessions.models import Period

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config())
    with app.app_context():
        db.drop_all()
        db.create_all()
        training_session = factories.make_session(
            start_date=START, end_date=START + timedelta(days=DAYS - 1)
        )
        trainer = factories.make_user("trainer")
        factories.assign(trainer.trainer, training_session)
        enrollments = [
            factories.enroll(training_session=training_session) for _ in range(PARTICIPANTS)
        ]
        db.session.commit()

        def save(day: date, status: AttendanceStatus) -> tuple[float, int]:
            entries = [
                services.DayEntry(e.id, period, status) for e in enrollments for period in Period
            ]
            loaded = {
                key: record.version
                for key, record in services.day_records(training_session, day).items()
            }
            db.session.commit()
            with recording_statements(db.engine) as statements:
                started = time.perf_counter()
                services.save_day(
                    training_session, day, entries, actor=trainer, loaded_versions=loaded
                )
                db.session.commit()
                return (time.perf_counter() - started) * 1000, len(statements)

        created = [
            save(START + timedelta(days=i % DAYS), AttendanceStatus.PRESENT)
            for i in range(min(repeat, DAYS))
        ]
        changed = [
            save(START + timedelta(days=i % DAYS), AttendanceStatus.ABSENT)
            for i in range(min(repeat, DAYS))
        ]
        for label, runs in (("first entry", created), ("every cell changed, audited", changed)):
            print(
                f"(b) day save, {PARTICIPANTS} participants x 2 periods, {label}: "
                f"median {statistics.median(t for t, _ in runs):.1f} ms, "
                f"{runs[0][1]} SQL statements, one transaction ({db.engine.dialect.name})"
            )
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20)
    arguments = parser.parse_args()
    bench_sheet(arguments.repeat)
    with tempfile.TemporaryDirectory() as folder:
        bench_save(arguments.database_url or f"sqlite:///{folder}/bench.sqlite3", arguments.repeat)


if __name__ == "__main__":
    main()
