"""What sessions contribute to the pages of the areas below them
(training.web.panels): a trainer's sessions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import selectinload

from training.extensions import db
from training.people.models import Trainer
from training.sessions.models import Assignment, TrainingSession
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


def init_app(app: Flask) -> None:
    panels.trainer_page.connect(trainer_assignments)
