"""The coordinator's (and administrator's) home page: the sessions coming up
and what needs doing, each item linking to where it is done.

A fixed number of queries whatever the size of the programme: each list is
one query capped at ALERT_LIMIT rows plus one count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.attendance.models import AttendanceRecord
from training.auth.models import User
from training.certificates.services import attendance_met
from training.curricula.models import Curriculum
from training.enrollment.models import Enrollment, EnrollmentStatus
from training.extensions import db
from training.people.models import Participant, ScreeningRecord, ScreeningStatus
from training.reports.models import ReportTraining
from training.sessions.models import (
    Assignment,
    AssignmentRole,
    SessionStatus,
    TrainingSession,
)

ALERT_LIMIT = 10
UPCOMING_LIMIT = 10
# Days with no attendance are looked for in the sessions of the last weeks:
# older gaps are history to fix through the session's page, not alerts.
MISSING_ATTENDANCE_WINDOW = timedelta(days=60)

_ACTIVE = (SessionStatus.PLANNED, SessionStatus.OPEN, SessionStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Alert:
    """A list of things to fix: at most ALERT_LIMIT items, and how many in all."""

    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class MissingDay:
    training_session: TrainingSession
    day: date


def _alert(statement: sa.Select, *, scalars: bool = True) -> Alert:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    limited = statement.limit(ALERT_LIMIT)
    items = list(db.session.scalars(limited) if scalars else db.session.execute(limited).all())
    return Alert(items, total or 0)


def upcoming_sessions(today: date) -> list[TrainingSession]:
    """Sessions not over yet and not cancelled, soonest first."""
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(
                TrainingSession.end_date >= today,
                TrainingSession.status.in_(_ACTIVE),
            )
            .order_by(TrainingSession.start_date, TrainingSession.id)
            .limit(UPCOMING_LIMIT)
            .options(selectinload(TrainingSession.curriculum))
        )
    )


def sessions_without_lead(today: date) -> Alert:
    """Sessions still to run (or running) with no lead trainer assigned."""
    has_lead = sa.exists().where(
        Assignment.session_id == TrainingSession.id, Assignment.role == AssignmentRole.LEAD
    )
    return _alert(
        sa.select(TrainingSession)
        .where(TrainingSession.end_date >= today, TrainingSession.status.in_(_ACTIVE), ~has_lead)
        .order_by(TrainingSession.start_date, TrainingSession.id)
        .options(selectinload(TrainingSession.curriculum))
    )


def current_clearance(today: date) -> sa.Exists:
    """A screening record that clears its participant today."""
    return sa.exists().where(
        ScreeningRecord.participant_id == Enrollment.participant_id,
        ScreeningRecord.status.in_(
            (ScreeningStatus.CLEARED, ScreeningStatus.CLEARED_WITH_CONDITIONS)
        ),
        sa.or_(ScreeningRecord.screened_on.is_(None), ScreeningRecord.screened_on <= today),
        sa.or_(ScreeningRecord.valid_until.is_(None), ScreeningRecord.valid_until >= today),
    )


def nominees_awaiting_screening(today: date) -> Alert:
    """Nominees of sessions that require screening, still to run, whose
    participant holds no current clearance: they cannot be confirmed."""
    return _alert(
        sa.select(Enrollment)
        .join(TrainingSession, TrainingSession.id == Enrollment.session_id)
        .where(
            Enrollment.status == EnrollmentStatus.NOMINATED,
            TrainingSession.screening_required.is_(True),
            TrainingSession.status.in_(_ACTIVE),
            TrainingSession.end_date >= today,
            ~current_clearance(today),
        )
        .order_by(TrainingSession.start_date, Enrollment.id)
        .options(
            selectinload(Enrollment.participant).selectinload(Participant.organisation),
            selectinload(Enrollment.training_session),
        )
    )


def days_without_attendance(today: date) -> Alert:
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
    return Alert(missing[:ALERT_LIMIT], len(missing))


def certificates_to_issue() -> Alert:
    """Completed sessions with confirmed participants who qualify for a
    certificate (they met the curriculum's attendance minimum: the first
    rule of `training.certificates.services.evaluate`) and hold none yet,
    with how many (rows: session, count). Read from the reports' table,
    which already counts each person-training's attended periods."""
    rows = ReportTraining
    waiting = (
        sa.select(rows.session_id, sa.func.count().label("waiting"))
        .join(Curriculum, Curriculum.id == rows.curriculum_id)
        .where(
            rows.certificate_kind.is_(None),
            attendance_met(rows.attended_periods, rows.periods, Curriculum.min_attendance_percent),
        )
        .group_by(rows.session_id)
        .subquery("waiting")
    )
    statement = (
        sa.select(TrainingSession, waiting.c.waiting)
        .join(waiting, waiting.c.session_id == TrainingSession.id)
        .order_by(TrainingSession.end_date.desc(), TrainingSession.id)
        .options(selectinload(TrainingSession.curriculum))
    )
    return _alert(statement, scalars=False)


def coordinator_home(user: User, today: date | None = None) -> dict[str, Any]:
    """The home page's context for a coordinator or an administrator."""
    today = today or date.today()
    return {
        "today": today,
        "upcoming_sessions": upcoming_sessions(today),
        "sessions_without_lead": sessions_without_lead(today),
        "nominees_awaiting_screening": nominees_awaiting_screening(today),
        "days_without_attendance": days_without_attendance(today),
        "certificates_to_issue": certificates_to_issue(),
    }
