"""What each role sees and may change (issue 11, item 6), through the pages:
a trainer reads their session's attendance and scores in its history, not
the coordinators' decisions; a completed session's attendance and scores
change only through a coordinator, with a reason; a day still to come has
no attendance yet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.attendance.conftest import START
from training.attendance import services
from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.audit.models import AuditEvent
from training.certificates import services as certificates
from training.enrollment import services as enrollment_services
from training.enrollment.models import Enrollment
from training.extensions import db
from training.models import AssignmentRole, CertificateKind, SessionStatus
from training.sessions import services as session_services
from training.sessions.models import Period

DAY = START.isoformat()
OVERRIDE = "Assigned although unqualified: the only French speaker"
ISSUE_OVERRIDE = "Issued despite absences: medical leave"
REVOCATION = "Revoked: the nominee used the identity of a colleague"
CORRECTION = "The signed sheet shows her present"


def grid(enrollments, status="present", versions=None):
    data = {}
    for enrollment in enrollments:
        for period in Period:
            data[f"status-{enrollment.id}-{period.value}"] = status
            data[f"version-{enrollment.id}-{period.value}"] = str(
                (versions or {}).get((enrollment.id, period), 0)
            )
    return data


def versions(workshop, day=START):
    records = services.day_records(workshop.training_session, day)
    return {key: record.version for key, record in records.items()}


def record_all_present(workshop):
    for day in workshop.training_session.days:
        services.save_day(
            workshop.training_session,
            day,
            [
                services.DayEntry(e.id, p, AttendanceStatus.PRESENT)
                for e in workshop.enrollments
                for p in Period
            ],
            actor=workshop.trainer_user,
            loaded_versions={},
        )
    db.session.commit()


def complete(workshop):
    workshop.training_session.status = SessionStatus.COMPLETED
    db.session.commit()


# --- The session's history, by role ------------------------------------------


@pytest.fixture
def history(workshop):
    """A session whose trail holds what trainers read (an attendance
    correction, scores) and what only coordinators read (an override
    reason, a certificate's fingerprint and an issuing override, a
    revocation reason, an unconfirmed nominee's events)."""
    coordinator = factories.make_user("coordinator")
    training_session = workshop.training_session
    session_services.assign_trainer(
        training_session,
        factories.make_trainer(name="Unqualified Trainer"),
        AssignmentRole.CO_TRAINER,
        actor=coordinator,
        override_reason=OVERRIDE,
    )
    outsider = factories.make_participant(given_name="Hidden", family_name="Outsider")
    enrollment_services.nominate(training_session, outsider, actor=coordinator)
    record_all_present(workshop)
    first, second = workshop.enrollments[0], workshop.enrollments[1]
    services.save_day(
        training_session,
        START,
        [services.DayEntry(first.id, Period.AM, AttendanceStatus.LATE)],
        actor=workshop.trainer_user,
        loaded_versions=versions(workshop),
    )
    services.save_scores(
        training_session,
        # The second one fails the post-test (pass mark 60).
        [services.ScoreEntry(e.id, 40, 30 if e is second else 85) for e in workshop.enrollments],
        actor=workshop.trainer_user,
    )
    db.session.commit()
    complete(workshop)
    revoked = certificates.issue_certificate(first, coordinator)
    certificates.revoke_certificate(revoked, coordinator, REVOCATION)
    issued = certificates.issue_certificate(
        second, coordinator, kind=CertificateKind.COMPLETION, override_reason=ISSUE_OVERRIDE
    )
    db.session.commit()
    return {"coordinator": coordinator, "revoked": revoked, "issued": issued}


COORDINATOR_ONLY = [OVERRIDE, ISSUE_OVERRIDE, REVOCATION, "Hidden", "SHA-256"]


def test_a_trainer_reads_attendance_and_scores_but_no_coordinator_decision(
    client, login_as, workshop, history
):
    login_as(workshop.trainer_user)
    page = client.get(f"/sessions/{workshop.id}?history=all").text
    assert "Attendance changed" in page and "Test scores changed" in page
    assert "Certificate revoked" in page  # the fact, not the why
    for secret in [*COORDINATOR_ONLY, history["issued"].pdf_sha256, history["revoked"].pdf_sha256]:
        assert secret not in page
    # The trainer cannot open participants' pages, so names are not links.
    assert "/participants/" not in page


def test_the_latest_history_of_a_trainer_is_cut_after_choosing(client, login_as, workshop, history):
    login_as(workshop.trainer_user)
    page = client.get(f"/sessions/{workshop.id}").text
    assert "Attendance changed" in page
    assert not any(secret in page for secret in COORDINATOR_ONLY)


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinators_read_the_whole_history(client, login_as, workshop, history, role):
    login_as(role)
    page = client.get(f"/sessions/{workshop.id}?history=all").text
    for secret in [*COORDINATOR_ONLY, history["issued"].pdf_sha256]:
        assert secret in page
    assert "/participants/" in page


# --- A completed session -------------------------------------------------------


def test_a_trainer_cannot_change_a_completed_sessions_attendance(client, login_as, workshop):
    record_all_present(workshop)
    complete(workshop)
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/attendance/{DAY}"
    page = client.get(url).text
    assert "This session is completed" in page and "ask a coordinator" in page
    assert "Save the day" not in page and "Everyone present" not in page
    response = client.post(url, data=grid(workshop.enrollments, "absent", versions(workshop)))
    assert response.status_code == 403 and "only a coordinator" in response.text
    db.session.expire_all()
    statuses = set(db.session.scalars(sa.select(AttendanceRecord.status)))
    assert statuses == {AttendanceStatus.PRESENT}


def test_a_coordinator_corrects_a_completed_sessions_attendance_with_a_reason(
    client, login_as, workshop
):
    record_all_present(workshop)
    complete(workshop)
    coordinator = login_as("coordinator")
    url = f"/sessions/{workshop.id}/attendance/{DAY}"
    page = client.get(url).text
    assert "Reason for the correction" in page and "Save the day" in page
    data = grid(workshop.enrollments[:1], "absent", versions(workshop))
    response = client.post(url, data=data)
    assert response.status_code == 400 and "Write the reason" in response.text
    data["reason"] = CORRECTION
    assert client.post(url, data=data).status_code == 303
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.changed")
    ).all()
    assert len(events) == 2  # both periods of one participant
    assert {(e.actor_id, e.reason) for e in events} == {(coordinator.id, CORRECTION)}


def test_a_trainer_cannot_change_a_completed_sessions_scores(client, login_as, workshop):
    complete(workshop)
    login_as(workshop.trainer_user)
    url = f"/sessions/{workshop.id}/scores"
    page = client.get(url).text
    assert "This session is completed" in page and "Save the scores" not in page
    first = workshop.enrollments[0]
    response = client.post(url, data={f"pre-{first.id}": "10", f"post-{first.id}": "90"})
    assert response.status_code == 403 and "only a coordinator" in response.text
    db.session.expire_all()
    assert db.session.get(Enrollment, first.id).post_test_score is None


def test_a_coordinator_corrects_a_completed_sessions_scores_with_a_reason(
    client, login_as, workshop
):
    complete(workshop)
    coordinator = login_as("coordinator")
    url = f"/sessions/{workshop.id}/scores"
    assert "Reason for the correction" in client.get(url).text
    first = workshop.enrollments[0]
    data = {f"pre-{first.id}": "10", f"post-{first.id}": "90"}
    response = client.post(url, data=data)
    assert response.status_code == 400 and "Write the reason" in response.text
    assert client.post(url, data={**data, "reason": CORRECTION}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Enrollment, first.id).post_test_score == 90
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scores.changed"))
    assert (event.actor_id, event.reason) == (coordinator.id, CORRECTION)


def test_scores_of_a_session_in_progress_need_no_reason(client, login_as, workshop):
    login_as(workshop.trainer_user)
    first = workshop.enrollments[0]
    response = client.post(
        f"/sessions/{workshop.id}/scores", data={f"pre-{first.id}": "10", f"post-{first.id}": "90"}
    )
    assert response.status_code == 303
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "scores.changed"))
    assert event.reason is None


# --- Days still to come ----------------------------------------------------------


@pytest.mark.parametrize("role", ["trainer", "coordinator"])
def test_a_day_still_to_come_is_read_only(client, login_as, role):
    today = date.today()
    training_session = factories.make_session(start_date=today - timedelta(days=1))
    trainer_user = factories.make_user("trainer")
    factories.assign(trainer_user.trainer, training_session)
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    login_as(trainer_user if role == "trainer" else "coordinator")
    base = f"/sessions/{training_session.id}/attendance/"
    tomorrow = base + (today + timedelta(days=1)).isoformat()
    page = client.get(tomorrow).text
    assert "This day is still to come" in page and "Save the day" not in page
    response = client.post(tomorrow, data=grid([enrollment]))
    assert response.status_code == 400 and "still to come" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord)) == 0
    # Today itself is recorded as usual.
    today_url = base + today.isoformat()
    assert "Save the day" in client.get(today_url).text
    assert client.post(today_url, data=grid([enrollment])).status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceRecord)) == 2


def test_a_coordinators_first_entries_on_a_completed_session_are_audited_with_the_reason(
    client, login_as, workshop
):
    """Cells nobody recorded before the session was completed, keyed in by a
    coordinator afterwards (from the paper sheet, say): the reason demanded
    for them is kept, in one audit event per cell."""
    complete(workshop)
    coordinator = login_as("coordinator")
    url = f"/sessions/{workshop.id}/attendance/{DAY}"
    data = grid(workshop.enrollments[:1], "present", {})
    data["reason"] = CORRECTION
    assert client.post(url, data=data).status_code == 303
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "attendance.changed")
    ).all()
    assert len(events) == 2  # AM and PM of the one participant
    assert {(e.actor_id, e.reason) for e in events} == {(coordinator.id, CORRECTION)}
    assert {e.changes["after"]["status"] for e in events} == {"present"}
