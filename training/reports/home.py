"""The coordinator's (and administrator's) home page."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from training.auth.models import User
from training.extensions import db
from training.sessions.models import SessionStatus, TrainingSession


def coordinator_home(user: User) -> dict[str, Any]:
    statement = (
        sa.select(TrainingSession)
        .where(
            TrainingSession.end_date >= date.today(),
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        .order_by(TrainingSession.start_date)
        .limit(10)
        .options(sa.orm.selectinload(TrainingSession.curriculum))
    )
    return {"upcoming_sessions": list(db.session.scalars(statement))}
