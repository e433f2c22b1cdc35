"""Attendance: the rules for recording it and for counting it."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from training.attendance.models import AttendanceRecord, AttendanceStatus
from training.enrollment.models import Enrollment
from training.extensions import db
from training.sessions.models import TrainingSession

ATTENDED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


def attended_periods(enrollment_ids: Iterable[int]) -> dict[int, int]:
    """Attended (present or late) periods per enrollment, counted in SQL."""
    ids = list(enrollment_ids)
    if not ids:
        return {}
    statement = (
        sa.select(AttendanceRecord.enrollment_id, sa.func.count())
        .where(
            AttendanceRecord.enrollment_id.in_(ids),
            AttendanceRecord.status.in_(ATTENDED_STATUSES),
        )
        .group_by(AttendanceRecord.enrollment_id)
    )
    counts = {enrollment_id: 0 for enrollment_id in ids}
    counts.update(dict(db.session.execute(statement).tuples().all()))
    return counts


def attendance_rates(training_session: TrainingSession) -> dict[int, float]:
    """Attendance rate per enrollment of the session, from 0.0 to 1.0.

    The rule (DESIGN.md): attended periods are present and late ones, and
    the rate is attended periods / the session's periods (two per day).
    """
    enrollment_ids = db.session.scalars(
        sa.select(Enrollment.id).where(Enrollment.session_id == training_session.id)
    ).all()
    periods = training_session.period_count
    return {
        enrollment_id: attended / periods
        for enrollment_id, attended in attended_periods(enrollment_ids).items()
    }


def attendance_rate(enrollment: Enrollment) -> float:
    """The attendance rate of one enrollment (see attendance_rates)."""
    attended = attended_periods([enrollment.id])[enrollment.id]
    return attended / enrollment.training_session.period_count
