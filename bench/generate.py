"""Fill a database with a large training programme, for the benchmarks.

    .venv/bin/python bench/generate.py                       # full size, instance/bench.sqlite3
    .venv/bin/python bench/generate.py --scale 0.1           # a tenth
    DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/generate.py

Defaults: 100,000 participants, 5,000 sessions (five days each) and about
2,000,000 attendance records, with their organisations, curricula,
trainers, screenings, enrollments, scores and certificates. The schema is
dropped and created again. Rows go in by bulk INSERT (executemany in chunks
inside one transaction per table), so the full size takes minutes.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa

from config import Config
from training import create_app
from training.certificates.services import new_verification_code
from training.extensions import db
from training.models import (
    Assignment,
    AttendanceRecord,
    Certificate,
    Curriculum,
    Enrollment,
    Module,
    Organisation,
    Participant,
    ScreeningRecord,
    Trainer,
    TrainerQualification,
    TrainingSession,
    session_partner,
)
from training.reports.projection import rebuild as rebuild_report_rows
from training.text import fold, match_key, search_key, sound_key

COUNTRIES = ("BF", "ML", "MR", "NE", "TD")
KINDS = (
    "police",
    "gendarmerie",
    "national_guard",
    "customs",
    "judiciary",
    "prosecution",
    "armed_forces",
    "prison_administration",
    "financial_intelligence_unit",
)
THEMES = (
    "counter_terrorism",
    "organized_crime",
    "trafficking_and_smuggling",
    "firearms",
    "drugs",
    "corruption_and_money_laundering",
    "human_rights_compliance",
    "peacekeeping",
)
PARTNERS = ("European Union", "Germany", "Japan", "Canada", "Netherlands", "Denmark")
GIVEN = ("Aïcha", "Moussa", "Fatoumata", "Ibrahim", "Mariam", "Oumar", "Hawa", "Abdoulaye")
FAMILY = ("Traoré", "Diallo", "Ouédraogo", "Mahamat", "Ould Ahmed", "Issoufou", "Keïta", "Sow")
ATTENDANCE_STATUSES = ("present", "late", "absent", "excused")
ATTENDANCE_WEIGHTS = (85, 5, 7, 3)
CHUNK = 20_000
NOW = datetime.now(UTC)


def default_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return Config().SQLALCHEMY_DATABASE_URI if url.startswith("postgres") else url
    return f"sqlite:///{Path(__file__).resolve().parent.parent / 'instance' / 'bench.sqlite3'}"


def bench_app(url: str):
    class BenchConfig(Config):
        SQLALCHEMY_DATABASE_URI = url
        SECRET_KEY = "bench-only-secret"  # noqa: S105  (a local benchmark, never deployed)
        WTF_CSRF_ENABLED = False
        RATELIMIT_ENABLED = False
        BABEL_DEFAULT_LOCALE = "en"

    return create_app(BenchConfig())


def chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def bulk(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows at once (executemany), chunk by chunk."""
    for part in chunks(rows):
        db.session.execute(sa.insert(table), part)


def mondays(first: date, count: int, last: date) -> list[date]:
    """`count` Mondays spread evenly from `first` to `last`."""
    weeks = max((last - first).days // 7, 1)
    first_monday = first + timedelta(days=(7 - first.weekday()) % 7)
    return sorted(first_monday + timedelta(weeks=random.randrange(weeks)) for _ in range(count))


def generate(participants: int, sessions: int, attendance: int, today: date) -> dict[str, int]:
    counts: dict[str, int] = {}
    started = time.perf_counter()

    def done(name: str, number: int) -> None:
        counts[name] = number
        print(f"  {name:<24} {number:>10,}  ({time.perf_counter() - started:6.1f} s)", flush=True)

    # Organisations: every kind in every country, and the partners.
    organisations = [
        {
            "id": index,
            "name": f"{kind.replace('_', ' ').title()} {country}",
            "acronym": None,
            "country": country,
            "kind": kind,
            "is_security_force": True,
        }
        for index, (country, kind) in enumerate(((c, k) for c in COUNTRIES for k in KINDS), start=1)
    ]
    partner_ids = []
    for name in PARTNERS:
        identifier = len(organisations) + 1
        partner_ids.append(identifier)
        organisations.append(
            {
                "id": identifier,
                "name": name,
                "acronym": None,
                "country": None,
                "kind": "donor",
                "is_security_force": False,
            }
        )
    bulk(Organisation.__table__, organisations)
    done("organisations", len(organisations))
    by_country = {c: [o["id"] for o in organisations if o["country"] == c] for c in COUNTRIES}

    curricula, modules = [], []
    for index in range(1, len(THEMES) * 5 + 1):
        theme = THEMES[(index - 1) % len(THEMES)]
        curricula.append(
            {
                "id": index,
                "code": f"BENCH-{index:03d}",
                "title_en": f"Course {index} ({theme})",
                "title_fr": f"Cours {index} ({theme})",
                "theme": theme,
                "owner": "joint",
                "version": "1.0",
                "status": "approved",
                "min_attendance_percent": 80,
                "pass_mark_percent": 60,
                "certificate_validity_months": None,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        modules += [
            {
                "curriculum_id": index,
                "position": position,
                "title_en": f"Module {position}",
                "title_fr": f"Module {position}",
                "duration_minutes": 360,
            }
            for position in range(1, 6)
        ]
    if "search_text" in Curriculum.__table__.c:
        # Bulk inserts skip the mapper event that keeps the search text.
        for row in curricula:
            row["search_text"] = fold(f"{row['code']} {row['title_en']} {row['title_fr']}")
    bulk(Curriculum.__table__, curricula)
    bulk(Module.__table__, modules)
    done("curricula", len(curricula))

    trainer_count = max(20, participants // 250)
    trainers = [
        {
            "id": index,
            "name": f"Trainer {index}",
            "languages": "fr,en",
            "organisation_id": random.choice(by_country[random.choice(COUNTRIES)]),
            "email": f"trainer{index}@bench.example",
            "created_at": NOW,
        }
        for index in range(1, trainer_count + 1)
    ]
    bulk(Trainer.__table__, trainers)
    done("trainers", trainer_count)

    people, screenings = [], []
    for index in range(1, participants + 1):
        country = random.choice(COUNTRIES)
        given, family = random.choice(GIVEN), f"{random.choice(FAMILY)} {index}"
        people.append(
            {
                "id": index,
                "given_name": given,
                "family_name": family,
                "search_name": search_key(given, family),
                "match_name": match_key(given, family),
                "sound_name": sound_key(given, family),
                "sex": "F" if random.random() < 0.27 else "M",
                "nationality": country if random.random() > 0.02 else None,
                "organisation_id": random.choice(by_country[country]),
                "rank": "Commissaire",
                "function": "Investigator",
                "email": f"p{index}@bench.example",
                "phone": None,
                "consent_recorded_at": NOW,
                "retention_until": None,
                "created_at": NOW,
            }
        )
        screenings.append(
            {
                "participant_id": index,
                "framework": "hrddp_mitigation",
                "status": "cleared",
                "screened_on": date(2019, 1, 1),
                "valid_until": None,
                "reference": f"H-{index}",
                "created_at": NOW,
            }
        )
    bulk(Participant.__table__, people)
    bulk(ScreeningRecord.__table__, screenings)
    done("participants", participants)
    done("screening records", participants)

    starts = mondays(date(2019, 1, 7), sessions, today + timedelta(days=180))
    session_rows, partners, assignments = [], [], []
    for index, start in enumerate(starts, start=1):
        end = start + timedelta(days=4)
        if end < today:
            status = "cancelled" if random.random() < 0.02 else "completed"
        elif start <= today:
            status = "in_progress"
        else:
            status = random.choice(("planned", "open"))
        session_rows.append(
            {
                "id": index,
                "curriculum_id": random.randrange(1, len(curricula) + 1),
                "code": f"B-{start.year}-{index:05d}",
                "kind": "training_of_trainers" if random.random() < 0.08 else "training",
                "start_date": start,
                "end_date": end,
                "city": "Niamey",
                "country": random.choice(COUNTRIES),
                "venue": None,
                "language": "fr",
                "capacity": 60,
                "screening_required": True,
                "status": status,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
        for partner in random.sample(partner_ids, random.randint(1, 2)):
            partners.append({"session_id": index, "organisation_id": partner})
        lead, co = random.sample(range(1, trainer_count + 1), 2)
        assignments.append(
            {"session_id": index, "trainer_id": lead, "role": "lead", "assigned_at": NOW}
        )
        assignments.append(
            {"session_id": index, "trainer_id": co, "role": "co_trainer", "assigned_at": NOW}
        )
    bulk(TrainingSession.__table__, session_rows)
    bulk(session_partner, partners)
    bulk(Assignment.__table__, assignments)
    done("sessions", sessions)

    held = [s for s in session_rows if s["status"] in ("completed", "in_progress")]
    per_session = min(participants, 60, max(1, math.ceil(attendance / max(len(held) * 10, 1))))
    enrollments, records, certificates, qualifications = [], [], [], []
    qualified: set[tuple[int, int]] = set()
    enrollment_id = record_budget = 0
    record_budget = attendance
    certificate_number = 0
    for training_session in session_rows:
        confirmed = random.sample(range(1, participants + 1), per_session)
        is_held = training_session in held and training_session["status"] != "cancelled"
        for participant_id in confirmed:
            enrollment_id += 1
            scored = random.random() < 0.8 and training_session["status"] == "completed"
            pre = random.randint(20, 70) if scored else None
            post = min(100, pre + random.randint(-5, 35)) if scored else None
            enrollments.append(
                {
                    "id": enrollment_id,
                    "participant_id": participant_id,
                    "session_id": training_session["id"],
                    "status": "confirmed",
                    "pre_test_score": pre,
                    "post_test_score": post,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            )
            if not is_held or record_budget <= 0:
                continue
            attended = 0
            day = training_session["start_date"]
            while day <= min(training_session["end_date"], today) and record_budget > 0:
                for period in ("am", "pm"):
                    status = random.choices(ATTENDANCE_STATUSES, ATTENDANCE_WEIGHTS)[0]
                    attended += status in ("present", "late")
                    records.append(
                        {
                            "enrollment_id": enrollment_id,
                            "date": day,
                            "period": period,
                            "status": status,
                            "recorded_at": NOW,
                            "version": 1,
                        }
                    )
                    record_budget -= 1
                day += timedelta(days=1)
            if training_session["status"] != "completed" or attended < 8:
                continue
            certificate_number += 1
            if training_session["kind"] == "training_of_trainers":
                kind = "trainer"
            else:
                kind = "completion" if post is not None and post >= 60 else "participation"
            certificates.append(
                {
                    "enrollment_id": enrollment_id,
                    "current_enrollment_id": enrollment_id,
                    "kind": kind,
                    "serial": f"ATL-{training_session['start_date'].year}-{certificate_number:06d}",
                    "verification_code": new_verification_code(),
                    "issued_at": NOW,
                    "status": "valid",
                    "holder_name": f"Participant {participant_id}",
                    "course_title_en": "Course",
                    "course_title_fr": "Cours",
                    "session_code": training_session["code"],
                    "start_date": training_session["start_date"],
                    "end_date": training_session["end_date"],
                    "city": "Niamey",
                    "country": training_session["country"],
                    "language": "fr",
                    "total_hours": 30,
                    "issuers": "UNODC; DPO",
                }
            )
        if (
            training_session["kind"] == "training_of_trainers"
            and training_session["status"] == "completed"
        ):
            for trainer_id in random.sample(range(1, trainer_count + 1), 3):
                key = (trainer_id, training_session["curriculum_id"])
                if key in qualified:
                    continue
                qualified.add(key)
                qualifications.append(
                    {
                        "trainer_id": trainer_id,
                        "curriculum_id": key[1],
                        "qualified_on": training_session["end_date"],
                        "expires_on": None,
                        "source_session_id": training_session["id"],
                    }
                )
    bulk(Enrollment.__table__, enrollments)
    done("enrollments", len(enrollments))
    bulk(AttendanceRecord.__table__, records)
    done("attendance records", len(records))
    bulk(Certificate.__table__, certificates)
    done("certificates", len(certificates))
    bulk(TrainerQualification.__table__, qualifications)
    done("qualifications", len(qualifications))
    # Bulk inserts bypass the ORM, which keeps the reports' rows up to date
    # in the application: build them once, as `flask rebuild-reports` would.
    done("report rows", rebuild_report_rows())
    return counts


def reset_sequences() -> None:
    """Rows went in with explicit ids: move PostgreSQL's sequences past them."""
    with db.engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.autoincrement:
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                    )
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database-url", default=default_url())
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every default size")
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=5_000)
    parser.add_argument("--attendance", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    arguments = parser.parse_args()
    random.seed(arguments.seed)
    participants = max(100, int(arguments.participants * arguments.scale))
    sessions = max(10, int(arguments.sessions * arguments.scale))
    attendance = int(arguments.attendance * arguments.scale)

    app = bench_app(arguments.database_url)
    print(f"Generating into {app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}", flush=True)
    started = time.perf_counter()
    with app.app_context():
        db.drop_all()
        db.create_all()
        generate(participants, sessions, attendance, arguments.today)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            reset_sequences()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("VACUUM ANALYZE"))
        else:
            with db.engine.begin() as connection:
                connection.execute(sa.text("ANALYZE"))
    print(f"Done in {time.perf_counter() - started:.1f} s", flush=True)


if __name__ == "__main__":
    main()
