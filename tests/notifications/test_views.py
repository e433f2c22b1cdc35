"""What coordinators see of notifications: the session's switch on its form
and page, and a word when a nominee has no address."""

from __future__ import annotations

import re
from datetime import date

from tests import factories
from tests.notifications.conftest import outbox
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import TrainingSession


def session_form(training_session: TrainingSession, **changes) -> dict:
    data = {
        "theme": training_session.curriculum.theme.value,
        "curriculum_id": training_session.curriculum_id,
        "code": training_session.code,
        "kind": training_session.kind.value,
        "start_date": training_session.start_date.isoformat(),
        "end_date": training_session.end_date.isoformat(),
        "city": training_session.city,
        "country": training_session.country,
        "venue": training_session.venue or "",
        "language": training_session.language.value,
        "capacity": str(training_session.capacity),
        "screening_required": "y",
        "send_notifications": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_a_new_session_notifies_by_default(client, login_as):
    login_as("coordinator")
    page = client.get("/sessions/new").get_data(as_text=True)
    assert "Send notifications to participants and trainers" in page
    [checkbox] = re.findall(r'<input[^>]*name="send_notifications"[^>]*>', page)
    assert " checked" in checkbox


def test_the_switch_turned_off_shows_on_the_session_page_and_stops_mail(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    db.session.commit()
    assert "notifications-off" not in client.get(f"/sessions/{training_session.id}").get_data(
        as_text=True
    )

    response = client.post(
        f"/sessions/{training_session.id}/edit",
        data=session_form(training_session, send_notifications=None),
    )
    assert response.status_code == 303
    db.session.refresh(training_session)
    assert training_session.send_notifications is False
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    assert "Notifications are off for this session" in page
    assert "Notifications are off for this session" in client.get(
        f"/sessions/{training_session.id}/enrollments"
    ).get_data(as_text=True)

    enrollment = factories.enroll(
        training_session=training_session, status=EnrollmentStatus.NOMINATED
    )
    db.session.commit()
    client.post(f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm")
    db.session.refresh(enrollment)
    assert enrollment.status == EnrollmentStatus.CONFIRMED
    assert outbox() == []

    client.post(f"/sessions/{training_session.id}/edit", data=session_form(training_session))
    db.session.refresh(training_session)
    assert training_session.send_notifications is True
    assert "notifications-off" not in client.get(f"/sessions/{training_session.id}").get_data(
        as_text=True
    )


def test_the_switch_is_in_the_sessions_history(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    db.session.commit()
    client.post(
        f"/sessions/{training_session.id}/edit",
        data=session_form(training_session, send_notifications=None),
    )
    page = client.get(f"/sessions/{training_session.id}").get_data(as_text=True)
    assert "Notifications" in page.split('id="history"')[-1]


def test_confirming_through_the_page_queues_the_mail(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session(start_date=date(2026, 5, 4))
    enrollment = factories.enroll(
        training_session=training_session, status=EnrollmentStatus.NOMINATED
    )
    db.session.commit()
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm",
        follow_redirects=True,
    )
    assert response.status_code == 200
    [message] = outbox("enrollment.confirmed")
    assert message.to_address == enrollment.participant.email
    assert "no email address" not in response.get_data(as_text=True)


def test_confirming_a_nominee_without_address_says_no_mail_was_sent(client, login_as):
    login_as("coordinator")
    training_session = factories.make_session()
    participant = factories.make_participant(email=None)
    enrollment = factories.enroll(participant, training_session, status=EnrollmentStatus.NOMINATED)
    db.session.commit()
    response = client.post(
        f"/sessions/{training_session.id}/enrollments/{enrollment.id}/confirm",
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{participant.full_name} is confirmed." in page
    assert "has no email address: they were sent no message" in page
    assert outbox() == []
