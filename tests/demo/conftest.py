"""Helpers for the demo programme's tests."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from training.auth.models import User
from training.extensions import db
from training.sessions.models import SessionStatus, TrainingSession

TODAY = date(2026, 3, 11)


def seed(runner, *options: str):
    result = runner.invoke(args=["seed-demo", *options])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return result


def all_sessions() -> list[TrainingSession]:
    return list(db.session.scalars(sa.select(TrainingSession).order_by(TrainingSession.start_date)))


def user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def assert_current_cycle_around(today: date) -> None:
    """One session in progress on `today`, with attendance on its past days
    only, and at least three sessions still to come."""
    sessions = all_sessions()
    in_progress = [s for s in sessions if s.status == SessionStatus.IN_PROGRESS]
    assert len(in_progress) == 1
    current = in_progress[0]
    assert [s for s in sessions if s.includes(today)] == [current]
    recorded_days = {r.date for e in current.enrollments for r in e.attendance_records}
    assert recorded_days and all(day < today for day in recorded_days)

    upcoming = [s for s in sessions if s.status in (SessionStatus.OPEN, SessionStatus.PLANNED)]
    assert len(upcoming) >= 3
    assert all(s.start_date > today for s in upcoming)
