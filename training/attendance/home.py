"""The trainer's home page: the sessions they teach, today's first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from training.attendance.services import DayStatus, day_statuses
from training.auth.models import User
from training.extensions import db
from training.sessions.models import Assignment, SessionStatus, TrainingSession


@dataclass(frozen=True)
class TaughtSession:
    """A session the trainer teaches, with its days and what is missing."""

    training_session: Any
    assignment_role: Any
    days: list[DayStatus]
    today: date | None  # the session's day that is today, when it runs today

    @property
    def incomplete_days(self) -> list[DayStatus]:
        """Past or current days with periods still unrecorded."""
        limit = self.today or date.today()
        return [status for status in self.days if status.day <= limit and not status.complete]


def trainer_home(user: User, today: date | None = None) -> dict[str, Any]:
    """The sessions the trainer teaches: those running today first, then the
    upcoming ones (soonest first), then the past ones (latest first).
    Cancelled sessions are left out. Four queries whatever the number of
    sessions."""
    today = today or date.today()
    if user.trainer_id is None:
        return {
            "current_sessions": [],
            "upcoming_sessions": [],
            "past_sessions": [],
            "today": today,
        }
    rows = db.session.execute(
        sa.select(TrainingSession, Assignment.role)
        .join(Assignment)
        .where(
            Assignment.trainer_id == user.trainer_id,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .order_by(TrainingSession.start_date)
        .options(sa.orm.selectinload(TrainingSession.curriculum))
    ).all()
    statuses = day_statuses([training_session for training_session, _role in rows])
    current, upcoming, past = [], [], []
    for training_session, role in rows:
        runs_today = training_session.includes(today)
        taught = TaughtSession(
            training_session, role, statuses[training_session.id], today if runs_today else None
        )
        if runs_today:
            current.append(taught)
        elif training_session.start_date > today:
            upcoming.append(taught)
        else:
            past.append(taught)
    past.reverse()
    return {
        "current_sessions": current,
        "upcoming_sessions": upcoming,
        "past_sessions": past,
        "today": today,
    }
