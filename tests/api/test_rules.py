"""The API adds no rule and skips none: the services' refusals (capacity,
clashes, qualification, locks, conflicts, eligibility, duplicates) reach the
client as problems with the rule's code; lists page by cursor; ETags stop a
stale change; the reports read as the reports page reads."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests import factories
from training.attendance.models import AttendanceDayLock
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.reports import projection, queries
from training.sessions.models import SessionStatus


@pytest.fixture
def coordinator(api_as):
    return api_as("coordinator")


def test_beyond_capacity_a_confirmation_waits_in_line(coordinator):
    training_session = factories.make_session(capacity=1)
    first, second = (
        factories.enroll(training_session=training_session, status=EnrollmentStatus.NOMINATED)
        for _ in range(2)
    )
    db.session.commit()
    assert coordinator.post(f"/enrollments/{first.id}/confirm").json["status"] == "confirmed"
    waiting = coordinator.post(f"/enrollments/{second.id}/confirm")
    assert waiting.status_code == 200
    assert waiting.json["status"] == "waitlisted" and waiting.json["waitlist_position"] == 1
    withdrawn = coordinator.post(f"/enrollments/{first.id}/withdraw")
    assert withdrawn.json["promoted"]["id"] == second.id


def test_a_participant_is_not_confirmed_twice_at_once_without_a_reason(coordinator):
    participant = factories.make_participant()
    one = factories.make_session(start_date=date(2026, 5, 4))
    other = factories.make_session(start_date=date(2026, 5, 5))
    factories.enroll(participant, one)
    nominee = factories.enroll(participant, other, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    clash = coordinator.post(f"/enrollments/{nominee.id}/confirm")
    assert clash.status_code == 409 and clash.json["code"] == "participant_clash"
    assert clash.json["clashes"][0]["session_code"] == one.code
    anyway = coordinator.post(
        f"/enrollments/{nominee.id}/confirm", json={"override_reason": "Half days each"}
    )
    assert anyway.json["status"] == "confirmed"


def test_trainers_are_never_double_booked_and_qualified_or_justified(coordinator):
    trainer = factories.make_trainer()
    booked = factories.make_session(start_date=date(2026, 6, 1))
    factories.assign(trainer, booked)
    overlapping = factories.make_session(start_date=date(2026, 6, 2))
    db.session.commit()
    clash = coordinator.post(
        f"/sessions/{overlapping.id}/assignments", json={"trainer_id": trainer.id}
    )
    assert clash.status_code == 409 and clash.json["code"] == "trainer_clash"
    later = factories.make_session(start_date=date(2026, 7, 6))
    db.session.commit()
    unqualified = coordinator.post(
        f"/sessions/{later.id}/assignments", json={"trainer_id": trainer.id}
    )
    assert unqualified.status_code == 422
    assert unqualified.json["code"] == "trainer_not_qualified"
    assert "override_reason" in unqualified.json["errors"]["json"]
    justified = coordinator.post(
        f"/sessions/{later.id}/assignments",
        json={"trainer_id": trainer.id, "override_reason": "The only Arabic speaker"},
    )
    assert justified.status_code == 201


def test_a_closed_day_and_a_newer_cell_refuse_a_trainers_change(api_as):
    trainer = api_as("trainer")
    start = date.today() - timedelta(days=3)
    training_session = factories.make_session(start_date=start, status=SessionStatus.IN_PROGRESS)
    factories.assign(trainer.user.trainer, training_session)
    enrollment = factories.enroll(training_session=training_session)
    recorded = factories.mark(enrollment, start)  # version 1, by someone else
    db.session.add(
        AttendanceDayLock(session_id=training_session.id, date=start + timedelta(days=1))
    )
    db.session.commit()

    def change(day, period="am", base_version=0):
        return {
            "id": str(uuid.uuid4()),
            "enrollment": enrollment.id,
            "date": day.isoformat(),
            "period": period,
            "status": "absent",
            "base_version": base_version,
        }

    results = trainer.post(
        f"/sessions/{training_session.id}/attendance/sync",
        json={"changes": [change(start), change(start + timedelta(days=1))]},
    ).json["results"]
    assert results[0]["outcome"] == "conflict"
    assert results[0]["cell"]["status"] == "present" and results[0]["yours"]["status"] == "absent"
    assert results[1] == {
        "id": results[1]["id"],
        "outcome": "refused",
        "code": "day_closed",
        "message": "This day is closed: only a coordinator can correct it.",
    }
    applied = trainer.post(
        f"/sessions/{training_session.id}/attendance/sync",
        json={"changes": [change(start, base_version=recorded.version)]},
    ).json["results"][0]
    assert applied["outcome"] == "applied" and applied["cell"]["version"] == 2
    too_many = trainer.post(
        f"/sessions/{training_session.id}/attendance/sync",
        json={"changes": [change(start) for _ in range(201)]},
    )
    assert too_many.status_code == 413


def test_certificates_follow_eligibility(coordinator):
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    enrollment = factories.enroll(training_session=training_session)  # attended nothing
    db.session.commit()
    url = f"/sessions/{training_session.id}/certificates"
    refused = coordinator.post(url, json={"enrollment_id": enrollment.id})
    assert refused.status_code == 422
    assert "override_reason" in refused.json["errors"]["json"]
    issued = coordinator.post(
        url, json={"enrollment_id": enrollment.id, "override_reason": "Attended the make-up"}
    )
    assert issued.status_code == 201
    serial = issued.json["serial"]
    assert coordinator.post(f"/certificates/{serial}/revoke", json={}).status_code == 422
    revoked = coordinator.post(f"/certificates/{serial}/revoke", json={"reason": "Fraud"})
    assert revoked.json["status"] == "revoked"
    code = issued.json["verification_code"]
    assert coordinator.get(f"/verify/{code}").json["state"] == "revoked"
    assert coordinator.get(f"/certificates/{serial}/pdf").status_code == 410
    unknown = coordinator.get("/verify/AAAA-BBBB")
    assert unknown.status_code == 404 and unknown.json["code"] == "unknown_certificate"
    open_session = factories.make_session()
    nominee = factories.enroll(training_session=open_session)
    db.session.commit()
    not_yet = coordinator.post(
        f"/sessions/{open_session.id}/certificates", json={"enrollment_id": nominee.id}
    )
    assert not_yet.status_code == 409 and "not completed" in not_yet.json["detail"]


def test_a_duplicate_participant_is_named_then_created_on_purpose(coordinator):
    existing = factories.make_participant(email="awa@example.org")
    db.session.commit()
    body = {"given_name": "Awa", "family_name": "Diallo", "sex": "F", "email": "AWA@example.org"}
    refused = coordinator.post("/participants", json=body)
    assert refused.status_code == 409 and refused.json["code"] == "duplicate_participant"
    assert refused.json["duplicates"][0]["id"] == existing.id
    assert "allow_duplicate" in refused.json["errors"]["json"]
    assert (
        coordinator.post("/participants", json={**body, "allow_duplicate": True}).status_code == 201
    )


def test_a_stale_change_is_refused_and_capacity_holds(coordinator):
    training_session = factories.make_session(capacity=5)
    factories.enroll(training_session=training_session)
    factories.enroll(training_session=training_session)
    db.session.commit()
    url = f"/sessions/{training_session.id}"
    etag = coordinator.get(url).headers["ETag"]
    assert coordinator.patch(url, json={"capacity": 1}).status_code == 428
    below = coordinator.patch(url, json={"capacity": 1}, headers={"If-Match": etag})
    assert below.status_code == 409 and below.json["code"] == "capacity_below_confirmed"
    changed = coordinator.patch(url, json={"city": "Zinder"}, headers={"If-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    stale = coordinator.patch(url, json={"city": "Maradi"}, headers={"If-Match": etag})
    assert stale.status_code == 412 and stale.json["current_etag"] == changed.headers["ETag"]
    assert coordinator.get(url).json["city"] == "Zinder"


def test_lists_page_by_cursor(coordinator):
    for _ in range(5):
        factories.make_curriculum()
    db.session.commit()
    seen, cursor = [], None
    while True:
        page = coordinator.get("/curricula?limit=2" + (f"&cursor={cursor}" if cursor else "")).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 5 and seen == sorted(seen)
    bad = coordinator.get("/curricula?cursor=nonsense")
    assert bad.status_code == 400 and bad.json["code"] == "invalid_cursor"
    assert coordinator.get("/curricula?limit=0").status_code == 422


def test_reports_read_as_the_reports_page(api_as):
    reader = api_as("coordinator", scopes=["reports:read"])
    training_session = factories.make_session(status=SessionStatus.COMPLETED)
    factories.enroll(training_session=training_session)
    db.session.commit()
    report = reader.get(f"/reports?curriculum={training_session.curriculum_id}")
    assert report.status_code == 200
    projection.catch_up()
    expected = queries.build_report(
        queries.ReportFilters(curriculum_id=training_session.curriculum_id)
    )
    assert report.json["headline"]["people_trained"] == expected.headline.people_trained == 1
    assert report.json["filters"] == {"curriculum": str(training_session.curriculum_id)}
    unknown = reader.get("/reports?curriculum=999999")
    assert unknown.status_code == 422 and "curriculum" in unknown.json["errors"]["query"]
