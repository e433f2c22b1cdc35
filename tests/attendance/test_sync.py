"""The sync endpoint the day grid's page sends its outbox to (issue 14):
each change applied once, conflicts never overwritten, every rule of the
form post applied per change, and whole batches refused with nothing
written when they are not the page's, too large, or not the signed-in
user's. The concurrency tests at the end run on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import threading
import uuid
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.attendance.conftest import START
from tests.conftest import TEST_PASSWORD
from training.attendance import services
from training.attendance.models import (
    AttendanceChange,
    AttendanceDayLock,
    AttendanceRecord,
    AttendanceStatus,
)
from training.audit.models import AuditEvent
from training.auth.models import SessionEnd, User
from training.auth.services import end_sessions
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import Period, SessionStatus, TrainingSession

DAY = START.isoformat()
CHANGED = sa.select(AuditEvent).where(AuditEvent.action == "attendance.changed")


def change(enrollment, period="am", status="present", base=0, day=DAY, **extra):
    values = {
        "id": str(uuid.uuid4()),
        "enrollment": getattr(enrollment, "id", enrollment),
        "date": day,
        "period": period,
        "status": status,
        "note": None,
        "base_version": base,
    }
    values.update(extra)
    return values


def sync_url(training_session) -> str:
    return f"/sessions/{training_session.id}/attendance/sync"


def send(client, training_session, changes, user, headers=None):
    """POST a batch as the page does, made by `user` (an id)."""
    return client.post(
        sync_url(training_session),
        json={"user": user, "changes": changes},
        headers={"Accept": "application/json", **(headers or {})},
    )


@pytest.fixture
def trainer(workshop, login_as):
    return login_as(workshop.trainer_user)


def by_id(response) -> dict[str, dict]:
    assert response.is_json, response.text[:300]
    return {result["id"]: result for result in response.json["results"]}


def records() -> list[AttendanceRecord]:
    return list(db.session.scalars(sa.select(AttendanceRecord).order_by(AttendanceRecord.id)))


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def cell(enrollment, period=Period.AM, day=START) -> AttendanceRecord | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(AttendanceRecord).where(
            AttendanceRecord.enrollment_id == enrollment.id,
            AttendanceRecord.date == day,
            AttendanceRecord.period == period,
        )
    )


# --- Applied, once -----------------------------------------------------------


def test_changes_are_applied_and_answered_with_the_cells_new_version(client, workshop, trainer):
    first, second = workshop.enrollments[:2]
    changes = [change(first), change(second, "pm", "late", note="Arrivé à 9 h 40")]
    response = send(client, workshop.training_session, changes, trainer.id)
    assert response.status_code == 200
    results = by_id(response)
    assert [results[c["id"]]["outcome"] for c in changes] == ["applied", "applied"]
    answer = results[changes[1]["id"]]["cell"]
    assert answer["status"] == "late" and answer["note"] == "Arrivé à 9 h 40"
    assert answer["version"] == 1 and answer["recorded_by"] == trainer.name
    assert cell(second, Period.PM).status == AttendanceStatus.LATE
    assert count(AttendanceChange) == 2

    # The next change, made on version 1, moves the cell to version 2 and is
    # audited like a change through the form.
    again = change(first, status="absent", base=1)
    answer = by_id(send(client, workshop.training_session, [again], trainer.id))[again["id"]]
    assert answer["outcome"] == "applied" and answer["cell"]["version"] == 2
    event = db.session.scalar(CHANGED)
    assert event.actor_id == trainer.id
    assert event.changes["before"]["status"] == "present"
    assert event.changes["after"]["status"] == "absent"


def test_a_change_sent_twice_is_applied_once(client, workshop, trainer):
    enrollment = workshop.enrollments[0]
    factories.mark(enrollment, START, Period.AM, AttendanceStatus.PRESENT)
    db.session.commit()
    the_change = change(enrollment, status="late", base=1)
    first = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    # The answer was lost on the way: the page sends the same change again.
    second = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    assert first[the_change["id"]]["outcome"] == "applied"
    assert second[the_change["id"]]["outcome"] == "already_applied"
    assert second[the_change["id"]]["cell"]["version"] == 2
    assert cell(enrollment).version == 2
    assert count(AttendanceChange) == 1
    audit = sa.select(sa.func.count()).where(AuditEvent.action == "attendance.changed")
    assert db.session.scalar(audit) == 1


def test_a_change_id_used_by_another_user_is_refused_and_shows_nothing(
    client, auth, workshop, trainer
):
    enrollment = workshop.enrollments[0]
    the_change = change(enrollment)
    send(client, workshop.training_session, [the_change], trainer.id)
    auth.logout()
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    auth.login(coordinator)
    answer = by_id(send(client, workshop.training_session, [the_change], coordinator.id))
    assert answer[the_change["id"]]["outcome"] == "refused"
    assert answer[the_change["id"]]["code"] == "malformed"
    assert "cell" not in answer[the_change["id"]]


def test_the_value_already_there_is_applied_without_a_new_version(client, workshop, trainer):
    enrollment = workshop.enrollments[0]
    factories.mark(enrollment, START, Period.AM, AttendanceStatus.PRESENT)
    db.session.commit()
    # Made on an empty cell, but someone recorded the same value meanwhile.
    the_change = change(enrollment, base=0)
    answer = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    assert answer[the_change["id"]]["outcome"] == "applied"
    assert answer[the_change["id"]]["cell"]["version"] == 1
    assert cell(enrollment).version == 1


# --- Conflicts ----------------------------------------------------------------


def test_a_cell_changed_since_is_a_conflict_and_is_not_overwritten(client, workshop, trainer):
    enrollment = workshop.enrollments[0]
    coordinator = factories.make_user("coordinator", name="Mariam Coulibaly")
    factories.mark(enrollment, START, Period.AM, AttendanceStatus.ABSENT, recorded_by=coordinator)
    db.session.commit()
    # The trainer marked the cell offline while it was still empty.
    the_change = change(enrollment, status="present", base=0, note="Présent")
    answer = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    conflict = answer[the_change["id"]]
    assert conflict["outcome"] == "conflict"
    assert conflict["cell"]["status"] == "absent" and conflict["cell"]["version"] == 1
    assert conflict["cell"]["recorded_by"] == "Mariam Coulibaly"
    assert conflict["cell"]["recorded_at"].startswith(str(cell(enrollment).recorded_at.date()))
    assert conflict["yours"] == {"status": "present", "note": "Présent"}
    assert cell(enrollment).status == AttendanceStatus.ABSENT
    assert count(AttendanceChange) == 0

    # "Keep mine": the page sends the value again, made on their version.
    mine = change(enrollment, status="present", base=1)
    answer = by_id(send(client, workshop.training_session, [mine], trainer.id))
    assert answer[mine["id"]]["outcome"] == "applied"
    assert cell(enrollment).status == AttendanceStatus.PRESENT and cell(enrollment).version == 2


def test_the_form_post_still_saves_over_a_changed_cell_and_says_so(client, workshop, trainer):
    """Without JavaScript nothing changes: last writer wins, with a warning."""
    enrollment = workshop.enrollments[0]
    factories.mark(enrollment, START, Period.AM, AttendanceStatus.ABSENT)
    db.session.commit()
    response = client.post(
        f"/sessions/{workshop.id}/attendance/{DAY}",
        data={f"status-{enrollment.id}-am": "present", f"version-{enrollment.id}-am": "0"},
        follow_redirects=True,
    )
    assert "Someone else changed these cells" in response.text
    assert cell(enrollment).status == AttendanceStatus.PRESENT


# --- Refusals, per change -------------------------------------------------------


def test_a_closed_day_refuses_a_trainers_changes_and_says_why(client, workshop, trainer):
    enrollment = workshop.enrollments[0]
    db.session.add(AttendanceDayLock(session_id=workshop.id, date=START))
    db.session.commit()
    the_change = change(enrollment)
    response = send(client, workshop.training_session, [the_change], trainer.id)
    assert response.status_code == 200
    refused = by_id(response)[the_change["id"]]
    assert refused["outcome"] == "refused" and refused["code"] == "day_closed"
    assert refused["message"] == "This day is closed: only a coordinator can correct it."
    assert records() == []


def test_a_coordinator_corrects_a_closed_day_with_the_reason_sent_with_the_change(
    client, workshop, login_as
):
    enrollment = workshop.enrollments[0]
    db.session.add(AttendanceDayLock(session_id=workshop.id, date=START))
    db.session.commit()
    coordinator = login_as("coordinator")
    without = change(enrollment)
    refused = by_id(send(client, workshop.training_session, [without], coordinator.id))
    assert refused[without["id"]]["code"] == "reason_required"
    with_reason = change(enrollment, reason="Feuille signée retrouvée")
    applied = by_id(send(client, workshop.training_session, [with_reason], coordinator.id))
    assert applied[with_reason["id"]]["outcome"] == "applied"
    event = db.session.scalar(CHANGED)
    assert event.reason == "Feuille signée retrouvée"


def test_a_completed_session_refuses_a_trainers_changes(client, workshop, trainer):
    workshop.training_session.status = SessionStatus.COMPLETED
    db.session.commit()
    the_change = change(workshop.enrollments[0])
    refused = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    assert refused[the_change["id"]]["code"] == "session_completed"
    assert "completed" in refused[the_change["id"]]["message"]
    assert records() == []


def test_a_day_still_to_come_and_a_day_outside_the_session_are_refused(client, login_as):
    today = date.today()
    training_session = factories.make_session(start_date=today - timedelta(days=1))
    trainer_user = factories.make_user("trainer")
    factories.assign(trainer_user.trainer, training_session)
    enrollment = factories.enroll(training_session=training_session)
    db.session.commit()
    login_as(trainer_user)
    tomorrow = change(enrollment, day=(today + timedelta(days=1)).isoformat())
    outside = change(enrollment, day=(today + timedelta(days=30)).isoformat())
    on_the_day = change(enrollment, day=today.isoformat())
    batch = [tomorrow, outside, on_the_day]
    answers = by_id(send(client, training_session, batch, trainer_user.id))
    assert answers[tomorrow["id"]]["code"] == "day_to_come"
    assert "still to come" in answers[tomorrow["id"]]["message"]
    assert answers[outside["id"]]["code"] == "not_a_session_day"
    assert answers[on_the_day["id"]]["outcome"] == "applied"
    assert [record.date for record in records()] == [today]


def test_a_participant_not_confirmed_in_the_session_is_refused_without_showing_the_cell(
    client, workshop, trainer
):
    other_session = factories.make_session(start_date=START)
    stranger = factories.enroll(training_session=other_session)
    factories.mark(stranger, START, Period.AM, AttendanceStatus.ABSENT)
    db.session.commit()
    changes = [
        change(workshop.nominated),
        change(stranger, base=1),
        change(workshop.enrollments[0]),
    ]
    answers = by_id(send(client, workshop.training_session, changes, trainer.id))
    for refused in (answers[changes[0]["id"]], answers[changes[1]["id"]]):
        assert refused["outcome"] == "refused" and refused["code"] == "not_confirmed"
        assert "cell" not in refused
    # Each change stands on its own: the third is applied.
    assert answers[changes[2]["id"]]["outcome"] == "applied"
    assert cell(stranger).status == AttendanceStatus.ABSENT
    assert cell(workshop.nominated) is None


def test_a_withdrawn_participants_changes_are_refused(client, workshop, trainer):
    enrollment = workshop.enrollments[0]
    enrollment.status = EnrollmentStatus.WITHDRAWN
    db.session.commit()
    the_change = change(enrollment)
    answer = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    assert answer[the_change["id"]]["code"] == "not_confirmed"


# --- Who may send ----------------------------------------------------------------

ROLES = ["admin", "coordinator", "own_trainer", "other_trainer", "participant"]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_sessions_trainers_and_coordinators_record_through_the_sync(
    client, login_as, workshop, role
):
    if role == "own_trainer":
        user = login_as(workshop.trainer_user)
    elif role == "other_trainer":
        other = factories.make_session(start_date=START)
        user = factories.make_user("trainer")
        factories.assign(user.trainer, other)
        db.session.commit()
        login_as(user)
    else:
        user = login_as(role)
    changes = [change(workshop.enrollments[0]), change(workshop.enrollments[1], "pm")]
    response = send(client, workshop.training_session, changes, user.id)
    if role in {"admin", "coordinator", "own_trainer"}:
        assert response.status_code == 200
        assert {r["outcome"] for r in by_id(response).values()} == {"applied"}
        assert len(records()) == 2
    elif role == "other_trainer":
        # Each change is answered: the page says why and keeps nothing waiting.
        assert response.status_code == 403
        answers = by_id(response)
        assert {r["code"] for r in answers.values()} == {"not_allowed"}
        assert "no longer a trainer of this session" in answers[changes[0]["id"]]["message"]
        assert records() == []
        assert count(AttendanceChange) == 0
        refusal = sa.select(AuditEvent).where(AuditEvent.action == "access.refused")
        assert db.session.scalar(refusal).actor_id == user.id
    else:
        assert response.status_code == 403 and response.json["error"] == "forbidden"
        assert records() == []


def test_a_trainer_removed_from_the_session_is_refused_each_change(client, workshop, trainer):
    for assignment in workshop.training_session.assignments:
        db.session.delete(assignment)
    db.session.commit()
    the_change = change(workshop.enrollments[0])
    response = send(client, workshop.training_session, [the_change], trainer.id)
    assert response.status_code == 403
    assert by_id(response)[the_change["id"]]["code"] == "not_allowed"
    assert records() == []


def test_an_anonymous_or_lapsed_sign_in_is_answered_401_json(client, workshop, trainer):
    the_change = change(workshop.enrollments[0])
    end_sessions(db.session.get(User, trainer.id), SessionEnd.IDLE)
    db.session.commit()
    response = send(client, workshop.training_session, [the_change], trainer.id)
    assert response.status_code == 401
    assert response.json["error"] == "signed_out"
    assert "sign in again" in response.json["message"]
    assert records() == []
    # The page asks who is signed in the same way.
    answer = client.get(sync_url(workshop.training_session), headers={"Accept": "application/json"})
    assert answer.status_code == 401 and answer.is_json


def test_changes_made_by_another_user_are_not_sent_as_the_one_signed_in(client, workshop, trainer):
    """A page left open by a user whose sign-in ended, on a browser where
    someone else is now signed in, holds the first user's outbox."""
    somebody_else = factories.make_user("trainer")
    db.session.commit()
    batch = [change(workshop.enrollments[0])]
    response = send(client, workshop.training_session, batch, somebody_else.id)
    assert response.status_code == 409 and response.json["error"] == "other_user"
    assert records() == []


def test_get_tells_the_page_who_is_signed_in_with_a_fresh_token(client, workshop, trainer):
    answer = client.get(sync_url(workshop.training_session), headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.json["user"] == trainer.id and answer.json["csrf_token"]


def test_an_unknown_session_is_a_json_404(client, workshop, trainer):
    response = client.post(
        "/sessions/999999/attendance/sync", json={"user": trainer.id, "changes": []}
    )
    assert response.status_code == 404 and response.json["error"] == "not_found"


# --- CSRF, size, shape: refused whole, nothing written ------------------------------


def test_a_batch_without_the_csrf_token_is_refused(csrf_app, client, workshop):
    response = client.post(
        "/login", data={"email": workshop.trainer_user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 400  # the sign-in form needs its token too
    page = client.get("/login").text
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login",
        data={"email": workshop.trainer_user.email, "password": TEST_PASSWORD, "csrf_token": token},
    )
    user_id = workshop.trainer_user.id
    refused = send(client, workshop.training_session, [change(workshop.enrollments[0])], user_id)
    assert refused.status_code == 400 and refused.json["error"] == "csrf"
    forged = send(
        client,
        workshop.training_session,
        [change(workshop.enrollments[0])],
        user_id,
        headers={"X-CSRFToken": "forged"},
    )
    assert forged.status_code == 400
    assert records() == []
    # The token the page has (or asks for again) in the X-CSRFToken header.
    fresh = client.get(sync_url(workshop.training_session), headers={"Accept": "application/json"})
    accepted = client.post(
        sync_url(workshop.training_session),
        json={"user": user_id, "changes": [change(workshop.enrollments[0])]},
        headers={"Accept": "application/json", "X-CSRFToken": fresh.json["csrf_token"]},
    )
    assert accepted.status_code == 200
    assert len(records()) == 1


def test_too_many_changes_at_once_are_refused_whole(app, client, workshop, trainer):
    limit = app.config["ATTENDANCE_SYNC_MAX_CHANGES"]
    enrollment = workshop.enrollments[0]
    changes = [change(enrollment) for _ in range(limit + 1)]
    response = send(client, workshop.training_session, changes, trainer.id)
    assert response.status_code == 413 and response.json["error"] == "too_large"
    assert records() == []


def test_a_body_past_the_size_limit_is_refused_whole(app, client, workshop, trainer, monkeypatch):
    monkeypatch.setitem(app.config, "ATTENDANCE_SYNC_MAX_BYTES", 2000)
    changes = [change(workshop.enrollments[0], note="x" * 400) for _ in range(5)]
    response = send(client, workshop.training_session, changes, trainer.id)
    assert response.status_code == 413 and response.json["error"] == "too_large"
    assert records() == []
    # Sent without a length (chunked), the body is cut at the limit all the same.
    body = json.dumps({"user": trainer.id, "changes": changes}).encode()
    response = client.post(
        sync_url(workshop.training_session),
        input_stream=io.BytesIO(body),
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and response.json["error"] == "too_large"
    assert records() == []


MALFORMED = {
    "not JSON": "status-1-am=present",
    "a list": [],
    "no changes": {"user": 0},
    "changes not a list": {"user": 0, "changes": {"id": "x"}},
    "no user": {"changes": []},
    "a change not an object": {"user": 0, "changes": ["present"]},
    "a change without an id": {"user": 0, "changes": [{"enrollment": 1}]},
    "an id that is no UUID": {"user": 0, "changes": [{"id": "1; DROP TABLE"}]},
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_batch_not_understood_is_refused_whole(client, workshop, trainer, body):
    if isinstance(body, dict) and "user" in body:
        body = {**body, "user": trainer.id}
    if isinstance(body, str):
        response = client.post(
            sync_url(workshop.training_session),
            data=body,
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
    else:
        response = client.post(sync_url(workshop.training_session), json=body)
    assert response.status_code == 400, response.text[:300]
    assert response.json["error"] == "malformed"
    assert records() == []


BAD_FIELDS = {
    "unknown status": {"status": "sleeping"},
    "unknown period": {"period": "evening"},
    "not a date": {"date": "2026-02-30"},
    "a date in another form": {"date": "02/03/2026"},
    "enrollment true": {"enrollment": True},
    "enrollment past INTEGER": {"enrollment": 2**40},
    "negative version": {"base_version": -1},
    "version as text": {"base_version": "1"},
    "note not text": {"note": ["a"]},
    "note too long": {"note": "n" * 501},
}


@pytest.mark.parametrize("fields", BAD_FIELDS.values(), ids=BAD_FIELDS.keys())
def test_one_malformed_change_refuses_the_batch_and_is_named(client, workshop, trainer, fields):
    good = change(workshop.enrollments[0])
    bad = {**change(workshop.enrollments[1]), **fields}
    response = send(client, workshop.training_session, [good, bad], trainer.id)
    assert response.status_code == 400
    assert response.json["error"] == "malformed"
    named = by_id(response)
    assert list(named) == [bad["id"]]
    assert named[bad["id"]]["outcome"] == "refused" and named[bad["id"]]["code"] == "malformed"
    assert records() == []


def test_the_same_id_twice_in_a_batch_refuses_it(client, workshop, trainer):
    first = change(workshop.enrollments[0])
    twice = {**change(workshop.enrollments[1]), "id": first["id"]}
    response = send(client, workshop.training_session, [first, twice], trainer.id)
    assert response.status_code == 400 and records() == []


def test_fields_other_than_a_changes_own_are_ignored(client, workshop, trainer):
    the_change = change(workshop.enrollments[0], recorded_by_id=1, version=99, session_id=123)
    answer = by_id(send(client, workshop.training_session, [the_change], trainer.id))
    assert answer[the_change["id"]]["outcome"] == "applied"
    record = cell(workshop.enrollments[0])
    assert record.recorded_by_id == trainer.id and record.version == 1


def test_a_note_is_cleaned_at_the_door(client, workshop, trainer):
    the_change = change(workshop.enrollments[0], note="  Retard\x0b de 10 min  ")
    send(client, workshop.training_session, [the_change], trainer.id)
    assert cell(workshop.enrollments[0]).note == "Retard de 10 min"


# --- At the same moment, on SQLite and PostgreSQL -----------------------------------


def _together(app, jobs):
    barrier = threading.Barrier(len(jobs), timeout=30)
    outcomes: list[object] = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            try:
                outcomes[index] = job(barrier)
            except Exception as error:  # reported to the test, which fails on it
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _apply_job(session_id, user_id, changes):
    def job(barrier):
        training_session = db.session.get(TrainingSession, session_id)
        user = db.session.get(User, user_id)
        db.session.commit()  # a reading transaction holds SQLite's write lock
        barrier.wait()
        results = services.apply_changes(training_session, changes, actor=user)
        db.session.commit()
        return [result.outcome for result in results]

    return job


def _cell_change(enrollment_id, status, change_id=None):
    return services.CellChange(
        change_id=change_id or uuid.uuid4(),
        enrollment_id=enrollment_id,
        day=START,
        period=Period.AM,
        status=status,
        note=None,
        base_version=0,
    )


@pytest.mark.committed
def test_the_same_change_sent_twice_at_once_is_applied_once(app, workshop):
    enrollment_id = workshop.enrollments[0].id
    the_change = _cell_change(enrollment_id, AttendanceStatus.PRESENT)
    session_id, user_id = workshop.id, workshop.trainer_user.id
    db.session.remove()
    jobs = [_apply_job(session_id, user_id, [the_change]) for _ in range(2)]
    outcomes = _together(app, jobs)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(outcome[0] for outcome in outcomes) == ["already_applied", "applied"]
    assert count(AttendanceChange) == 1
    assert [(r.status, r.version) for r in records()] == [(AttendanceStatus.PRESENT, 1)]


@pytest.mark.committed
def test_two_changes_of_one_cell_made_on_the_same_version_never_overwrite_each_other(app, workshop):
    enrollment_id = workshop.enrollments[0].id
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    session_id, trainer_id, coordinator_id = workshop.id, workshop.trainer_user.id, coordinator.id
    db.session.remove()
    jobs = [
        _apply_job(session_id, trainer_id, [_cell_change(enrollment_id, AttendanceStatus.LATE)]),
        _apply_job(
            session_id, coordinator_id, [_cell_change(enrollment_id, AttendanceStatus.ABSENT)]
        ),
    ]
    outcomes = _together(app, jobs)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sorted(outcome[0] for outcome in outcomes) == ["applied", "conflict"]
    winner = 0 if outcomes[0] == ["applied"] else 1
    kept = [AttendanceStatus.LATE, AttendanceStatus.ABSENT][winner]
    assert [(r.status, r.version) for r in records()] == [(kept, 1)]
    assert count(AttendanceChange) == 1


@pytest.mark.committed
def test_two_phones_sending_through_http_at_once_lose_nothing(app, workshop):
    """The trainer's phone and tablet send their outboxes at the same moment:
    one change in common, one cell each."""
    clients = []
    for _ in range(2):
        client = app.test_client()
        response = client.post(
            "/login", data={"email": workshop.trainer_user.email, "password": TEST_PASSWORD}
        )
        assert response.status_code == 303
        clients.append(client)
    first, second = (enrollment.id for enrollment in workshop.enrollments[:2])
    common = change(first)
    session_id, user_id = workshop.id, workshop.trainer_user.id
    url = f"/sessions/{session_id}/attendance/sync"
    db.session.remove()

    def post(client, own):
        def job(barrier):
            barrier.wait()
            response = client.post(url, json={"user": user_id, "changes": [common, own]})
            return response.status_code, [r["outcome"] for r in response.json["results"]]

        return job

    outcomes = _together(
        app, [post(clients[0], change(second, "am")), post(clients[1], change(second, "pm"))]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert [status for status, _ in outcomes] == [200, 200]
    assert sorted(results[0] for _, results in outcomes) == ["already_applied", "applied"]
    assert [results[1] for _, results in outcomes] == ["applied", "applied"]
    assert len(records()) == 3
    assert count(AttendanceChange) == 3
