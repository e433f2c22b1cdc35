"""The home page's fixtures: a programme with something in every alert."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories
from tests.reports.conftest import make_certificate
from training.extensions import db
from training.models import (
    AttendanceStatus,
    EnrollmentStatus,
    Period,
    ScreeningStatus,
    SessionStatus,
)


@pytest.fixture
def work(app):
    today = date.today()
    upcoming = factories.make_session(start_date=today + timedelta(days=10), code="UP-NO-LEAD")
    led = factories.make_session(start_date=today + timedelta(days=20), code="UP-LED")
    factories.assign(factories.make_trainer(), led)

    never_screened = factories.make_participant(cleared=False, family_name="Unscreened")
    expired = factories.make_participant(cleared=False, family_name="Expired")
    factories.screen(expired, valid_until=today - timedelta(days=1), screened_on=date(2020, 1, 1))
    refused = factories.make_participant(cleared=False, family_name="Refused")
    factories.screen(refused, ScreeningStatus.NOT_CLEARED)
    cleared = factories.make_participant(family_name="Cleared")
    for participant in (never_screened, expired, refused, cleared):
        factories.enroll(participant, upcoming, status=EnrollmentStatus.NOMINATED)
    no_screening = factories.make_session(
        start_date=today + timedelta(days=30), screening_required=False, code="NO-SCREEN"
    )
    factories.enroll(
        factories.make_participant(cleared=False, family_name="Exempt"),
        no_screening,
        status=EnrollmentStatus.NOMINATED,
    )

    running = factories.make_session(
        start_date=today - timedelta(days=2),
        end_date=today + timedelta(days=1),
        status=SessionStatus.IN_PROGRESS,
        code="RUNNING",
    )
    factories.assign(factories.make_trainer(), running)
    enrollment = factories.enroll(factories.make_participant(), running)
    factories.mark(enrollment, running.start_date, Period.AM)

    finished = factories.make_session(
        start_date=today - timedelta(days=20), status=SessionStatus.COMPLETED, code="FINISHED"
    )
    factories.assign(factories.make_trainer(), finished)
    holder = factories.enroll(factories.make_participant(), finished)
    waiting = factories.enroll(factories.make_participant(), finished)
    factories.enroll(factories.make_participant(), finished, status=EnrollmentStatus.WITHDRAWN)
    absentee = factories.enroll(factories.make_participant(), finished)
    factories.mark_all(holder)
    factories.mark_all(waiting)
    factories.mark_all(absentee, AttendanceStatus.ABSENT)
    make_certificate(holder)
    db.session.commit()
    return {"today": today, "upcoming": upcoming, "running": running, "finished": finished}
