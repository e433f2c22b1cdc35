"""The coordinator's home: past days of recent sessions with no attendance
recorded at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.alerts import ALERT_LIMIT, Alert
from training.attendance.models import AttendanceRecord
from training.enrollment.models import Enrollment
from training.extensions import db
from training.sessions.models import SessionStatus, TrainingSession

# Days with no attendance are looked for in the sessions of the last weeks:
# older gaps are history to fix through the session's page, not alerts.
MISSING_ATTENDANCE_WINDOW = timedelta(days=60)


@dataclass(frozen=True)
class MissingDay:
    training_session: TrainingSession
    day: date


def days_without_attendance(today: date, limit: int = ALERT_LIMIT, offset: int = 0) -> Alert:
    """Days up to today of sessions in progress or completed (ended within
    MISSING_ATTENDANCE_WINDOW) on which no attendance at all was recorded.

    Two queries: the sessions, then the days that do have a record; the
    difference is small (a few weeks of sessions) and taken in Python."""
    candidates = list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(
                TrainingSession.status.in_((SessionStatus.IN_PROGRESS, SessionStatus.COMPLETED)),
                TrainingSession.start_date <= today,
                TrainingSession.end_date >= today - MISSING_ATTENDANCE_WINDOW,
            )
            .order_by(TrainingSession.start_date, TrainingSession.id)
            .options(selectinload(TrainingSession.curriculum))
        )
    )
    if not candidates:
        return Alert([], 0)
    recorded = set(
        db.session.execute(
            sa.select(Enrollment.session_id, AttendanceRecord.date)
            .join(Enrollment, Enrollment.id == AttendanceRecord.enrollment_id)
            .where(Enrollment.session_id.in_([s.id for s in candidates]))
            .group_by(Enrollment.session_id, AttendanceRecord.date)
        ).all()
    )
    missing = [
        MissingDay(training_session, day)
        for training_session in candidates
        for day in training_session.days
        if day <= today and (training_session.id, day) not in recorded
    ]
    return Alert(missing[offset : offset + limit], len(missing))
