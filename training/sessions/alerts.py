"""The coordinator's home: the sessions coming up, and those still without a
lead trainer."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from training.alerts import ALERT_LIMIT, Alert, alert
from training.extensions import db
from training.sessions.models import ACTIVE_STATUSES, Assignment, AssignmentRole, TrainingSession

UPCOMING_LIMIT = 10


def upcoming_sessions(today: date) -> list[TrainingSession]:
    """Sessions not over yet and not cancelled, soonest first."""
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(TrainingSession.end_date >= today, TrainingSession.status.in_(ACTIVE_STATUSES))
            .order_by(TrainingSession.start_date, TrainingSession.id)
            .limit(UPCOMING_LIMIT)
            .options(selectinload(TrainingSession.curriculum))
        )
    )


def sessions_without_lead(today: date, limit: int = ALERT_LIMIT, offset: int = 0) -> Alert:
    """Sessions still to run (or running) with no lead trainer assigned."""
    has_lead = sa.exists().where(
        Assignment.session_id == TrainingSession.id, Assignment.role == AssignmentRole.LEAD
    )
    return alert(
        sa.select(TrainingSession)
        .where(
            TrainingSession.end_date >= today,
            TrainingSession.status.in_(ACTIVE_STATUSES),
            ~has_lead,
        )
        .order_by(TrainingSession.start_date, TrainingSession.id)
        .options(selectinload(TrainingSession.curriculum)),
        limit=limit,
        offset=offset,
    )
