"""The demo programme of `flask seed-demo`: realistic, consistent with the
application's rules, the same on every run, and loaded only once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from itertools import combinations

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import DEMO_PASSWORD, _empty_tables
from tests.demo.conftest import TODAY, all_sessions, assert_current_cycle_around, user
from training.attendance.models import AttendanceRecord
from training.attendance.services import attendance_rate, attendance_rates
from training.auth.models import Role
from training.certificates import services as certificate_services
from training.certificates.models import Certificate
from training.certificates.services import session_eligibility
from training.curricula.models import Curriculum, CurriculumStatus
from training.demo import demo_counts, seed_demo
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Organisation, OrganisationKind, Participant, Sex
from training.people.screening import is_cleared
from training.sessions.models import AssignmentRole, SessionKind, SessionStatus

COUNTRIES = {"BF", "TD", "ML", "MR", "NE"}
CITIES = {"Niamey", "Bamako", "N'Djamena", "Nouakchott", "Ouagadougou"}
DEMO_USERS = {
    "admin@example.org": Role.ADMIN,
    "coordinator@example.org": Role.COORDINATOR,
    "trainer@example.org": Role.TRAINER,
    "participant@example.org": Role.PARTICIPANT,
}


@pytest.fixture(scope="module", autouse=True)
def demo(_app: Flask) -> Iterator[str]:
    """The demo programme of TODAY, seeded and committed once for the module:
    the tests here only read it, each in its own rolled-back transaction.
    Certificates are issued for real, only their PDF drawing is skipped
    (tests/pdf and tests/certificates render them). Returns what the command
    printed."""
    with _app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(certificate_services, "render_certificate", lambda data: b"%PDF-1.4 demo")
        result = _app.test_cli_runner().invoke(args=["seed-demo", "--today", TODAY.isoformat()])
        db.session.remove()
    assert result.exit_code == 0, result.output
    yield result.output
    with _app.app_context():
        _empty_tables()


def test_seed_demo_loads_a_programme_from_the_five_countries(app, demo):
    assert "Demo programme loaded" in demo
    assert "224 participants" in demo

    participants = db.session.scalars(sa.select(Participant)).all()
    assert len(participants) >= 200
    women = sum(participant.sex == Sex.FEMALE for participant in participants)
    assert 0.20 <= women / len(participants) <= 0.30
    assert {participant.nationality for participant in participants} == COUNTRIES
    assert all(p.nationality == p.organisation.country for p in participants)

    organisations = db.session.scalars(sa.select(Organisation)).all()
    kinds_by_country = defaultdict(set)
    for organisation in organisations:
        kinds_by_country[organisation.country].add(organisation.kind)
    for country in COUNTRIES:
        assert {
            OrganisationKind.POLICE,
            OrganisationKind.GENDARMERIE,
            OrganisationKind.CUSTOMS,
            OrganisationKind.JUDICIARY,
            OrganisationKind.PROSECUTION,
        } <= kinds_by_country[country]
    ended = {o.acronym: o.active_until for o in organisations if o.active_until}
    assert ended == {"MINUSMA": date(2023, 12, 31), "SP/G5S": date(2023, 12, 6)}

    approved = db.session.scalars(
        sa.select(Curriculum).where(Curriculum.status == CurriculumStatus.APPROVED)
    ).all()
    assert len(approved) >= 6
    for curriculum in approved:
        assert curriculum.title_en and curriculum.title_fr
        assert 4 <= len(curriculum.modules) <= 8
        for module in curriculum.modules:
            assert module.title_en and module.title_fr and module.title_en != module.title_fr
            assert module.duration_minutes > 0

    sessions = all_sessions()
    assert len(sessions) >= 12
    assert {s.city for s in sessions} == CITIES
    assert any(s.kind == SessionKind.TRAINING_OF_TRAINERS for s in sessions)


def test_the_current_cycle_is_built_around_today(app):
    assert_current_cycle_around(TODAY)


def test_past_sessions_have_attendance_and_test_scores(app):
    completed = [s for s in all_sessions() if s.status == SessionStatus.COMPLETED]
    assert len(completed) >= 10
    records_per_enrollment = dict(
        db.session.execute(
            sa.select(AttendanceRecord.enrollment_id, sa.func.count()).group_by(
                AttendanceRecord.enrollment_id
            )
        ).all()
    )
    below_minimum = failed = 0
    for training_session in completed:
        assert 2018 <= training_session.start_date.year <= training_session.end_date.year <= 2023
        curriculum = training_session.curriculum
        rates = attendance_rates(training_session)
        for enrollment in training_session.enrollments:
            records = records_per_enrollment.get(enrollment.id, 0)
            if enrollment.status != EnrollmentStatus.CONFIRMED:
                assert records == 0
                continue
            assert records == training_session.period_count
            if rates[enrollment.id] * 100 < curriculum.min_attendance_percent:
                below_minimum += 1
            if curriculum.pass_mark_percent is not None:
                assert enrollment.pre_test_score is not None
                post = enrollment.post_test_score
                if post is not None and post < curriculum.pass_mark_percent:
                    failed += 1
    assert 3 <= below_minimum <= 40
    assert 3 <= failed <= 40


def test_demo_users_sign_in_with_their_roles(auth):
    for email, role in DEMO_USERS.items():
        assert user(email).role == role
        assert auth.login(email, DEMO_PASSWORD).status_code == 303
        auth.logout()
    assert auth.login("coordinator@example.org", "wrong-password").status_code != 302
    assert user("trainer@example.org").trainer is not None
    assert user("participant@example.org").participant is not None


def test_the_demo_trainer_leads_sessions_past_present_and_future(app):
    trainer = user("trainer@example.org").trainer
    led = {a.training_session.status for a in trainer.assignments if a.role == AssignmentRole.LEAD}
    assert SessionStatus.IN_PROGRESS in led
    assert SessionStatus.COMPLETED in led
    assert led & {SessionStatus.OPEN, SessionStatus.PLANNED}


def test_the_demo_participant_has_earned_a_certificate_and_is_enrolled_again(app):
    participant = user("participant@example.org").participant
    confirmed = [e for e in participant.enrollments if e.status == EnrollmentStatus.CONFIRMED]

    def earned(enrollment: Enrollment) -> bool:
        curriculum = enrollment.training_session.curriculum
        return (
            enrollment.training_session.status == SessionStatus.COMPLETED
            and attendance_rate(enrollment) * 100 >= curriculum.min_attendance_percent
            and curriculum.pass_mark_percent is not None
            and enrollment.post_test_score is not None
            and enrollment.post_test_score >= curriculum.pass_mark_percent
        )

    assert any(earned(enrollment) for enrollment in confirmed)
    assert any(
        e.training_session.status in (SessionStatus.OPEN, SessionStatus.PLANNED) for e in confirmed
    )


def test_the_demo_keeps_the_programme_rules(app):
    sessions = [s for s in all_sessions() if s.status != SessionStatus.CANCELLED]

    by_trainer = defaultdict(list)
    for training_session in sessions:
        roles = sorted(a.role for a in training_session.assignments)
        assert roles.count(AssignmentRole.LEAD) == 1
        for assignment in training_session.assignments:
            by_trainer[assignment.trainer_id].append(training_session)
            assert any(
                q.curriculum_id == training_session.curriculum_id
                and q.is_current_on(training_session.start_date)
                for q in assignment.trainer.qualifications
            ), (assignment.trainer.name, training_session.code)
    for trainer_sessions in by_trainer.values():
        for first, second in combinations(trainer_sessions, 2):
            assert first.end_date < second.start_date or second.end_date < first.start_date

    for training_session in sessions:
        confirmed = [
            e for e in training_session.enrollments if e.status == EnrollmentStatus.CONFIRMED
        ]
        assert len(confirmed) <= training_session.capacity
        waiting = sorted(
            e.waitlist_position
            for e in training_session.enrollments
            if e.status == EnrollmentStatus.WAITLISTED
        )
        assert waiting == list(range(1, len(waiting) + 1))
        if waiting:
            assert len(confirmed) == training_session.capacity
        if training_session.screening_required:
            for enrollment in confirmed:
                assert is_cleared(enrollment.participant, training_session.start_date)
        for partner in training_session.partners:
            assert partner.is_active_on(training_session.start_date)
            assert partner.is_active_on(training_session.end_date)

    tot = next(s for s in sessions if s.kind == SessionKind.TRAINING_OF_TRAINERS)
    graduates = [
        a.trainer
        for s in sessions
        for a in s.assignments
        if any(q.source_session_id == tot.id for q in a.trainer.qualifications)
    ]
    assert graduates, "a graduate of the training of trainers teaches later"


def test_seeding_twice_adds_nothing(runner):
    counts = demo_counts()
    assert counts["participants"] >= 200
    result = runner.invoke(args=["seed-demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert demo_counts() == counts
    assert seed_demo(date(2030, 1, 1))["sessions"] == counts["sessions"]
    assert demo_counts() == counts


def test_the_demo_issues_the_certificates_its_participants_earned(app, demo):
    """Certificates go to the eligible people of every session ended by the
    demo's day but one, left for a coordinator to issue live."""
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert certificates
    assert f"{len(certificates)} certificates" in demo
    coordinator = user("coordinator@example.org")
    assert {certificate.issued_by_id for certificate in certificates} == {coordinator.id}
    ended = [
        s for s in all_sessions() if s.status == SessionStatus.COMPLETED and s.end_date <= TODAY
    ]
    without = []
    for training_session in ended:
        eligible = {
            row.enrollment.id for row in session_eligibility(training_session) if row.eligible
        }
        held = {
            c.enrollment_id for c in certificates if c.enrollment.session_id == training_session.id
        }
        if held:
            assert held == eligible, training_session.code
        elif eligible:
            without.append(training_session.code)
    assert len(without) == 1, without
    participant = user("participant@example.org").participant
    assert any(c.enrollment.participant_id == participant.id for c in certificates)
