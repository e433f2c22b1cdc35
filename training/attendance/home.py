"""The trainer's home page."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from training.auth.models import User
from training.extensions import db
from training.sessions.models import Assignment, TrainingSession


def trainer_home(user: User) -> dict[str, Any]:
    if user.trainer_id is None:
        return {"trainer_sessions": []}
    statement = (
        sa.select(TrainingSession)
        .join(Assignment)
        .where(Assignment.trainer_id == user.trainer_id)
        .order_by(TrainingSession.start_date.desc())
        .options(sa.orm.selectinload(TrainingSession.curriculum))
    )
    return {"trainer_sessions": list(db.session.scalars(statement))}
