"""What sessions contribute to the pages of the areas below them
(training.web.panels): a trainer's sessions, and the sessions still under
way of a curriculum about to be retired."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import selectinload

from training.curricula.models import Curriculum
from training.extensions import db
from training.people.models import Trainer
from training.sessions.models import ACTIVE_STATUSES, Assignment, TrainingSession
from training.web import panels


def trainer_assignments(trainer: Trainer) -> dict[str, Any]:
    """The trainer's assignments, latest session first."""
    assignments = db.session.scalars(
        sa.select(Assignment)
        .where(Assignment.trainer_id == trainer.id)
        .join(Assignment.training_session)
        .options(selectinload(Assignment.training_session).selectinload(TrainingSession.curriculum))
        .order_by(TrainingSession.start_date.desc())
    ).all()
    return {"assignments": assignments}


def curriculum_sessions_under_way(curriculum: Curriculum) -> dict[str, Any]:
    """The curriculum's sessions planned, open or in progress, soonest first:
    they go on with it once it is retired."""
    sessions = db.session.scalars(
        sa.select(TrainingSession)
        .where(
            TrainingSession.curriculum_id == curriculum.id,
            TrainingSession.status.in_(ACTIVE_STATUSES),
        )
        .order_by(TrainingSession.start_date, TrainingSession.code)
    ).all()
    return {"sessions_under_way": sessions}


def init_app(app: Flask) -> None:
    panels.trainer_page.connect(trainer_assignments)
    panels.curriculum_retiring.connect(curriculum_sessions_under_way)
