"""One screening result recorded for several participants at once."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests import factories
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.people.models import ScreeningRecord, ScreeningStatus

FORM = {
    "framework": "hrddp_mitigation",
    "status": "cleared",
    "screened_on": "2026-11-20",
    "valid_until": "2027-11-19",
    "reference": "HRDDP/ML/2026/044",
}


def page_text(response) -> str:
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def records(participant) -> list[ScreeningRecord]:
    return list(
        db.session.scalars(
            sa.select(ScreeningRecord).where(ScreeningRecord.participant_id == participant.id)
        )
    )


def test_the_ticked_participants_each_receive_the_result(client, login_as):
    login_as("coordinator")
    people = [factories.make_participant(cleared=False) for _ in range(3)]
    db.session.commit()
    ids = [p.id for p in people[:2]]
    page = client.get("/participants/screenings/new", query_string={"participant_id": ids})
    assert page.status_code == 200
    text = page_text(page)
    assert people[0].sortable_name in text and people[2].sortable_name not in text
    response = client.post(
        "/participants/screenings/new",
        data={**FORM, "participant_id": ids, "next": "/participants"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/participants"
    for participant in people[:2]:
        (record,) = records(participant)
        assert record.status is ScreeningStatus.CLEARED and record.reference == FORM["reference"]
    assert records(people[2]) == []


def test_a_wrong_date_records_nothing_and_says_why(client, login_as):
    login_as("coordinator")
    people = [factories.make_participant(cleared=False) for _ in range(2)]
    db.session.commit()
    response = client.post(
        "/participants/screenings/new",
        data={**FORM, "valid_until": "2026-01-01", "participant_id": [p.id for p in people]},
    )
    assert response.status_code == 400
    assert "cannot be before the screening date" in page_text(response)
    assert all(records(p) == [] for p in people)


def test_nothing_ticked_unknown_or_malformed_ids_are_refused(client, login_as):
    login_as("coordinator")
    empty = client.get("/participants/screenings/new", follow_redirects=True)
    assert "Tick the participants" in page_text(empty)
    assert client.get("/participants/screenings/new?participant_id=999999").status_code == 404
    bad = client.get("/participants/screenings/new?participant_id=abc", follow_redirects=True)
    assert "Tick the participants" in page_text(bad)
    away = client.get("/participants/screenings/new?next=https://evil.example.com")
    assert away.headers["Location"] == "/participants"


def test_from_a_sessions_enrollments_the_ticked_nominees_are_screened(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    nominees = [
        factories.enroll(
            factories.make_participant(cleared=False),
            training_session,
            status=EnrollmentStatus.NOMINATED,
        )
        for _ in range(2)
    ]
    db.session.commit()
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/bulk",
        data={"action": "screen", "enrollment_id": [e.id for e in nominees]},
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/participants/screenings/new?")
    page = client.get(response.headers["Location"])
    assert all(e.participant.sortable_name in page_text(page) for e in nominees)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("coordinator", True), ("trainer", False), ("participant", False)],
)
def test_who_may_record_screenings_in_bulk(client, login_as, role, allowed):
    login_as(role)
    participant = factories.make_participant(cleared=False)
    db.session.commit()
    get = client.get(f"/participants/screenings/new?participant_id={participant.id}")
    post = client.post(
        "/participants/screenings/new", data={**FORM, "participant_id": participant.id}
    )
    assert get.status_code == (200 if allowed else 403)
    assert post.status_code == (303 if allowed else 403)
    assert len(records(participant)) == (1 if allowed else 0)
