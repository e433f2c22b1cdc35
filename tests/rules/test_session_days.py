"""Regression (issue 10): a completed session's dates were edited after its
attendance was recorded, leaving records outside its days, and its
attendance rates then passed 100 % (500 % on the demo). The rule now:
new dates must keep every day with attendance (refused with a clear
message), and only records on the session's days count, in every figure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from training.attendance import services as attendance
from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.certificates.services import session_eligibility
from training.domain import DomainError
from training.extensions import db
from training.reports import projection, queries
from training.reports.queries import ReportFilters
from training.sessions import services as sessions
from training.sessions.models import Period, SessionStatus

START = date(2025, 3, 3)  # Monday; three days: six periods


@pytest.fixture
def completed(app):
    """A completed three-day session, one participant present throughout."""
    training_session = factories.make_session(
        start_date=START, end_date=START + timedelta(days=2), status=SessionStatus.IN_PROGRESS
    )
    enrollment = factories.enroll(training_session=training_session)
    factories.mark_all(enrollment)
    training_session.status = SessionStatus.COMPLETED
    coordinator = factories.make_user("coordinator")
    db.session.commit()
    return training_session, enrollment, coordinator


def test_shrinking_a_session_past_its_recorded_days_is_refused(completed):
    training_session, _enrollment, coordinator = completed
    with pytest.raises(DomainError) as refused:
        sessions.update_session(training_session, actor=coordinator, end_date=START)
    assert "Attendance is already recorded on" in refused.value.message
    assert "March 4, 2025" in refused.value.message and "March 5, 2025" in refused.value.message
    assert refused.value.field == "end_date"
    db.session.rollback()
    assert db.session.get(type(training_session), training_session.id).end_date == START + (
        timedelta(days=2)
    )


def test_moving_a_session_later_than_its_records_is_refused_on_the_start(completed):
    training_session, _enrollment, coordinator = completed
    with pytest.raises(DomainError) as refused:
        sessions.update_session(
            training_session,
            actor=coordinator,
            start_date=START + timedelta(days=7),
            end_date=START + timedelta(days=9),
        )
    assert refused.value.field == "start_date"


def test_lengthening_a_session_keeps_its_records_and_lowers_no_one_past_reason(completed):
    training_session, enrollment, coordinator = completed
    sessions.update_session(training_session, actor=coordinator, end_date=START + timedelta(3))
    db.session.commit()
    assert attendance.attendance_rate(enrollment) == pytest.approx(6 / 8)


def test_the_edit_page_says_why_the_dates_are_refused(client, login_as, completed):
    training_session, _enrollment, _coordinator = completed
    login_as("coordinator")
    form = client.get(f"/sessions/{training_session.id}/edit")
    assert form.status_code == 200
    data = {
        "theme": training_session.curriculum.theme.value,
        "curriculum_id": training_session.curriculum_id,
        "code": training_session.code,
        "kind": training_session.kind.value,
        "start_date": START.isoformat(),
        "end_date": START.isoformat(),
        "city": training_session.city,
        "country": training_session.country,
        "venue": training_session.venue or "",
        "language": training_session.language.value,
        "capacity": training_session.capacity,
        "screening_required": "y",
    }
    response = client.post(f"/sessions/{training_session.id}/edit", data=data)
    assert response.status_code == 422
    assert "Attendance is already recorded on March 4, 2025, March 5, 2025" in response.get_data(
        as_text=True
    )


def _record_outside(enrollment) -> None:
    """What the demo held: records left outside the session by an edit
    made before the rule (written past the services, as a migration would
    find them)."""
    for offset in range(7, 12):
        for period in Period:
            db.session.execute(
                sa.insert(AttendanceRecord).values(
                    enrollment_id=enrollment.id,
                    date=START + timedelta(days=offset),
                    period=period,
                    status=AttendanceStatus.PRESENT,
                    version=1,
                )
            )
    db.session.commit()


def test_records_outside_the_session_never_count(client, login_as, completed):
    training_session, enrollment, _coordinator = completed
    _record_outside(enrollment)  # ten more "present" periods, outside the days
    assert attendance.attendance_rate(enrollment) == 1.0
    assert attendance.attendance_rates(training_session) == {enrollment.id: 1.0}
    overview = attendance.session_overview(training_session)
    assert overview.rows[0].attendance_rate == 1.0
    assert sum(overview.totals_by_sex.values()) == 6
    [eligibility] = session_eligibility(training_session)
    assert eligibility.attendance_rate == 1.0
    projection.catch_up()
    headline = queries.headline(ReportFilters())
    assert (headline.attended_periods, headline.scheduled_periods) == (6, 6)
    login_as("coordinator")
    page = client.get(f"/sessions/{training_session.id}/attendance").get_data(as_text=True)
    assert "100%" in page and "266%" not in page and "267%" not in page
    export = client.get("/reports/export.csv").get_data(as_text=True)
    assert "100" in export
