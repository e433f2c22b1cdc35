"""iCalendar feeds of sessions (RFC 5545, through the icalendar library).

Sessions run whole days, so each is an all-day event: DTSTART;VALUE=DATE on
the first day and DTEND the day after the last (DTEND is exclusive). The UID
never changes, so a calendar program updates the event when the session
moves instead of adding a second one.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from icalendar import Calendar, Event

from training.formatting import country_name
from training.labels import label
from training.sessions.models import SessionStatus, TrainingSession

PRODUCT_ID = "-//Atelier//UNODC-DPO training sessions//EN"


def session_uid(training_session: TrainingSession) -> str:
    return f"session-{training_session.id}@atelier"


def session_event(training_session: TrainingSession, locale: str) -> Event:
    """One session as an all-day VEVENT, worded in the reader's language."""
    event = Event()
    event.add("uid", session_uid(training_session))
    event.add("dtstamp", training_session.updated_at)
    event.add("last-modified", training_session.updated_at)
    event.add("dtstart", training_session.start_date)
    event.add("dtend", training_session.end_date + timedelta(days=1))
    event.add("summary", f"{training_session.code} {training_session.title(locale)}")
    place = [
        training_session.venue,
        training_session.city,
        country_name(training_session.country, locale),
    ]
    event.add("location", ", ".join(part for part in place if part))
    event.add("description", f"{label(training_session.kind)} · {label(training_session.status)}")
    event.add(
        "status",
        "CANCELLED"
        if training_session.status == SessionStatus.CANCELLED
        else "TENTATIVE"
        if training_session.status == SessionStatus.PLANNED
        else "CONFIRMED",
    )
    event.add("transp", "TRANSPARENT")
    return event


def calendar_bytes(sessions: Iterable[TrainingSession], locale: str, name: str) -> bytes:
    """A VCALENDAR holding one event per session, as UTF-8 bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    for training_session in sessions:
        calendar.add_component(session_event(training_session, locale))
    return calendar.to_ical()
