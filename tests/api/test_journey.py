"""A client's journey through the API alone: write a curriculum, schedule a
session, assign its trainer, register and screen a participant, nominate and
confirm them, record their attendance from the trainer's phone, complete
the session, issue the certificate and verify it in public."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from training.auth.models import User
from training.extensions import db


def test_a_programme_runs_from_curriculum_to_verified_certificate(api_as, client):
    coordinator = api_as("coordinator")
    trainer_user = api_as("trainer")

    curriculum = coordinator.post(
        "/curricula",
        json={
            "code": "CT-API-01",
            "title_en": "Investigating terrorist financing",
            "title_fr": "Enquêter sur le financement du terrorisme",
            "theme": "counter_terrorism",
            "owner": "joint",
            "pass_mark_percent": 60,
        },
    )
    assert curriculum.status_code == 201, curriculum.json
    assert curriculum.headers["Location"] == f"/api/v1/curricula/{curriculum.json['id']}"
    curriculum_id = curriculum.json["id"]
    module = coordinator.post(
        f"/curricula/{curriculum_id}/modules",
        json={
            "title_en": "Following the money",
            "title_fr": "Suivre l'argent",
            "duration_minutes": 360,
        },
    )
    assert module.status_code == 201, module.json
    approved = coordinator.post(f"/curricula/{curriculum_id}/approve")
    assert approved.status_code == 200 and approved.json["status"] == "approved"

    start = date.today() - timedelta(days=2)
    created = coordinator.post(
        "/sessions",
        json={
            "curriculum_id": curriculum_id,
            "code": "NE-API-001",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=1)).isoformat(),
            "city": "Niamey",
            "country": "NE",
            "capacity": 20,
        },
    )
    assert created.status_code == 201, created.json
    session_id = created.json["id"]
    assert created.json["status"] == "planned"

    trainer_id = db.session.get(User, trainer_user.user.id).trainer_id
    qualified = coordinator.post(
        f"/trainers/{trainer_id}/qualifications",
        json={"curriculum_id": curriculum_id, "qualified_on": "2020-01-01"},
    )
    assert qualified.status_code == 201, qualified.json
    assigned = coordinator.post(
        f"/sessions/{session_id}/assignments", json={"trainer_id": trainer_id, "role": "lead"}
    )
    assert assigned.status_code == 201, assigned.json

    participant = coordinator.post(
        "/participants",
        json={"given_name": "Mariam", "family_name": "Diallo", "sex": "F", "nationality": "NE"},
    )
    assert participant.status_code == 201, participant.json
    participant_id = participant.json["id"]
    nominated = coordinator.post(
        f"/sessions/{session_id}/enrollments", json={"participant_id": participant_id}
    )
    assert nominated.status_code == 201, nominated.json
    enrollment_id = nominated.json["id"]

    # Not screened yet: the session requires it, so confirming is refused.
    refused = coordinator.post(f"/enrollments/{enrollment_id}/confirm")
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    assert "screening" in refused.json["detail"]
    screened = coordinator.post(
        f"/participants/{participant_id}/screenings",
        json={
            "framework": "hrddp_mitigation",
            "status": "cleared",
            "screened_on": (start - timedelta(days=30)).isoformat(),
        },
    )
    assert screened.status_code == 201, screened.json
    confirmed = coordinator.post(f"/enrollments/{enrollment_id}/confirm")
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["status"] == "confirmed"

    for status in ("open", "in_progress"):
        moved = coordinator.post(f"/sessions/{session_id}/status", json={"status": status})
        assert moved.status_code == 200, moved.json

    # The trainer records every half-day from the phone, in one sync.
    changes = [
        {
            "id": str(uuid.uuid4()),
            "enrollment": enrollment_id,
            "date": (start + timedelta(days=offset)).isoformat(),
            "period": period,
            "status": "present",
            "base_version": 0,
        }
        for offset in (0, 1)
        for period in ("am", "pm")
    ]
    synced = trainer_user.post(f"/sessions/{session_id}/attendance/sync", json={"changes": changes})
    assert synced.status_code == 200, synced.json
    assert [result["outcome"] for result in synced.json["results"]] == ["applied"] * 4
    again = trainer_user.post(f"/sessions/{session_id}/attendance/sync", json={"changes": changes})
    assert [result["outcome"] for result in again.json["results"]] == ["already_applied"] * 4
    overview = trainer_user.get(f"/sessions/{session_id}/attendance")
    assert overview.json["rows"][0]["attendance_rate"] == 1.0

    score = trainer_user.get(f"/sessions/{session_id}/scores/{enrollment_id}")
    scored = trainer_user.patch(
        f"/sessions/{session_id}/scores/{enrollment_id}",
        json={"pre_test_score": 40, "post_test_score": 85},
        headers={"If-Match": score.headers["ETag"]},
    )
    assert scored.status_code == 200, scored.json
    assert scored.json["knowledge_gain"] == 45

    checklist = coordinator.get(f"/sessions/{session_id}/checklist").json["items"]
    completed = coordinator.post(
        f"/sessions/{session_id}/status",
        json={"status": "completed", "acknowledged": [item["token"] for item in checklist]},
    )
    assert completed.status_code == 200, completed.json
    assert completed.json["status"] == "completed"

    eligibility = coordinator.get(f"/sessions/{session_id}/certificates").json["items"]
    assert eligibility[0]["kind"] == "completion"
    issued = coordinator.post(
        f"/sessions/{session_id}/certificates", json={"enrollment_id": enrollment_id}
    )
    assert issued.status_code == 201, issued.json
    assert issued.json["holder_name"] == "Mariam Diallo"
    twice = coordinator.post(
        f"/sessions/{session_id}/certificates", json={"enrollment_id": enrollment_id}
    )
    assert twice.status_code == 200 and twice.json["serial"] == issued.json["serial"]

    code = issued.json["verification_code"]
    verified = client.get(f"/api/v1/verify/{code}")  # no token: anyone verifies
    assert verified.status_code == 200, verified.json
    assert verified.json["state"] == "valid"
    assert verified.json["holder_name"] == "Mariam Diallo"
    assert "email" not in verified.json and "rank" not in verified.json
