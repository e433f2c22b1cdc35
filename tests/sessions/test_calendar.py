"""Calendar feeds, read back with the icalendar library."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from tests import factories
from training.enrollment.models import EnrollmentStatus
from training.extensions import db
from training.sessions.models import SessionStatus


def _events(response) -> list:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.data)
    return list(calendar.walk("VEVENT"))


def test_session_event_is_an_all_day_event(client, login_as):
    curriculum = factories.make_curriculum(
        title_en="Investigating terrorism", title_fr="Enquêter sur le terrorisme"
    )
    training_session = factories.make_session(
        curriculum=curriculum,
        code="NE-2026-001",
        start_date=date(2026, 3, 2),
        end_date=date(2026, 3, 6),
        venue="École nationale de police",
        city="Niamey",
        country="NE",
    )
    db.session.commit()
    login_as("coordinator")
    [event] = _events(client.get(f"/sessions/{training_session.id}.ics"))
    assert str(event["UID"]) == f"session-{training_session.id}@atelier"
    assert event.decoded("DTSTART") == date(2026, 3, 2)
    assert event.decoded("DTEND") == date(2026, 3, 7)  # exclusive: the day after the last
    assert (
        event["DTSTART"].params.get("VALUE") == "DATE" or "VALUE=DATE" in event.to_ical().decode()
    )
    assert str(event["SUMMARY"]) == "NE-2026-001 Investigating terrorism"
    assert str(event["LOCATION"]) == "École nationale de police, Niamey, Niger"
    raw = client.get(f"/sessions/{training_session.id}.ics").data.decode()
    assert "DTSTART;VALUE=DATE:20260302" in raw and "DTEND;VALUE=DATE:20260307" in raw


def test_feed_speaks_the_readers_language(client, login_as):
    curriculum = factories.make_curriculum(
        title_en="Investigating terrorism", title_fr="Enquêter sur le terrorisme"
    )
    factories.make_session(curriculum=curriculum, code="NE-2026-001", country="NE")
    db.session.commit()
    login_as("coordinator", locale="fr")
    [event] = _events(client.get("/sessions.ics"))
    assert str(event["SUMMARY"]) == "NE-2026-001 Enquêter sur le terrorisme"


def test_coordinator_feed_has_every_session_but_cancelled_ones(client, login_as):
    kept = [
        factories.make_session(status=status)
        for status in (SessionStatus.PLANNED, SessionStatus.COMPLETED)
    ]
    factories.make_session(status=SessionStatus.CANCELLED)
    db.session.commit()
    login_as("coordinator")
    uids = {str(event["UID"]) for event in _events(client.get("/sessions.ics"))}
    assert uids == {f"session-{s.id}@atelier" for s in kept}


def test_trainer_feed_has_their_sessions(client, login_as):
    trainer_user = factories.make_user("trainer")
    own = factories.make_session()
    factories.make_session()
    factories.assign(trainer_user.trainer, own)
    db.session.commit()
    login_as(trainer_user)
    assert [str(e["UID"]) for e in _events(client.get("/sessions.ics"))] == [
        f"session-{own.id}@atelier"
    ]


def test_participant_feed_has_confirmed_sessions_only(client, login_as):
    participant_user = factories.make_user("participant")
    confirmed, waitlisted = factories.make_session(), factories.make_session()
    factories.enroll(participant_user.participant, confirmed)
    factories.enroll(participant_user.participant, waitlisted, status=EnrollmentStatus.WAITLISTED)
    db.session.commit()
    login_as(participant_user)
    assert [str(e["UID"]) for e in _events(client.get("/sessions.ics"))] == [
        f"session-{confirmed.id}@atelier"
    ]
    assert client.get(f"/sessions/{confirmed.id}.ics").status_code == 200
    assert client.get(f"/sessions/{waitlisted.id}.ics").status_code == 403


def test_uid_is_stable_when_the_session_moves(client, login_as):
    training_session = factories.make_session(start_date=date(2026, 3, 2))
    db.session.commit()
    login_as("coordinator")
    [before] = _events(client.get(f"/sessions/{training_session.id}.ics"))
    training_session.start_date = date(2026, 4, 6)
    training_session.end_date = date(2026, 4, 8)
    db.session.commit()
    [after] = _events(client.get(f"/sessions/{training_session.id}.ics"))
    assert str(before["UID"]) == str(after["UID"])
    assert after.decoded("DTSTART") == date(2026, 4, 6)
