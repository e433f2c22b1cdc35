"""The workshop pack of a 40-participant, 5-day session (target: under 2 s).

    .venv/bin/python bench/bench_pack.py [--database-url URL] [--repeat N]

Builds a completed session (40 confirmed participants with accounts, two
trainers, six modules, attendance and scores recorded, certificates issued,
so the pack holds every part: programme, roster, five days of sign-in
sheets, 40 convocation letters, the certificates' print PDF), then
downloads its pack as a coordinator N times through the page
(/sessions/<id>/workshop-pack.zip) and prints the median, the best, the SQL
statements of one download and the time each part takes on its own. Uses
a temporary SQLite database unless --database-url names another (it is
emptied and refilled).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.statements import recording_statements
from config import TestConfig

PARTICIPANTS = 40
DAYS = 5
START = date(2026, 3, 2)
TARGET_SECONDS = 2.0


def build_world():
    """The completed session, its certificates issued; returns (session, coordinator)."""
    from tests import factories
    from training.attendance.models import AttendanceStatus
    from training.certificates.services import issue_all_eligible
    from training.sessions.models import AssignmentRole, SessionStatus

    curriculum = factories.make_curriculum(modules=6)
    training_session = factories.make_session(
        curriculum=curriculum,
        start_date=START,
        end_date=START + timedelta(days=DAYS - 1),
        capacity=PARTICIPANTS,
        status=SessionStatus.COMPLETED,
    )
    for role in (AssignmentRole.LEAD, AssignmentRole.CO_TRAINER):
        factories.assign(factories.make_trainer(), training_session, role)
    for number in range(PARTICIPANTS):
        participant = factories.make_participant(
            given_name="Aïcha Françoise", family_name=f"Traoré-Maïga {number:02d}"
        )
        factories.make_user("participant", participant=participant, locale="fr")
        enrollment = factories.enroll(participant, training_session)
        factories.mark_all(enrollment, AttendanceStatus.PRESENT)
        enrollment.pre_test_score, enrollment.post_test_score = 45, 80
    coordinator = factories.make_user("coordinator")
    issue_all_eligible(training_session, coordinator)
    return training_session, coordinator


def parts(training_session) -> list[tuple[str, float]]:
    """Each part of the pack timed on its own (milliseconds)."""
    from training.attendance.sheet_data import sheet_for
    from training.certificates.documents import print_pdf, session_certificates
    from training.enrollment.convocation import convocation_data
    from training.pdf.convocation import render_convocations
    from training.pdf.programme import render_programme
    from training.pdf.sign_in_sheet import render_sign_in_sheet
    from training.workshop_pack.pack import convocation_enrollments
    from training.workshop_pack.programme import programme_for
    from training.workshop_pack.roster import roster_xlsx

    def timed(work) -> float:
        started = time.perf_counter()
        work()
        return (time.perf_counter() - started) * 1000

    sheet = sheet_for(training_session, training_session.days, None)
    programme = programme_for(training_session.curriculum, sheet)
    letters = convocation_enrollments(training_session)
    return [
        ("programme", timed(lambda: render_programme(programme))),
        ("roster", timed(lambda: roster_xlsx(training_session, with_contacts=True, language="fr"))),
        ("sign-in sheets", timed(lambda: render_sign_in_sheet(sheet))),
        (
            f"{len(letters)} letters",
            timed(lambda: render_convocations([convocation_data(e) for e in letters])),
        ),
        (
            "certificates",
            timed(lambda: print_pdf(session_certificates(training_session))),
        ),
    ]


def bench(database_url: str, repeat: int) -> bool:
    from tests import factories
    from training import create_app
    from training.extensions import db

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    app = create_app(Config())
    with app.app_context():
        db.drop_all()
        db.create_all()
        training_session, coordinator = build_world()
        db.session.commit()
        session_id, email = training_session.id, coordinator.email
        client = app.test_client()
        client.post("/login", data={"email": email, "password": factories.TEST_PASSWORD})
        url = f"/sessions/{session_id}/workshop-pack.zip"
        response = client.get(url)  # fonts and styles are prepared once per process
        assert response.status_code == 200, response.status_code
        timings, cpu = [], []
        for _ in range(repeat):
            db.session.remove()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            assert response.status_code == 200
        with recording_statements(db.engine) as statements:
            client.get(url)
        names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
        median = statistics.median(timings)
        print(
            f"workshop pack, {PARTICIPANTS} participants x {DAYS} days, certificates issued: "
            f"median {median:.2f} s (CPU {statistics.median(cpu):.2f} s), best "
            f"{min(timings):.2f} s over {repeat} downloads, "
            f"{len(response.data) // 1024} KiB, {len(names)} files, "
            f"{len(statements)} SQL statements ({db.engine.dialect.name}); target < "
            f"{TARGET_SECONDS:.0f} s: {'met' if median < TARGET_SECONDS else 'MISSED'}"
        )
        with app.test_request_context():
            from training.sessions.models import TrainingSession

            reloaded = db.session.get(TrainingSession, session_id)
            print(
                "  parts on their own: "
                + ", ".join(f"{name} {ms:.0f} ms" for name, ms in parts(reloaded))
            )
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return median < TARGET_SECONDS


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        met = bench(arguments.database_url or f"sqlite:///{folder}/bench.sqlite3", arguments.repeat)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
