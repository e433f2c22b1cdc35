"""One-line factories for valid objects (CTFd's gen_* habit).

Each returns an object added to the database session and flushed; the
caller commits when the test needs it committed. Keyword arguments override
any attribute.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from werkzeug.security import generate_password_hash

from training.auth.models import Role, User
from training.extensions import db
from training.models import (
    Assignment,
    AssignmentRole,
    AttendanceRecord,
    AttendanceStatus,
    Curriculum,
    CurriculumOwner,
    CurriculumStatus,
    Enrollment,
    EnrollmentStatus,
    Module,
    Organisation,
    OrganisationKind,
    Participant,
    Period,
    ScreeningFramework,
    ScreeningRecord,
    ScreeningStatus,
    SessionKind,
    SessionLanguage,
    SessionStatus,
    Sex,
    Theme,
    Trainer,
    TrainerQualification,
    TrainingSession,
)

TEST_PASSWORD = "Correct-Horse-Battery-7"
_counter = itertools.count(1)

# Scrypt is deliberately slow to check. Test users get a scrypt hash with a
# small work factor (the hash carries its parameters, so sign-in checks it as
# any other); the production cost is tested in tests/auth/test_services.py.
_PASSWORD_HASH = generate_password_hash(TEST_PASSWORD, method="scrypt:1024:8:1")


def _password_hash() -> str:
    return _PASSWORD_HASH


def _save(obj: Any) -> Any:
    db.session.add(obj)
    db.session.flush()
    return obj


def make_user(role: str | Role = Role.COORDINATOR, **attributes: Any) -> User:
    number = next(_counter)
    role = Role(role)
    values = {
        "email": f"{role.value}{number}@example.org",
        "name": f"{role.value.title()} {number}",
        "password_hash": _password_hash(),
        "role": role,
        "active": True,
    }
    if role == Role.TRAINER and "trainer" not in attributes and "trainer_id" not in attributes:
        values["trainer"] = make_trainer(name=values["name"])
    if (
        role == Role.PARTICIPANT
        and "participant" not in attributes
        and "participant_id" not in attributes
    ):
        values["participant"] = make_participant()
    values.update(attributes)
    return _save(User(**values))


def make_organisation(**attributes: Any) -> Organisation:
    number = next(_counter)
    values = {
        "name": f"Police nationale {number}",
        "acronym": f"PN{number}",
        "country": "NE",
        "kind": OrganisationKind.POLICE,
        "is_security_force": True,
    }
    values.update(attributes)
    return _save(Organisation(**values))


def make_curriculum(modules: int = 2, **attributes: Any) -> Curriculum:
    number = next(_counter)
    values = {
        "code": f"CT-INV-{number:02d}",
        "title_en": f"Investigating terrorism cases {number}",
        "title_fr": f"Enquêtes sur les affaires de terrorisme {number}",
        "theme": Theme.COUNTER_TERRORISM,
        "owner": CurriculumOwner.JOINT,
        "version": "1.0",
        "status": CurriculumStatus.APPROVED,
        "min_attendance_percent": 80,
        "pass_mark_percent": 60,
        "certificate_validity_months": None,
    }
    values.update(attributes)
    curriculum = Curriculum(**values)
    for position in range(1, modules + 1):
        curriculum.modules.append(
            Module(
                position=position,
                title_en=f"Module {position}",
                title_fr=f"Module {position}",
                aim="Understand the legal framework.",
                learning_outcomes="Apply it to a case.",
                duration_minutes=180,
            )
        )
    return _save(curriculum)


def make_session(curriculum: Curriculum | None = None, **attributes: Any) -> TrainingSession:
    number = next(_counter)
    start = attributes.pop("start_date", date(2026, 3, 2))
    values = {
        "curriculum": curriculum or make_curriculum(),
        "code": f"NE-{start.year}-{number:03d}",
        "kind": SessionKind.TRAINING,
        "start_date": start,
        "end_date": start + timedelta(days=2),
        "city": "Niamey",
        "country": "NE",
        "venue": "École nationale de police",
        "language": SessionLanguage.FRENCH,
        "capacity": 25,
        "screening_required": True,
        "status": SessionStatus.OPEN,
    }
    values.update(attributes)
    return _save(TrainingSession(**values))


def make_trainer(**attributes: Any) -> Trainer:
    number = next(_counter)
    values = {"name": f"Trainer {number}", "languages": "fr,en", "email": f"t{number}@example.org"}
    values.update(attributes)
    return _save(Trainer(**values))


def qualify(trainer: Trainer, curriculum: Curriculum, **attributes: Any) -> TrainerQualification:
    values = {
        "trainer": trainer,
        "curriculum": curriculum,
        "qualified_on": date(2020, 1, 1),
        "expires_on": None,
    }
    values.update(attributes)
    return _save(TrainerQualification(**values))


def assign(
    trainer: Trainer,
    training_session: TrainingSession,
    role: AssignmentRole = AssignmentRole.LEAD,
    **attributes: Any,
) -> Assignment:
    return _save(
        Assignment(trainer=trainer, training_session=training_session, role=role, **attributes)
    )


def make_participant(cleared: bool = True, **attributes: Any) -> Participant:
    number = next(_counter)
    values = {
        "given_name": "Aïcha",
        "family_name": f"Traoré{number}",
        "sex": Sex.FEMALE,
        "nationality": "ML",
        "rank": "Commissaire",
        "function": "Investigator",
        "email": f"p{number}@example.org",
        "phone": f"+223 70 00 {number:04d}",
        "consent_recorded_at": datetime.now(UTC),
    }
    values.update(attributes)
    if "organisation" not in values and "organisation_id" not in values:
        values["organisation"] = make_organisation(country=values.get("nationality") or "ML")
    participant = Participant(**values)
    _save(participant)
    if cleared:
        screen(participant)
    return participant


def screen(
    participant: Participant, status: ScreeningStatus = ScreeningStatus.CLEARED, **attributes: Any
) -> ScreeningRecord:
    values = {
        "participant": participant,
        "framework": ScreeningFramework.HRDDP_MITIGATION,
        "status": status,
        "screened_on": date(2020, 1, 1),
        "valid_until": None,
        "reference": "HRDDP-TEST",
    }
    values.update(attributes)
    return _save(ScreeningRecord(**values))


def enroll(
    participant: Participant | None = None,
    training_session: TrainingSession | None = None,
    status: EnrollmentStatus = EnrollmentStatus.CONFIRMED,
    **attributes: Any,
) -> Enrollment:
    values = {
        "participant": participant or make_participant(),
        "training_session": training_session or make_session(),
        "status": status,
    }
    values.update(attributes)
    return _save(Enrollment(**values))


def mark(
    enrollment: Enrollment,
    day: date,
    period: Period = Period.AM,
    status: AttendanceStatus = AttendanceStatus.PRESENT,
    **attributes: Any,
) -> AttendanceRecord:
    return _save(
        AttendanceRecord(
            enrollment=enrollment, date=day, period=period, status=status, **attributes
        )
    )


def mark_all(enrollment: Enrollment, status: AttendanceStatus = AttendanceStatus.PRESENT) -> None:
    """Record every period of the enrollment's session with one status."""
    for day in enrollment.training_session.days:
        for period in Period:
            mark(enrollment, day, period, status)
